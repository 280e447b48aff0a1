"""`make bench`'s bulk moves: one move on a promotion's worth of challenges at once.

    .venv/bin/python bench/bulk_moves.py
        # PostgreSQL: creates `eig_bench_bulk` at BENCH_PG (default
        # postgres://postgres@127.0.0.1:5432), measures, drops it, and writes its section into
        # docs/benchmarks.md
    .venv/bin/python bench/bulk_moves.py --batch 200 --rounds 5 --output - --keep

`preselect` (submitted → preselected, with a reason) on challenges of bench/measure.py's synthetic
world (2 mentors, 2 positions and an administration's contact each: 4 e-mails a move), in the
production configuration (Redis broker when BENCH_REDIS_URL or 127.0.0.1:6379 answers, else the
ORM broker; a persistent database connection), three ways side by side, interleaved in `--rounds`
rounds of `--batch` challenges each: a bare `update()` per challenge (no lock, no audit, no e-mail),
`lifecycle.services.transition` per challenge, and `lifecycle.services.transition_many` on the
whole batch (one lock statement, one state write, one audit write, the outbox rows, the enqueues).
Each round records the machine's load before and after; the report gives each way's median and
spread over the rounds and says *noisy* where the spread passes 20 % of the median. The SQL
statements of one call of each way are counted. Not a test: nothing fails on a slow figure; each
is compared with issue 15's target (bulk ≥ 1 000 challenges/s for N = 200).
"""

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

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

TARGET_PER_SECOND = 1000
START, END = "<!-- bench/bulk_moves.py: start -->", "<!-- bench/bulk_moves.py: end -->"
WAYS = ["bare_update", "transition", "transition_many"]
LABELS = {
    "bare_update": "bare `update()`, one per challenge",
    "transition": "`transition()`, one per challenge",
    "transition_many": "`transition_many()`, the batch in one call",
}


def _redis_url() -> str:
    url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        import redis

        redis.Redis.from_url(url, socket_timeout=1).ping()
    except Exception:  # no Redis here: the ORM broker
        return ""
    return url


def _environment() -> dict:
    """The broker the production configuration would use: Redis when it answers."""
    redis_url = _redis_url()
    return {"BENCH_REDIS_URL": redis_url} if redis_url else {}


def _n(value: float) -> str:
    """A rate as the other sections write numbers: grouped by thousands with a space."""
    return f"{value:,.0f}".replace(",", " ")


def _noisy(values: list[float]) -> bool:
    middle = statistics.median(values)
    return middle > 0 and (max(values) - min(values)) / middle > 0.20


