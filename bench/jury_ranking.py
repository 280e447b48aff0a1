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
import platform
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_P95_MS = 150
SIZES = (60, 15)  # challenges heard; the promotion numbers below
PROMOTIONS = {60: 95, 15: 96}  # far from the real ones (1 to 3) and from bench/measure.py's (90-92)
MEMBERS, SUB_JURIES = 30, 10
START, END = "<!-- bench/jury_ranking.py: start -->", "<!-- bench/jury_ranking.py: end -->"


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


# The database ------------------------------------------------------------------------------------


def _environment(url: str) -> list[str]:
    """As bench/run.py gives bench/measure.py: production settings (DEBUG off), loopback; the
    bench's own folders for uploads and static files (returned, removed at the end)."""
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_DEBUG"] = "0"
    folders = [
        tempfile.mkdtemp(prefix="eig-bench-jury-media-"),
        tempfile.mkdtemp(prefix="eig-bench-jury-static-"),
    ]
    # DEBUG off serves hashed static files (a manifest): collected there, as `make serve` does.
    os.environ["MEDIA_ROOT"], os.environ["STATIC_ROOT"] = folders
    for name, value in {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "AUDIT_HMAC_KEY": secrets.token_urlsafe(32),
        "DJANGO_ALLOW_SQLITE": "1",
        "DJANGO_SINGLE_PROCESS": "1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_SECURE_COOKIES": "0",
        "Q_QUEUE": "eig-bench-jury",
        "LOG_LEVEL": "ERROR",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    }.items():
        os.environ.setdefault(name, value)
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    return folders


def _pg(url: str):
    """(server URL, database name) of a PostgreSQL URL; None for another database."""
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        return None
    return urlunsplit(parts._replace(path="")), parts.path.lstrip("/")


def _pg_admin(server: str, sql: str):
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def _pg_exists(server: str, name: str) -> bool:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        return conn.execute("select 1 from pg_database where datname = %s", [name]).fetchone() is not None


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


def write_section(path: Path, text: str):
    """Put the section in `path` in place of its previous one, else at the end. The section's first
    and last lines are its markers (each bench's own: the other benches' sections stay)."""
    start, end = text.splitlines()[0], text.splitlines()[-1]
    current = path.read_text() if path.exists() else "# Benchmarks\n"
    if start in current and end in current:
        before, rest = current.split(start, 1)
        after = rest.split(end, 1)[1]
        current = before + text + after
    else:
        current = current.rstrip("\n") + "\n\n" + text + "\n"
    path.write_text(current)


def machine() -> dict:
    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return {"nproc": os.cpu_count(), "cpu": cpu, "python": platform.python_version()}


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=40, help="measured requests per page and size (≥ 30)")
    parser.add_argument("--pg", default=os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--pg-database", default="eig_bench_jury")
    parser.add_argument("--output", default=str(ROOT / "docs" / "benchmarks.md"), help="'-': stdout only")
    parser.add_argument("--keep", action="store_true", help="do not drop a database this run created")
    args = parser.parse_args()
    if args.requests < 30:
        parser.error("at least 30 requests per page, for a p95")
    url = os.environ.get("DATABASE_URL") or f"{args.pg}/{args.pg_database}"
    pg = _pg(url)
    name = pg[1] if pg else ""
    if pg and (name == "eig" or name.startswith("test")):
        parser.error("the bench database must not be `eig` nor `test_*`")
    created = False
    if pg and not _pg_exists(*pg):
        log(f"creating the database {name}")
        _pg_admin(pg[0], f'CREATE DATABASE "{name}"')
        created = True
    command = "python bench/jury_ranking.py" + ("" if len(sys.argv) == 1 else " " + " ".join(sys.argv[1:]))
    if os.environ.get("DATABASE_URL"):
        command = f"DATABASE_URL={url} {command}"
    info = {**machine(), "command": command, "load_start": os.getloadavg()[0]}
    folders = _environment(url)
    try:
        import django

        django.setup()
        from django.core.management import call_command

        log(f"migrating {name or url}")
        call_command("migrate", "--noinput", verbosity=0)
        call_command("collectstatic", "--noinput", verbosity=0)
        result = run(args.requests)
        from django.db import connections

        connections.close_all()
    finally:
        for folder in folders:
            shutil.rmtree(folder, ignore_errors=True)
        if created and not args.keep:
            log(f"dropping the database {name}")
            _pg_admin(pg[0], f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    info["load_end"] = os.getloadavg()[0]
    info["date"] = f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC"
    raw = Path(tempfile.gettempdir()) / "eig-bench-jury-last.json"
    raw.write_text(json.dumps({"result": result, "info": info}, indent=2, default=str))
    text = section(result, info)
    print(text)
    if args.output != "-":
        write_section(Path(args.output), text)
        log(f"wrote its section into {args.output} (raw figures: {raw})")


if __name__ == "__main__":
    main()
