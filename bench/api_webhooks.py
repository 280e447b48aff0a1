"""`make bench`'s API and webhooks: the API's list of challenges at 100,000 challenges, and the
webhooks' delivery rate against a loopback receiver beside a bare `httpx` POST loop.

    .venv/bin/python bench/api_webhooks.py
        # PostgreSQL: creates `eig_bench_api` at BENCH_PG (default
        # postgres://postgres@127.0.0.1:5432), measures, drops it, and writes its section into
        # docs/benchmarks.md
    .venv/bin/python bench/api_webhooks.py --sizes 1000,10000 --output - --keep

1. The API (`GET /api/v1/challenges/`, a programme manager's token, through Django's test client:
   the whole stack but the socket — token check and its use recorded, rate limit, filters, cursor,
   serializer): at each size the SQL statements of each request are counted (constant: the same at
   every size), then at the largest the requests of every kind are interleaved in `--rounds`
   rounds; each kind's p95 is the median of the rounds' p95, with their spread.
2. The webhooks: a loopback receiver (`webhooks.receiver.Receiver`, checking every signature and
   dropping duplicates by id) and two ways, interleaved in `--rounds` rounds of `--deliveries`:
   a bare `httpx` loop POSTing signed bodies, and `webhooks.delivery.deliver_many` on as many
   pending deliveries of the outbox (the body of a real move's delivery): claim, read, sign, POST,
   record. Each receives everything once: the receiver's count and duplicates are checked.

Not a test: nothing fails on a slow figure; each is compared with issue 17's targets.
"""

import argparse
import base64
import datetime as dt
import os
import statistics
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.throwaway import (  # noqa: E402
    add_arguments,
    command_line,
    database_url,
    log,
    machine,
    on_throwaway_database,
    publish,
)

P95_TARGET_MS = 150
CHUNK = 10_000
START, END = "<!-- bench/api_webhooks.py: start -->", "<!-- bench/api_webhooks.py: end -->"
KINDS = {
    "first": "the first page",
    "state": "`?state=submitted&promotion=…`",
    "search": "`?q=n°00500` (a search, 100 matches at 100 000, from the middle)",
    "nothing": "`?q=introuvable` (a search that finds nothing: every row read)",
    "deep": "a page three quarters down (its cursor)",
}
WAYS = {
    "bare": "bare `httpx` POST loop (signed bodies, one client)",
    "deliver_many": "`webhooks.delivery.deliver_many` (the outbox's pending deliveries)",
}


# The bench asks more than a token's rate allows (the limit is not what is measured); its
# receiver is on loopback, over plain http.
ENVIRONMENT = {"API_RATE": "100000000/min", "WEBHOOKS_ALLOW_HTTP": "1", "WEBHOOKS_ALLOW_PRIVATE": "1"}


def _n(value: float) -> str:
    return f"{value:,.0f}".replace(",", " ")


def _spread(values: list[float]) -> str:
    middle = statistics.median(values)
    spread = (max(values) - min(values)) / middle if middle else 0
    return f"{spread:.0%}{' (noisy)' if spread > 0.20 else ''}"


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def _grow(world, target: int):
    """Submitted challenges of the synthetic world until there are `target` (rows only: the API's
    list reads the challenge, its promotion and its administration)."""
    from django.db import transaction
    from django.utils import timezone

    from bench.measure import ADMINISTRATIONS, _settle_tables
    from lifecycle import bulk
    from lifecycle.enums import ChallengeState
    from lifecycle.models import Challenge

    now = timezone.now()
    while world.count < target:
        size = min(CHUNK, target - world.count)
        with transaction.atomic():
            bulk.create(
                [
                    Challenge(
                        promotion=world.promotion,
                        administration=world.administrations[(world.count + i) % ADMINISTRATIONS],
                        name=f"Défi synthétique n°{world.count + i:07d}",
                        state=ChallengeState.SUBMITTED,
                        state_changed_at=now,
                        summary="Ouvrir et documenter les données du service",
                        problem="Les données sont dispersées.",
                        solution="Une plateforme ouverte.",
                    )
                    for i in range(size)
                ]
            )
        world.count += size
    _settle_tables()
    log(f"  {world.count} challenges")


def _deep_cursor(world) -> str:
    """The cursor of the page that starts three quarters down (DRF's encoding: `p=<position>`)."""
    from lifecycle.models import Challenge

    ids = Challenge.objects.filter(promotion=world.promotion).order_by("id").values_list("id", flat=True)
    position = ids[int(world.count * 0.75)]
    return base64.b64encode(urlencode({"p": position}).encode()).decode()