def run(batch: int, rounds: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench import measure
    from lifecycle import services
    from lifecycle.enums import ChallengeState
    from lifecycle.models import Challenge

    world = measure.World()
    needed = batch * len(WAYS) * rounds + 3
    log(f"building {needed} submitted challenges")
    world.grow(needed)
    broker = "redis" if os.environ.get("BENCH_REDIS_URL") else "orm"
    measure._configure(broker, True)
    pks = list(
        Challenge.objects.filter(promotion=world.promotion, state=ChallengeState.SUBMITTED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    manager, reason = world.manager, "Dossier solide."

    def bare_update(chosen):
        started = time.perf_counter()
        for pk in chosen:
            Challenge.objects.filter(pk=pk).update(state=ChallengeState.PRESELECTED)
        return time.perf_counter() - started

    def transition(chosen):
        instances = list(Challenge.objects.filter(pk__in=chosen).order_by("pk"))
        started = time.perf_counter()
        for challenge in instances:
            services.transition(challenge, "preselect", by=manager, reason=reason)
        return time.perf_counter() - started

    def transition_many(chosen):
        instances = list(Challenge.objects.filter(pk__in=chosen).order_by("pk"))
        started = time.perf_counter()
        outcome = services.transition_many(instances, "preselect", by=manager, reason=reason)
        seconds = time.perf_counter() - started
        if outcome.refused or len(outcome.moved) != len(chosen):
            raise RuntimeError(f"the bulk move refused {len(outcome.refused)} challenges")
        return seconds

    functions = {"bare_update": bare_update, "transition": transition, "transition_many": transition_many}
    spare, pks = pks[:3], pks[3:]
    per_second = {way: [] for way in WAYS}
    loads = []
    for round_ in range(rounds):
        for index, way in enumerate(WAYS):
            offset = (round_ * len(WAYS) + index) * batch
            chosen = pks[offset : offset + batch]
            load_start = os.getloadavg()[0]
            seconds = functions[way](chosen)
            loads.append((way, load_start, os.getloadavg()[0]))
            per_second[way].append(len(chosen) / seconds)
        log(f"round {round_ + 1}/{rounds}: " + ", ".join(f"{w} {per_second[w][-1]:.0f}/s" for w in WAYS))
    statements = {}
    for way, chosen in zip(WAYS, ([spare[0]], [spare[1]], spare[2:]), strict=True):
        with CaptureQueriesContext(connection) as captured:
            functions[way](chosen)
        statements[way] = len(captured.captured_queries)
    with CaptureQueriesContext(connection) as captured:
        Challenge.objects.filter(pk__in=spare).update(state=ChallengeState.SUBMITTED)
        services.transition_many(
            list(Challenge.objects.filter(pk__in=spare).order_by("pk")),
            "preselect",
            by=manager,
            reason=reason,
        )
    statements["transition_many_of_3"] = len(captured.captured_queries) - 2  # the reset and the read
    measure._clear_queue()
    return {
        "vendor": connection.vendor,
        "broker": broker,
        "batch": batch,
        "rounds": rounds,
        "per_second": per_second,
        "loads": loads,
        "statements": statements,
    }


def section(result: dict, info: dict) -> str:
    rates = result["per_second"]
    medians = {way: statistics.median(values) for way, values in rates.items()}
    bare = medians["bare_update"]
    loads = result["loads"]
    bulk = medians["transition_many"]
    lines = [
        START,
        "## 8. Bulk moves (`bench/bulk_moves.py`)",
        "",
        f"`preselect` (with a reason) on batches of {result['batch']} challenges of the synthetic world "
        "(4 e-mails a move), "
        f"{'Redis broker' if result['broker'] == 'redis' else 'ORM broker'}, persistent database connection, "
        f"three ways interleaved in {result['rounds']} rounds, each on challenges of its own: per way, the "
        "median of the rounds' rates and their spread (*noisy*: the spread passes 20 % of the median).",
        "",
        "| | |",
        "|---|---|",
        f"| date | {info['date']} |",
        f"| command | `{info['command']}` |",
        f"| database | {result['vendor']} |",
        f"| load average (1 min) | {min(load for _w, load, _e in loads):.1f} to "
        f"{max(max(load, end) for _w, load, end in loads):.1f} over the rounds |",
        f"| machine | {info['nproc']} CPU ({info['cpu']}), Python {info['python']} |",
        "",
        "| way | challenges/s (median) | rounds (min–max) | spread | ÷ bare update (time) | SQL statements |",
        "|---|---:|---:|---|---:|---:|",
    ]
    statements = result["statements"]
    for way in WAYS:
        values = rates[way]
        spread = (max(values) - min(values)) / medians[way]
        count = (
            f"{statements['transition_many_of_3']} for 3"
            if way == "transition_many"
            else f"{statements[way]} for 1"
        )
        lines.append(
            f"| {LABELS[way]} | {_n(medians[way])} | {_n(min(values))}–{_n(max(values))} | "
            f"{spread:.0%}{' (noisy)' if _noisy(values) else ''} | {bare / medians[way]:.1f}× | {count} |"
        )
    verdict = "**met**" if bulk >= TARGET_PER_SECOND else "**missed**"
    lines += [
        "",
        f"Target (issue 15): a bulk move ≥ {_n(TARGET_PER_SECOND)} challenges/s for N = 200: {_n(bulk)}/s, "
        f"{verdict}; {bulk / medians['transition']:.1f}× the moves one by one.",
        END,
    ]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--batch", type=int, default=200, help="challenges per call and per way in a round")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (≥ 3)")
    add_arguments(parser, database="eig_bench_bulk")
    args = parser.parse_args()
    if args.rounds < 3:
        parser.error("at least 3 rounds, for a median and a spread")
    info = {**machine(), "command": command_line("bulk_moves.py", database_url(args))}
    os.environ.update(_environment())
    result = on_throwaway_database(parser, args, lambda: run(args.batch, args.rounds), name="bulk")
    info["date"] = f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC"
    publish(args, section(result, info))


if __name__ == "__main__":
    main()
