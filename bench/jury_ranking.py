"""`make bench`'s jury section: the managers' ranking page and its exports on a full jury.

    .venv/bin/python bench/jury_ranking.py
        # PostgreSQL: creates `eig_bench_jury` at BENCH_PG (default postgres://postgres@127.0.0.1:5432),
        # measures, drops it, and writes its section into docs/benchmarks.md
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/eig_bench_jury_me .venv/bin/python bench/jury_ranking.py
        # that database (created if missing, dropped afterwards only then; never `eig` nor `test_*`)
    .venv/bin/python bench/jury_ranking.py --requests 50 --output /tmp/bench.md --keep

A jury of 30 members in 10 sub-juries of 3 hears 60 pitched challenges (6 each); every collective
grid (the call's 5 criteria, one weighted 2) and every general grid is filled; the same shape at
15 challenges in another promotion, to check that the queries do not grow. Rows are bulk-created
(bench data: no audit events, no e-mail). Then, through Django's test client logged in as a
programme manager (DEBUG off, as in production): the ranking page, the ranking's CSV and XLSX
exports and the raw scores' CSV, each one warm-up request then `--requests` measured ones.
Not a test: nothing fails on a slow figure, each is reported against the target (p95 < 150 ms).
"""

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.throwaway import (  # noqa: E402  (the helpers every bench of its own shares)
    add_arguments,
    command_line,
    database_url,
    log,
    machine,
    on_throwaway_database,
    publish,
)

TARGET_P95_MS = 150
SIZES = (60, 15)  # challenges heard; the promotion numbers below
PROMOTIONS = {60: 95, 15: 96}  # far from the real ones (1 to 3) and from bench/measure.py's (90-92)
MEMBERS, SUB_JURIES = 30, 10
START, END = "<!-- bench/jury_ranking.py: start -->", "<!-- bench/jury_ranking.py: end -->"


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


# The database ------------------------------------------------------------------------------------


# Synthetic data ----------------------------------------------------------------------------------