def _requests(world) -> dict:
    return {
        "first": {},
        "state": {"state": "submitted", "promotion": world.promotion.pk},
        "search": {"q": "n°00500"},
        "nothing": {"q": "introuvable"},
        "deep": {"cursor": _deep_cursor(world)},
    }


def api(world, sizes: list[int], rounds: int, per_round: int) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from api import tokens

    _token, secret = tokens.create(world.manager, name="Banc d’essai")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    url = "/api/v1/challenges/"

    def get(params):
        response = client.get(url, params)
        if response.status_code != 200:
            raise RuntimeError(f"{url} {params}: {response.status_code} {response.content[:200]}")
        return response

    statements = {kind: [] for kind in KINDS}
    rows = {}
    for size in sizes:
        _grow(world, size)
        for kind, params in _requests(world).items():
            get(params)  # warm
            with CaptureQueriesContext(connection) as captured:
                response = get(params)
            statements[kind].append(len(captured.captured_queries))
            rows[kind] = len(response.json()["results"])
    p95 = {kind: [] for kind in KINDS}
    requests = _requests(world)
    for round_ in range(rounds):
        times = {kind: [] for kind in KINDS}
        for _repeat in range(per_round):
            for kind, params in requests.items():
                started = time.perf_counter()
                get(params)
                times[kind].append((time.perf_counter() - started) * 1000)
        for kind in KINDS:
            p95[kind].append(_p95(times[kind]))
        log(f"API round {round_ + 1}/{rounds}: " + ", ".join(f"{k} p95 {p95[k][-1]:.0f} ms" for k in KINDS))
    return {"sizes": sizes, "statements": statements, "p95": p95, "rows": rows, "per_round": per_round}