def build(manager, count: int, number: int) -> dict:
    """Promotion `number` whose jury heard `count` pitched challenges with every grid filled."""
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from accounts.enums import Role
    from accounts.models import Profile
    from jury.enums import MemberKind
    from jury.models import Jury, JuryMember, Opinion, PitchSlot, Score, SubJury
    from lifecycle import criteria
    from lifecycle.enums import AdministrationKind, ChallengeState
    from lifecycle.models import Administration, Call, Challenge, Promotion

    started = time.perf_counter()
    User = get_user_model()
    with transaction.atomic():
        promotion = Promotion.objects.create(number=number, name=f"EIG {number}", year=2026)
        day = timezone.localdate() + dt.timedelta(days=60)
        call = Call.objects.create(
            promotion=promotion,
            submission_deadline=timezone.now() + dt.timedelta(days=30),
            jury_starts_on=day,
            jury_ends_on=day + dt.timedelta(days=1),
        )
        call_criteria = criteria.of_call(call)  # the 2018 call's five, given to a new call
        first = call_criteria[0]
        first.weight = 2
        first.save(update_fields=["weight"])
        administrations = Administration.objects.bulk_create(
            Administration(name=f"Administration du jury {number}-{index}", kind=AdministrationKind.MINISTRY)
            for index in range(20)
        )
        now = timezone.now()
        challenges = Challenge.objects.bulk_create(
            Challenge(
                promotion=promotion,
                administration=administrations[index % len(administrations)],
                name=f"Défi auditionné {number}-{index:03d}",
                state=ChallengeState.PITCHED,
                state_changed_at=now,
                summary="Ouvrir et documenter les données du service",
                problem="Les données sont dispersées.",
                solution="Une plateforme ouverte.",
                cofinancing_requested=True,
                total_employer_cost=150000,
                cofinancing_amount=105000,
            )
            for index in range(count)
        )
        jury = Jury.objects.create(promotion=promotion)
        users = User.objects.bulk_create(
            User(username=f"bench-jure-{number}-{index}", email=f"jure{number}.{index}@example.org")
            for index in range(MEMBERS)
        )
        Profile.objects.bulk_create(Profile(user=user, role=Role.JURY_MEMBER) for user in users)
        members = JuryMember.objects.bulk_create(
            JuryMember(
                jury=jury,
                user=user,
                first_name="Juré",
                last_name=f"n°{index}",
                email=user.email,
                kind=MemberKind.ENTREPRENEUR if index % 2 else MemberKind.PUBLIC_AGENT,
            )
            for index, user in enumerate(users)
        )
        sub_juries = SubJury.objects.bulk_create(
            SubJury(jury=jury, name=f"Sous-jury {index + 1:02d}") for index in range(SUB_JURIES)
        )
        per_sub_jury = MEMBERS // SUB_JURIES
        SubJury.members.through.objects.bulk_create(
            SubJury.members.through(subjury=sub_jury, jurymember=members[index * per_sub_jury + seat])
            for index, sub_jury in enumerate(sub_juries)
            for seat in range(per_sub_jury)
        )
        morning = timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))
        slots, heard_by = [], {}
        for index, challenge in enumerate(challenges):
            group = index % SUB_JURIES
            starts = morning + dt.timedelta(minutes=45 * (index // SUB_JURIES))
            slots.append(
                PitchSlot(
                    challenge=challenge,
                    sub_jury=sub_juries[group],
                    starts_at=starts,
                    ends_at=starts + dt.timedelta(minutes=40),
                    place=f"Salle {group + 1}",
                )
            )
            heard_by.setdefault(group, []).append((challenge, slots[-1]))
        PitchSlot.objects.bulk_create(slots)
        Score.objects.bulk_create(
            Score(
                challenge=challenge,
                criterion=criterion,
                # Sub-juries with a leniency of their own, challenges of varied quality.
                value=1 + (index + rank + group) % 4,
                comment=f"Appréciation du sous-jury sur « {criterion.name} ».",
                updated_at=slot.ends_at,
                updated_by=manager,
            )
            for group, heard in heard_by.items()
            for index, (challenge, slot) in enumerate(heard)
            for rank, criterion in enumerate(call_criteria)
        )
        opinions = []
        for group, heard in heard_by.items():
            for seat in range(per_sub_jury):
                member = members[group * per_sub_jury + seat]
                order = sorted(range(len(heard)), key=lambda i, seat=seat: (i * 7 + seat * 3) % len(heard))
                for preference, position in enumerate(order, start=1):
                    challenge, slot = heard[position]
                    opinions.append(
                        Opinion(
                            member=member,
                            challenge=challenge,
                            favourable=(position + seat) % 3 != 0,
                            preference=preference,
                            explanation="Un défi solide, une équipe impliquée.",
                            favourite=preference == 1 and (position + seat) % 3 != 0,
                            updated_at=slot.ends_at + dt.timedelta(hours=6),
                        )
                    )
        Opinion.objects.bulk_create(opinions)
    return {
        "promotion": number,
        "challenges": count,
        "members": MEMBERS,
        "sub_juries": SUB_JURIES,
        "scores": Score.objects.filter(challenge__promotion=promotion).count(),
        "opinions": len(opinions),
        "seconds": time.perf_counter() - started,
    }


# Measurement -------------------------------------------------------------------------------------


def measure(client, url: str, requests: int) -> dict:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm-up (templates, caches)
    times, cpu, queries, statuses, sizes = [], [], [], set(), set()
    for _ in range(requests):
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            started, processor = time.perf_counter(), time.process_time()
            response = client.get(url)
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - processor)
        queries.append(len(captured.captured_queries))
        statuses.add(response.status_code)
        sizes.add(len(response.content))
    milliseconds = [value * 1000 for value in times]
    return {
        "url": url,
        "requests": requests,
        "status": sorted(statuses),
        "bytes": max(sizes),
        "queries": max(queries),
        "queries_min": min(queries),
        "p50_ms": statistics.median(milliseconds),
        "p95_ms": percentile(milliseconds, 0.95),
        "min_ms": min(milliseconds),
        "max_ms": max(milliseconds),
        "stdev_ms": statistics.stdev(milliseconds) if len(milliseconds) > 1 else 0.0,
        # This process's CPU time alone (Python, templates, the driver's side of the queries): what
        # the request costs whatever else the machine runs.
        "cpu_p50_ms": statistics.median(cpu) * 1000,
    }


def run(requests: int) -> dict:
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from accounts.enums import Role
    from accounts.services import create_user
    from lifecycle.actors import SYSTEM
    from lifecycle.models import Promotion

    if Promotion.objects.filter(number__in=PROMOTIONS.values()).exists():
        sys.exit(f"promotions {sorted(PROMOTIONS.values())} already exist in this database: use a fresh one")
    manager = create_user(
        "bench-jury-manager",
        by=SYSTEM,
        role=Role.PROGRAMME_MANAGER,
        email="bench-jury-manager@example.gouv.fr",
        first_name="Claude",
        last_name="Banc",
    )
    data = {}
    for size in SIZES:
        log(f"building a jury of {MEMBERS} members, {SUB_JURIES} sub-juries, {size} challenges")
        data[size] = build(manager, size, PROMOTIONS[size])
    client = Client()
    client.force_login(manager)
    pages = {
        "ranking page": lambda number: f"{reverse('jury:ranking')}?promotion={number}",
        "ranking export (CSV)": lambda number: (
            f"{reverse('jury:ranking_export', args=['csv'])}?promotion={number}"
        ),
        "ranking export (XLSX)": lambda number: (
            f"{reverse('jury:ranking_export', args=['xlsx'])}?promotion={number}"
        ),
        "raw scores export (CSV)": lambda number: (
            f"{reverse('jury:scores_export', args=['csv'])}?promotion={number}"
        ),
    }
    figures = {}
    for label, url_of in pages.items():
        for size in SIZES:
            log(f"{label}, {size} challenges: {requests} requests")
            load = os.getloadavg()[0]
            figures.setdefault(label, {})[size] = {
                **measure(client, url_of(PROMOTIONS[size]), requests),
                "load": load,
            }
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("show server_version")
            server = cursor.fetchone()[0]
    else:
        import sqlite3

        server = sqlite3.sqlite_version
    return {"vendor": connection.vendor, "server_version": server, "data": data, "pages": figures}


# The report --------------------------------------------------------------------------------------


def _grouped(number: int) -> str:
    return f"{number:,}".replace(",", " ")


def section(result: dict, info: dict) -> str:
    largest, smallest = max(SIZES), min(SIZES)
    data = result["data"][largest]
    lines = [
        START,
        "## 6. The jury's ranking (`bench/jury_ranking.py`)",
        "",
        f"A jury of {data['members']} members in {data['sub_juries']} sub-juries hears {largest} pitched "
        f"challenges ({data['scores']} scores on the call's 5 criteria, one weighted 2; {data['opinions']} "
        f"opinions of the general grids), bulk-created in {data['seconds']:.1f} s; the same jury with "
        f"{smallest} challenges in another promotion checks that the queries do not grow. Django's test "
        "`Client` logged in as a programme manager (DEBUG off), one warm-up request then "
        f"{result['pages']['ranking page'][largest]['requests']} measured ones per page and size; SQL "
        "queries counted with `CaptureQueriesContext` (session and user included).",
        "",
        f"| | |\n|---|---|\n| date | {info['date']} |\n| command | `{info['command']}` |\n"
        f"| database | {result['vendor']} {result['server_version']} |\n"
        f"| load average (1 min) | {info['load_start']:.1f} at the start, "
        f"{info['load_end']:.1f} at the end |\n"
        f"| machine | {info['nproc']} CPU ({info['cpu']}), Python {info['python']} |",
        "",
        "| page | challenges | status | bytes | queries | p50 ms | p95 ms | min–max ms | σ ms | CPU p50 ms "
        "| load "
        f"| target: p95 < {TARGET_P95_MS} ms at {largest}, queries equal at {largest} and {smallest} |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for label, by_size in result["pages"].items():
        constant = by_size[largest]["queries"] == by_size[smallest]["queries"] and all(
            figures["queries"] == figures["queries_min"] for figures in by_size.values()
        )
        for size in SIZES:
            figures = by_size[size]
            target = ""
            if size == largest:
                p95_ok = figures["p95_ms"] < TARGET_P95_MS
                target = (
                    f"p95 {'**met**' if p95_ok else '**missed**'}; queries "
                    f"{by_size[largest]['queries']} = {by_size[smallest]['queries']}: "
                    f"{'**met**' if constant else '**missed**'}"
                )
            lines.append(
                f"| {label} | {size} | {','.join(map(str, figures['status']))} "
                f"| {_grouped(figures['bytes'])} "
                f"| {figures['queries']} | {figures['p50_ms']:.1f} | {figures['p95_ms']:.1f} "
                f"| {figures['min_ms']:.1f}–{figures['max_ms']:.1f} | {figures['stdev_ms']:.1f} "
                f"| {figures['cpu_p50_ms']:.1f} | {figures['load']:.1f} | {target} |"
            )
    lines += [
        "",
        "Load: the machine's 1-minute load average when each series started. The machine is shared "
        f"({info['nproc']} cores, other test suites running): the wall-clock times move with the load, "
        "the CPU time of the bench process (*CPU p50*) and the query counts much less.",
        END,
    ]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=40, help="measured requests per page and size (≥ 30)")
    add_arguments(parser, database="eig_bench_jury")
    args = parser.parse_args()
    if args.requests < 30:
        parser.error("at least 30 requests per page, for a p95")
    info = {
        **machine(),
        "command": command_line("jury_ranking.py", database_url(args)),
        "load_start": os.getloadavg()[0],
    }
    result = on_throwaway_database(parser, args, lambda: run(args.requests), name="jury", static=True)
    info["load_end"] = os.getloadavg()[0]
    info["date"] = f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC"
    raw = Path(tempfile.gettempdir()) / "eig-bench-jury-last.json"
    raw.write_text(json.dumps({"result": result, "info": info}, indent=2, default=str))
    publish(args, section(result, info), raw=raw)


if __name__ == "__main__":
    main()