def webhooks(world, rounds: int, count: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from bench import measure
    from lifecycle import services
    from lifecycle.enums import ChallengeState
    from lifecycle.models import Challenge
    from webhooks import delivery, outbox, signing
    from webhooks import services as webhook_services
    from webhooks.enums import DeliveryStatus
    from webhooks.models import Delivery
    from webhooks.receiver import Receiver

    receiver = Receiver().start()
    try:
        hook, secret = webhook_services.register(world.manager, name="Banc d’essai", url=receiver.url)
        receiver.secret = secret
        # One real move writes the delivery every copy takes its body from.
        challenge = Challenge.objects.filter(
            promotion=world.promotion, state=ChallengeState.SUBMITTED
        ).first()
        services.transition(challenge, "preselect", by=world.manager, reason="Dossier solide.")
        model = Delivery.objects.get(webhook=hook)
        body = model.body.encode()
        Delivery.objects.filter(pk=model.pk).update(status=DeliveryStatus.DELIVERED)

        def pending(number):
            """As many pending deliveries of that move as the outbox writes them (a new id each)."""
            now = timezone.now()
            content = outbox.move_body(challenge, model.audit_event)
            made = Delivery.objects.bulk_create(
                outbox._delivery(hook, model.event_type, model.audit_event, content, now=now)
                for _ in range(number)
            )
            return [made_one.pk for made_one in made]

        def bare(number):
            with delivery.client() as http:
                started = time.perf_counter()
                for _ in range(number):
                    headers = signing.headers(
                        secret, body, delivery_id=str(uuid.uuid4()), event_type=model.event_type
                    )
                    answer = http.post(receiver.url, content=body, headers=headers)
                    answer.raise_for_status()
                return time.perf_counter() - started

        def deliver_many(number):
            ids = pending(number)
            with delivery.client() as http:
                started = time.perf_counter()
                outcome = delivery.deliver_many(ids, http=http)
                seconds = time.perf_counter() - started
            if outcome != {DeliveryStatus.DELIVERED: number}:
                raise RuntimeError(f"deliver_many: {outcome}")
            return seconds

        functions = {"bare": bare, "deliver_many": deliver_many}
        per_second = {way: [] for way in WAYS}
        loads = []
        for round_ in range(rounds):
            for way in WAYS:
                load = os.getloadavg()[0]
                seconds = functions[way](count)
                loads.append(load)
                per_second[way].append(count / seconds)
            log(
                f"webhooks round {round_ + 1}/{rounds}: "
                + ", ".join(f"{w} {per_second[w][-1]:.0f}/s" for w in WAYS)
            )
        ids = pending(delivery.GROUP)
        with delivery.client() as http, CaptureQueriesContext(connection) as captured:
            delivery.deliver_many(ids, http=http)
        expected = 2 * rounds * count + delivery.GROUP  # the real move's delivery is not sent
        taken, duplicates = len(receiver.taken), len(receiver.duplicates)
        if taken != expected or duplicates or receiver.rejected:
            raise RuntimeError(f"the receiver took {taken} of {expected}, {duplicates} duplicates")
        measure._clear_queue()
        return {
            "count": count,
            "per_second": per_second,
            "statements": len(captured.captured_queries),
            "group": delivery.GROUP,
            "taken": taken,
            "duplicates": duplicates,
            "loads": loads,
            "body_bytes": len(body),
        }
    finally:
        receiver.stop()


def section(result: dict, info: dict) -> str:
    api_result, hooks = result["api"], result["webhooks"]
    sizes = api_result["sizes"]
    largest = _n(sizes[-1])
    lines = [
        START,
        "## 10. The API and the webhooks (`bench/api_webhooks.py`)",
        "",
        "| | |",
        "|---|---|",
        f"| date | {info['date']} |",
        f"| command | `{info['command']}` |",
        f"| database | {result['vendor']} |",
        f"| machine | {info['nproc']} CPU ({info['cpu']}), Python {info['python']} |",
        "",
        f"`GET /api/v1/challenges/` with a programme manager's token, through Django's test client (the "
        "whole stack but the socket: the token checked and its use recorded, the rate limit, the filters, "
        "the cursor, the serializer), 50 challenges a page. Statements counted at each size; at "
        f"{largest} challenges, {api_result['per_round']} requests of each kind interleaved per round, "
        f"{len(api_result['p95']['first'])} rounds: the median of the rounds' p95 and their spread.",
        "",
        f"| request | rows | SQL statements ({' → '.join(_n(size) for size in sizes)}) "
        f"| p95 at {largest} (ms) | rounds' p95 (min–max) | spread "
        f"| target: constant, p95 < {P95_TARGET_MS} ms |",
        "|---|---:|---|---:|---:|---|---|",
    ]
    for kind, label in KINDS.items():
        counts = api_result["statements"][kind]
        values = api_result["p95"][kind]
        p95 = statistics.median(values)
        constant = len(set(counts)) == 1
        verdict = (
            f"{'**met**' if constant else '**missed**'}, {'**met**' if p95 < P95_TARGET_MS else '**missed**'}"
        )
        lines.append(
            f"| {label} | {api_result['rows'][kind]} | {' → '.join(map(str, counts))} | {p95:.0f} | "
            f"{min(values):.0f}–{max(values):.0f} | {_spread(values)} | {verdict} |"
        )
    rates = hooks["per_second"]
    medians = {way: statistics.median(values) for way, values in rates.items()}
    lines += [
        "",
        f"Webhooks: a loopback receiver (`webhooks.receiver.Receiver`: a thread per request, each signature "
        f"checked, duplicates dropped by id) and {hooks['count']} deliveries of a real move's body "
        f"({hooks['body_bytes']} bytes) per way and per round, the two ways interleaved in "
        f"{len(rates['bare'])} rounds (load average {min(hooks['loads']):.1f} to {max(hooks['loads']):.1f}). "
        f"The receiver took {_n(hooks['taken'])} deliveries, {hooks['duplicates']} twice.",
        "",
        "| way | deliveries/s (median) | rounds (min–max) | spread | ÷ bare loop |",
        "|---|---:|---:|---|---:|",
    ]
    for way, label in WAYS.items():
        values = rates[way]
        lines.append(
            f"| {label} | {_n(medians[way])} | {_n(min(values))}–{_n(max(values))} | {_spread(values)} | "
            f"{medians[way] / medians['bare']:.2f} |"
        )
    lines += [
        "",
        f"A group of {hooks['group']} deliveries by `deliver_many`: {hooks['statements']} SQL statements "
        "(the claim: a locking read with their webhooks and an update, in a transaction; their results: "
        "one update per distinct result) around their POSTs.",
        END,
    ]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="1000,100000", help="challenges, comma-separated, increasing")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (≥ 3)")
    parser.add_argument("--requests", type=int, default=40, help="requests of each kind per round")
    parser.add_argument("--deliveries", type=int, default=300, help="deliveries per way and per round")
    add_arguments(parser, database="eig_bench_api")
    args = parser.parse_args()
    if args.rounds < 3:
        parser.error("at least 3 rounds, for a median and a spread")
    sizes = sorted(int(size) for size in args.sizes.split(","))
    info = {**machine(), "command": command_line("api_webhooks.py", database_url(args))}

    def measured():
        from django.db import connection

        from bench import measure

        measure._configure("orm", True)
        world = measure.World()
        return {
            "vendor": connection.vendor,
            "api": api(world, sizes, args.rounds, args.requests),
            "webhooks": webhooks(world, args.rounds, args.deliveries),
        }

    result = on_throwaway_database(parser, args, measured, name="api", more=ENVIRONMENT)
    info["date"] = f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC"
    publish(args, section(result, info))


if __name__ == "__main__":
    main()
