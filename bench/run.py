"""`make bench`: measure the engine side by side in one run and write docs/benchmarks.md.

    .venv/bin/python bench/run.py            # PostgreSQL N = 1,000 / 10,000 / 100,000; SQLite 1,000 / 10,000
    .venv/bin/python bench/run.py --quick    # small sizes, a couple of minutes
    .venv/bin/python bench/run.py --no-sqlite --output /tmp/bench.md

Creates its own databases (PostgreSQL `eig_bench` at BENCH_PG, default
postgres://postgres@127.0.0.1:5432; a SQLite file in a temporary folder), migrates them, runs
bench/measure.py in one process per database, then drops them. Never touches `eig` or `test_*`.
Benchmarks are not tests: nothing here fails on a slow figure, it reports it against the target.
"""

import argparse
import datetime as dt
import json
import os
import platform
import secrets
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

TARGETS = {
    "ratio": 3.0,  # a transition costs at most 3x the bare update (issue 15)
    "transitions": 300,  # per second on PostgreSQL (issue 6)
    "round_trips": 5,  # statements inside one move's transaction (issue 15)
    "broker_calls": 1,  # calls to the broker after it
    "p95_ms": 100,  # every page at 100,000 challenges and 2 million events (issue 15)
    "delivery_ratio": 0.5,  # at least half the speed of raw smtplib
    "verify_ratio": 0.85,  # of hashing alone, in one process (issue 15)
    "import": 1_000,  # rows per second
    "ds": 1_000,  # DS dossiers per second, DS's own time left out
}
NOISY = 0.20  # a spread of the rounds above this: the figure is marked noisy


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def run(command, env, **kwargs):
    return subprocess.run(command, cwd=ROOT, env=env, check=True, **kwargs)


def machine() -> dict:
    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory = ""
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal"):
            memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    import django

    return {
        "nproc": os.cpu_count(),
        "memory": memory,
        "cpu": cpu,
        "python": platform.python_version(),
        "django": django.get_version(),
        "kernel": platform.release(),
    }


def pg_admin(sql: str, base: str):
    import psycopg

    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def production_env(**more) -> dict:
    """The environment of the bench's processes: the production settings, on loopback."""
    env = os.environ.copy()
    env.update(
        {
            # As in production: DEBUG off (no query log, no debug templates).
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "AUDIT_HMAC_KEY": secrets.token_urlsafe(32),
            # Loopback, one process per measurement, over plain HTTP.
            "DJANGO_ALLOW_SQLITE": "1",
            "DJANGO_SINGLE_PROCESS": "1",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_SECURE_COOKIES": "0",
            "Q_QUEUE": "eig-bench",
            "LOG_LEVEL": "ERROR",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            **more,
        }
    )
    env.pop("REDIS_URL", None)
    return env


def measure_database(label, url, sizes, args, static_root, extra_skip=()):
    env = production_env(
        DATABASE_URL=url,
        MEDIA_ROOT=tempfile.mkdtemp(prefix="eig-bench-media-"),
        # The pages' static files as production serves them (the manifest, `collected`).
        STATIC_ROOT=static_root,
    )
    if args.redis:
        env["BENCH_REDIS_URL"] = args.redis
    log(f"{label}: migrate")
    run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env)
    output = Path(tempfile.mkstemp(prefix=f"eig-bench-{label}-", suffix=".json")[1])
    skip = ",".join([*args.skip, *extra_skip])
    command = [
        PYTHON,
        "bench/measure.py",
        "--sizes",
        ",".join(map(str, sizes)),
        "--transitions",
        str(args.transitions),
        "--requests",
        str(args.requests),
        "--verify-events",
        str(args.verify_events),
        "--import-rows",
        str(args.import_rows),
        "--ds-dossiers",
        str(args.ds_dossiers),
        "--messages",
        str(args.messages),
        "--cluster-messages",
        str(args.cluster_messages),
        "--output",
        str(output),
    ]
    if skip:
        command += ["--skip", skip]
    log(f"{label}: " + " ".join(command[1:]))
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env)
    result = json.loads(output.read_text()) if output.exists() and output.stat().st_size else {}
    result["returncode"] = done.returncode
    result["wall_seconds"] = time.perf_counter() - started
    output.unlink(missing_ok=True)
    shutil.rmtree(env["MEDIA_ROOT"], ignore_errors=True)
    return result


# Markdown ----------------------------------------------------------------------------------------


def collected(static_root: str):
    """The static files collected once for the databases' runs (a fresh clone has none; the
    pages ask for the manifest's names, as in production)."""
    env = production_env(STATIC_ROOT=static_root)  # DEBUG off: the storage that writes the manifest
    log("collectstatic")
    run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], env)


def fmt(value, digits=0):
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}".replace(",", " ")
    if isinstance(value, int):
        return f"{value:,}".replace(",", " ")
    return str(value)


def verdict(ok: bool) -> str:
    return "**met**" if ok else "**missed**"


def spread(value) -> str:
    """A spread of the rounds, marked when it passes NOISY."""
    if value is None:
        return "–"
    return f"{value:.0%}" + (" **noisy**" if value > NOISY else "")


def load(pair) -> str:
    pair = pair or [None, None]
    return f"{fmt(pair[0], 1)}→{fmt(pair[1], 1)}"


SERVICE_LABELS = {
    "service_orm_default": "`transition()`, ORM broker, `DATABASE_CONN_MAX_AGE=0` (the defaults)",
    "service_orm_persistent": "`transition()`, ORM broker, persistent connection",
    "service_redis_persistent": "`transition()`, Redis broker, persistent connection (production)",
    "service_core_only": "`transition()` with no receivers: no outbox, no mentoring (**)",
}


def way_row(label, size, way, figures, vs_update, vs_fsm, rows, load_text="", target="") -> str:
    """A row of the transitions' table: one way of moving, at one size."""
    versus_fsm = "" if vs_fsm is None else f"{vs_fsm:.1f}×"
    outbox = fmt(rows) if isinstance(rows, int) else f"{rows:.1f}"
    return (
        f"| {label} | {fmt(int(size))} | {way} | {figures['count']} | {fmt(figures['per_second'])} "
        f"| {spread(figures.get('spread'))} | {vs_update:.1f}× | {versus_fsm} | {outbox} "
        f"| {load_text} | {target} |"
    )


def transitions_section(results) -> list[str]:
    lines = [
        "## 1. Transitions",
        "",
        "`preselect` (submitted → preselected, with a reason) on challenges loaded beforehand, "
        "each way on its own challenges, interleaved in 3 rounds in one process, autocommit (one "
        "transaction per move): a bare `Challenge.objects.filter(pk=…).update(state=…)`; "
        "django-fsm-2's `challenge.preselect(); challenge.save()`; `lifecycle.services.transition` "
        "(row lock, rights, guards, audit hash chain, the outbox rows written through "
        "`transition_applied`, their django-q2 tasks enqueued on commit, `transition_committed`) "
        "in three configurations of the task broker and of the database connection, and in a "
        "diagnostic variant marked (**). moves/s: the median of the rounds; ÷ bare update: the "
        "median of the rounds' ratios (each round side by side); spread: (max − min) / median of "
        "the rounds' rates, **noisy** above 20 %; load: the 1-minute load average before and after.",
        "",
        "| database | N | way | moves | moves/s | spread | ÷ bare update | ÷ fsm + save() "
        "| outbox rows / move | load | target ≤ 3× (PostgreSQL) |",
        "|---|---:|---|---:|---:|---|---:|---:|---:|---|---|",
    ]
    notes = []
    for label, result in results.items():
        for size, entry in result.get("sizes", {}).items():
            t = entry.get("transitions")
            if not t:
                continue
            update, fsm = t["bare_update"], t["fsm_save"]
            lines.append(way_row(label, size, "bare `update()`", update, 1.0, None, 0, load(t.get("load"))))
            lines.append(
                way_row(label, size, "fsm `preselect()` + `save()`", fsm, t["ratio_fsm_vs_update"], 1.0, 0)
            )
            trips = t.get("round_trips")
            if trips:
                verbs = ", ".join(f"{count} {verb}" for verb, count in trips["inside_by_verb"].items())
                notes.append(
                    f"{label}, N = {fmt(int(size))}: one move in the production configuration sends "
                    f"**{trips['inside']} statements inside its transaction** ({verbs}; target ≤ "
                    f"{TARGETS['round_trips']}: {verdict(trips['inside'] <= TARGETS['round_trips'])}), "
                    f"{trips['after']} after its commit, and calls the broker "
                    f"**{trips['broker_calls']}** time(s) (target {TARGETS['broker_calls']}: "
                    f"{verdict(trips['broker_calls'] <= TARGETS['broker_calls'])})."
                )
            queries = t.get("queries")
            if queries:
                verbs = ", ".join(f"{count} {verb}" for verb, count in queries["service_orm_by_verb"].items())
                notes.append(
                    f"{label}, N = {fmt(int(size))}: one `transition()` (ORM broker) sends "
                    f"{queries['service_orm']} SQL statements ({verbs}); the bare update sends "
                    f"{queries['bare_update']}."
                )
            for key, title in SERVICE_LABELS.items():
                figures = t.get(key)
                if not figures:
                    continue
                ratio, target = figures["ratio_vs_update"], ""
                if label == "postgresql" and key == "service_redis_persistent":
                    target = verdict(ratio <= TARGETS["ratio"])
                rows = 0 if key == "service_core_only" else t["notifications_per_transition"]
                lines.append(
                    way_row(label, size, title, figures, ratio, figures["ratio_vs_fsm"], rows, target=target)
                )
    lines += ["", *[f"- {note}" for note in notes]]
    lines += [
        "",
        "(**) not the code as it runs either: the receivers of `transition_applied` and "
        "`transition_committed` (the notification outbox, mentoring) are disconnected for these "
        "moves, to show the cost of the core alone (lock, rights, guards, state, audit chain).",
    ]
    return lines


def pages_section(results) -> list[str]:
    lines = [
        "## 2. Back-office pages",
        "",
        "Django's test `Client`, logged in as a programme manager, one warm-up request then the "
        "measured ones in 3 interleaved rounds (every page, then every page again), at the largest "
        "size as many as `--requests` per round, a third as many below it; SQL queries "
        "counted with `CaptureQueriesContext` (max over the requests; the session and user lookups "
        "included). Time is the whole request through the middleware and the template, in the "
        "bench process. Spread: of the rounds' p95. The deep pages: the list's page three quarters "
        "down (its keys first, `web.pagination`), the audit's events older than the middle one "
        "(by key, `backoffice/views/audit.py`).",
        "",
        "| database | page | N | status | bytes | queries | p50 ms | p95 ms | spread | load "
        "| target: queries constant, p95 < 100 ms at 100 000 |",
        "|---|---|---:|---|---:|---:|---:|---:|---|---|---|",
    ]
    plans = []
    for label, result in results.items():
        by_page: dict[str, list] = {}
        for size, entry in result.get("sizes", {}).items():
            for page, figures in (entry.get("pages") or {}).items():
                deep = page.startswith("challenges, page")
                name = "challenges, a page three quarters down" if deep else page
                by_page.setdefault(name, []).append((int(size), figures, entry.get("pages_load")))
        for page, rows in by_page.items():
            counts = [figures["queries"] for _size, figures, _load in rows]
            constant = max(counts) == min(counts)
            for size, figures, pages_load in sorted(rows, key=lambda row: row[0]):
                target = f"queries {'constant' if constant else 'grow with N'}"
                if size >= 100_000:
                    target += f"; p95 {verdict(figures['p95_ms'] < TARGETS['p95_ms'])}"
                lines.append(
                    f"| {label} | {page} | {fmt(size)} | {','.join(map(str, figures['status']))} "
                    f"| {fmt(figures['bytes'])} | {figures['queries']} | {figures['p50_ms']:.1f} "
                    f"| {figures['p95_ms']:.1f} | {spread(figures.get('spread'))} | {load(pages_load)} "
                    f"| {target} |"
                )
                slowest = figures.get("slowest_query")
                if slowest:
                    plans += [
                        f"**{page}** (`{figures['url']}`), N = {fmt(size)}: its slowest query took "
                        f"{slowest['ms']:.1f} ms.",
                        "",
                        "```sql",
                        slowest["sql"][:1500],
                        "```",
                        "",
                        "```",
                        *slowest["plan"][:30],
                        "```",
                        "",
                    ]
    if plans:
        lines += [
            "",
            "### The heaviest query of each page (PostgreSQL, the largest size)",
            "",
            "`EXPLAIN (ANALYZE, BUFFERS)` of the slowest query the page sent during the measured "
            "requests, run again after them.",
            "",
            *plans,
        ]
    return lines


def delivery_section(results) -> list[str]:
    lines = []
    for label, result in results.items():
        d = result.get("delivery")
        if not d:
            continue
        raw = d["raw_smtplib"]["per_second"]
        lines += [
            "## 3. Delivery of notifications",
            "",
            f"Outbox rows (bulk-created, pending) delivered to an `aiosmtpd` server started by the "
            f"bench on a free loopback port ({label}); raw `smtplib` sends the same messages "
            "(subject, body, Message-ID and idempotency headers) over one connection. Cluster: the "
            "tasks are first enqueued by `notifications.outbox.enqueue` (one "
            "`notifications.tasks.deliver_many` task per 50 messages) from another process, then "
            "`manage.py qcluster` starts with `Q_WORKERS=2`; the clock runs from the cluster's "
            "start (its start-up included) until every message is sent or the time limit. The "
            "one-minute sweep schedule is held back during the cluster runs, so that the figure is "
            "the per-task path's.",
            "",
            f"Raw `smtplib` and the sweep: interleaved in {d.get('rounds', 1)} rounds of the same "
            "number of messages; each cluster run is repeated as many times, ORM and Redis in turn "
            f"(medians; spread of the rounds' rates). Load over the section: {load(d.get('load'))}.",
            "",
            "| path | messages sent | seconds | messages/s | spread | ÷ raw smtplib | target ≥ 0.5 |",
            "|---|---:|---:|---:|---|---:|---|",
            f"| raw `smtplib`, one connection | {fmt(d['raw_smtplib'].get('messages', d['messages']))} "
            f"| {d['raw_smtplib']['seconds']:.1f} | {fmt(raw)} | {spread(d['raw_smtplib'].get('spread'))} "
            "| 1.00 | |",
        ]
        paths = [
            ("send_due", "`delivery.send_due()` (the sweep), one reused connection, one process"),
            (
                "deliver_in_process",
                "`delivery.deliver(id)` in a loop, a new SMTP connection each, one process",
            ),
            ("cluster_orm", "django-q2 cluster, 2 workers, ORM broker, one task per 50 messages"),
            ("cluster_redis", "django-q2 cluster, 2 workers, Redis broker, one task per 50 messages"),
        ]
        for key, title in paths:
            figures = d.get(key)
            if not figures:
                continue
            if "error" in figures:
                lines.append(f"| {title} | failed: {figures['error'][:200]} | | | | |")
                continue
            sent = figures.get("sent", figures.get("messages", d["messages"]))
            note = ""
            if "enqueue_seconds" in figures:
                note = (
                    f" (enqueueing {fmt(figures['messages'])} tasks took {figures['enqueue_seconds']:.1f} s"
                )
                note += ")" if figures["complete"] else f"; stopped after {figures['seconds']:.0f} s)"
            if figures.get("rounds") and figures["rounds"] < d.get("rounds", 1):
                note += f" ({figures['rounds']} of {d['rounds']} runs)"
            ratio = figures.get("ratio") or figures["per_second"] / raw
            lines.append(
                f"| {title}{note} | {fmt(sent)} | {figures['seconds']:.1f} | {fmt(figures['per_second'])} "
                f"| {spread(figures.get('spread'))} | {ratio:.2f} "
                f"| {verdict(ratio >= TARGETS['delivery_ratio'])} |"
            )
    return lines


def verify_section(results) -> list[str]:
    target = 0.85  # of hashing alone, in one process (issue 15)
    lines = [
        "## 4. Audit verification",
        "",
        "`lifecycle.audit.verify()` over the whole chain, in the bench process, when the synthetic "
        "data first reaches the wanted number of events: in one process (`workers=1`), then with "
        "one worker process per CPU (the chain cut into parts by id, each part's first link checked "
        "against the part before), then `manage.py audit verify` (process start-up included, one "
        "worker per CPU). *Hashing alone*: the canonical JSON and HMAC-SHA256 of 100 000 events "
        "already in memory, no database: the ceiling of one process on this machine. The three are "
        "interleaved, several rounds: medians, each ratio the median of the rounds' (same round), "
        "the spread (max − min) / median; load: the 1-minute load average before and after.",
        "",
        "| database | events | intact | one process, events/s | ÷ hashing alone "
        "| workers, events/s | ÷ hashing alone | hashing alone, events/s | `manage.py audit verify` s "
        "| spread (one / workers / hashing) | load | target ≥ 0.85 in one process |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---|---|---|",
    ]
    for label, result in results.items():
        v = result.get("verify")
        if not v:
            continue
        command = v.get("command", {})
        spread = v.get("spread", {})
        noisy = any(value > 0.2 for value in spread.values())
        spreads = " / ".join(
            f"{spread[name]:.0%}" if name in spread else "–" for name in ("sequential", "parallel", "hashing")
        )
        load = v.get("load") or [None, None]
        ratio = v.get("ratio")
        lines.append(
            f"| {label} | {fmt(v['events'])} | {'yes' if v['intact'] else 'NO: ' + v['problem']} "
            f"| {fmt(v['per_second'])} | {fmt(ratio, 2)} "
            f"| {fmt(v.get('parallel_per_second'))} ({v.get('workers', '–')}) "
            f"| {fmt(v.get('parallel_ratio'), 2)} "
            f"| {fmt(v.get('hash_only_per_second'))} | {command.get('seconds', 0):.1f} "
            f"| {spreads}{' **noisy**' if noisy else ''} | {fmt(load[0], 1)}→{fmt(load[1], 1)} "
            f"| {verdict(ratio is not None and ratio >= target)} |"
        )
    return lines


def import_section(results) -> list[str]:
    lines = [
        "## 5. Import",
        "",
        "A YAML of new challenges shaped like `lifecycle/data/eig-defis-2017-2019.yml` (200 new "
        "administrations, 1-3 EIG positions each; as many rows as a file may hold, "
        "`importing.readers.MAX_RECORDS`): `manage.py import_challenges FILE` (process "
        "start-up included), then `importing.read_records` + `validate` + `write` in the bench "
        "process on a second file of the same size (its CPU time beside it; load: the 1-minute "
        "load average before and after); the two interleaved in 3 rounds, medians.",
        "",
        "| database | rows | command s | command rows/s | spread | library s (read / validate / write) "
        "| library CPU s | library rows/s | spread | load | target ≥ 1 000/s |",
        "|---|---:|---:|---:|---|---:|---:|---:|---|---|---|",
    ]
    for label, result in results.items():
        i = result.get("import")
        if not i:
            continue
        write_seconds = i["library_seconds"] - i["read_seconds"] - i["validate_seconds"]
        load = i.get("load") or [None, None]
        outcome = (
            verdict(i["per_second"] >= TARGETS["import"])
            if i["returncode"] == 0
            else f"command failed: {' '.join(i['output'])}"
        )
        lines.append(
            f"| {label} | {fmt(i['rows'])} | {i['seconds']:.1f} | {fmt(i['per_second'])} "
            f"| {spread(i.get('spread'))} "
            f"| {i['library_seconds']:.1f} ({i['read_seconds']:.1f} / {i['validate_seconds']:.1f} "
            f"/ {write_seconds:.1f}) | {fmt(i.get('library_cpu_seconds'), 1)} "
            f"| {fmt(i['library_per_second'])} | {spread(i.get('library_spread'))} "
            f"| {fmt(load[0], 1)}→{fmt(load[1], 1)} | {outcome} |"
        )
    return lines


def ds_section(results) -> list[str]:
    lines = [
        "## 9. Dossiers from démarches-simplifiées (`bench/ds_sync.py`)",
        "",
        "A démarche of N dossiers (the programme's real challenges: long "
        "descriptions, 2 EIG positions, a team member and an HR contact each) served by DS on "
        "loopback (`demarches/fake.py`, its own process, executing DS's schema with graphql-core), "
        "synced three times: the first creates every dossier; the second starts from the stored "
        "cursor; the third reads the whole démarche again (cursor forgotten) and finds every "
        "dossier unchanged. Rates count the sync's own time: the time waiting for DS's answers "
        "(the server's execution and the loopback, `DsClient.waited`) is left out. Memory: the "
        "process's resident size at a tenth of the pages and at the last (flat: a page at a time). "
        "The file import's rate of the same run (section 5) beside it.",
        "",
        "| database | dossiers | pass | total s | DS s | own s | dossiers/s (own) | created / unchanged "
        "| events written | memory MB (tenth → end) | file import rows/s (library) | target ≥ 1 000/s |",
        "|---|---:|---|---:|---:|---:|---:|---|---:|---|---:|---|",
    ]
    for label, result in results.items():
        d = result.get("ds")
        if not d:
            continue
        library = (result.get("import") or {}).get("library_per_second")
        for name, figures in d["passes"].items():
            first = name == "first"
            outcome = (
                verdict((figures["per_second"] or 0) >= TARGETS["ds"])
                if first
                else ("changes nothing" if figures["created"] == figures["updated"] == 0 else "wrote")
            )
            memory = f"{fmt(d['memory_at_tenth_mb'])} → {fmt(d['memory_at_end_mb'])}" if first else ""
            lines.append(
                f"| {label} | {fmt(d['dossiers'])} | {name} | {figures['seconds']:.1f} "
                f"| {figures['ds_seconds']:.1f} | {figures['own_seconds']:.2f} "
                f"| {fmt(figures['per_second'])} "
                f"| {figures['created']} / {figures['unchanged']} | {figures['events_written']} | {memory} "
                f"| {fmt(library) if first else ''} | {outcome} |"
            )
    return lines


def generation_section(results) -> list[str]:
    lines = [
        "## Synthetic data",
        "",
        "Challenges bulk-created in the `submitted` state (2 mentors and 2 EIG positions each; 50 "
        "administrations with one contact account), with 20 audit events each (created, 18 dossier "
        "changes, submit) chained by `lifecycle.audit.record_many` in chunks of 2 000 "
        "challenges, so the hash chain stays valid (checked by section 4); on PostgreSQL the rows "
        "are written with COPY (`lifecycle/bulk.py`: the models' own instances and the chain's "
        "own values, streamed instead of `bulk_create`'s compiled inserts). Each size adds to the "
        "previous one, plus the challenges the transition benchmark consumes. Then, on PostgreSQL, "
        "`VACUUM (ANALYZE)`, what autovacuum does after such a load (statistics and visibility maps; "
        "without them the planner takes 50 rows for 100 000).",
        "",
        "| database | N | challenges | audit events | generation s (this step) | challenges/s "
        "| `VACUUM (ANALYZE)` s |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for label, result in results.items():
        for size, entry in result.get("sizes", {}).items():
            g = entry["generation"]
            speed = g["challenges_added"] / g["seconds"] if g["seconds"] else 0
            lines.append(
                f"| {label} | {fmt(int(size))} | {fmt(entry['challenges'])} | {fmt(entry['audit_events'])} "
                f"| {g['seconds']:.1f} | {fmt(speed)} | {fmt(g.get('settle_seconds'), 1)} |"
            )
    return lines


def summary_section(results) -> list[str]:
    """One line per target of issue 15, from the PostgreSQL figures at the largest size."""
    pg = results.get("postgresql") or {}
    sizes = pg.get("sizes", {})
    lines = [
        "## Targets (PostgreSQL)",
        "",
        "The bulk moves' target (≥ 1 000 challenges/s for N = 200) is measured by "
        "`bench/bulk_moves.py`, section 8.",
        "",
        "| target | measured | verdict |",
        "|---|---|---|",
    ]
    if sizes:
        largest = max(sizes, key=int)
        t = sizes[largest].get("transitions")
        if t:
            key = "service_redis_persistent" if "service_redis_persistent" in t else "service_orm_persistent"
            figures = t[key]
            lines.append(
                f"| one move ≤ 3× the bare update (N = {fmt(int(largest))}, {SERVICE_LABELS[key]}) "
                f"| {figures['ratio_vs_update']:.1f}× (spread {spread(figures.get('ratio_spread'))}; "
                f"{fmt(figures['per_second'])} moves/s; core alone, no receivers: "
                f"{t.get('service_core_only', {}).get('ratio_vs_update', 0):.1f}×) "
                f"| {verdict(figures['ratio_vs_update'] <= TARGETS['ratio'])} |"
            )
            trips = t.get("round_trips")
            if trips:
                lines.append(
                    f"| one move: ≤ {TARGETS['round_trips']} statements inside its transaction, "
                    f"{TARGETS['broker_calls']} broker call after it "
                    f"| {trips['inside']} statements, {trips['broker_calls']} broker call(s) "
                    f"| {verdict(trips['inside'] <= TARGETS['round_trips'])}, "
                    f"{verdict(trips['broker_calls'] <= TARGETS['broker_calls'])} |"
                )
        pages: dict[str, dict] = {}
        for size, entry in sizes.items():
            for page, figures in (entry.get("pages") or {}).items():
                name = (
                    "challenges, a page three quarters down" if page.startswith("challenges, page") else page
                )
                pages.setdefault(name, {})[int(size)] = figures
        for page, by_size in pages.items():
            counts = [by_size[size]["queries"] for size in sorted(by_size)]
            top = max(by_size)
            p95 = by_size[top]["p95_ms"]
            at_scale = verdict(p95 < TARGETS["p95_ms"]) if top >= 100_000 else "not measured at 100 000"
            lines.append(
                f"| {page}: queries constant, p95 < {TARGETS['p95_ms']} ms at N = {fmt(top)} "
                f"| {' → '.join(map(str, counts))} queries; {p95:.0f} ms "
                f"(spread {spread(by_size[top].get('spread'))}) "
                f"| {verdict(max(counts) == min(counts))}, {at_scale} |"
            )
    v = pg.get("verify")
    if v and v.get("ratio") is not None:
        lines.append(
            f"| audit verify ≥ {TARGETS['verify_ratio']} of hashing alone, one process "
            f"| {v['ratio']:.2f} ({fmt(v['per_second'])}/s vs {fmt(v.get('hash_only_per_second'))}/s, "
            f"{fmt(v['events'])} events; {v.get('workers', '–')} workers: "
            f"{fmt(v.get('parallel_per_second'))}/s) | {verdict(v['ratio'] >= TARGETS['verify_ratio'])} |"
        )
    i = pg.get("import")
    if i:
        lines.append(
            f"| import ≥ 1 000 rows/s | {fmt(i['per_second'])}/s (`manage.py import_challenges`, "
            f"{fmt(i['rows'])} rows; library: {fmt(i['library_per_second'])}/s) "
            f"| {verdict(i['per_second'] >= TARGETS['import'])} |"
        )
    ds = (pg.get("ds") or {}).get("passes")
    if ds:
        first, second = ds["first"], ds["second"]
        lines.append(
            f"| DS sync ≥ 1 000 dossiers/s, DS's own time left out; the second sync changes nothing "
            f"| {fmt(first['per_second'])}/s ({fmt(pg['ds']['dossiers'])} dossiers); second: "
            f"{second['created']} created, {second['updated']} updated, {second['events_written']} event "
            f"| {verdict((first['per_second'] or 0) >= TARGETS['ds'])}, "
            f"{verdict(second['created'] == second['updated'] == 0)} |"
        )
    d = pg.get("delivery")
    if d:
        raw = d["raw_smtplib"]["per_second"]
        for key in ("cluster_redis", "cluster_orm"):
            if key in d and "error" not in d[key]:
                ratio = d[key].get("ratio") or d[key]["per_second"] / raw
                lines.append(
                    f"| delivery ≥ ½ raw smtplib ({key.replace('_', ', ')} broker, 2 workers) "
                    f"| {fmt(d[key]['per_second'])}/s vs {fmt(raw)}/s = {ratio:.2f} "
                    f"| {verdict(ratio >= TARGETS['delivery_ratio'])} |"
                )
        if "send_due" in d:
            ratio = d["send_due"].get("ratio") or d["send_due"]["per_second"] / raw
            lines.append(
                f"| (the sweep `send_due`, one connection) "
                f"| {fmt(d['send_due']['per_second'])}/s = {ratio:.2f} "
                f"| {verdict(ratio >= TARGETS['delivery_ratio'])} |"
            )
    return lines


READING = [
    "## Reading the figures",
    "",
    "- The machine is shared: other engineers' test suites may run on the same 2 cores during the "
    "bench; each section gives the 1-minute load average before and after it, and the spread of "
    "its rounds (**noisy** above 20 %). Absolute figures move with the load; the ratios, measured "
    "side by side in one process and interleaved in rounds, are the sturdier figures.",
    "- One move: a bare update is one statement and no Python beyond the ORM's compiling of it; "
    "`transition()` sends ten statements inside its transaction (the note under the table lists "
    "them: the row lock, the state, the chain head's lock, the event, the author's name kept "
    "apart, the head's update, the mentors, the contacts, the message's text, the e-mails in one "
    "insert) and, after the commit, one query for the e-mails to hand over, one broker call, the "
    "mentoring receiver. Its time is mostly Python, not waiting on PostgreSQL: a profile of 30 "
    "moves (cProfile, `bench/measure.py`'s world) gives about 1 ms per statement for the ORM to "
    "compile and bind it, the hash chain's HMAC and canonical JSON, the e-mail's rendering, and "
    "the signals' receivers. Five statements would need the write (state, event, personal row, "
    "head, e-mails) as one statement built before it, which the outbox's receiver of "
    "`transition_applied`, writing after the event exists, does not allow today.",
    "- With the defaults (ORM broker, `DATABASE_CONN_MAX_AGE=0`), django-q2's ORM broker calls "
    "`close_old_connections()` before each enqueue made outside a transaction, which closes the "
    "connection when its maximum age is 0: every move's enqueue costs a new PostgreSQL "
    "connection. Setting `DATABASE_CONN_MAX_AGE` (e.g. 60) or using Redis removes it. Each "
    "process keeps one broker (`triggers.queue.broker`): django-q2 builds a new one, with "
    "Redis a new client, at every `async_task` not given one.",
    "- Delivery through the cluster: each task (50 messages at most) is pickled, signed, written to "
    "the broker, fetched by a worker, its result saved in `django_q_task`; `deliver_many()` "
    "claims each row, reads it, sends it over one SMTP connection and saves the outcome. Raw "
    "`smtplib` only writes to an open socket. The cluster's start-up is inside its time. The same "
    "`aiosmtpd` server (a thread of the bench process, competing for the same cores) receives "
    "every path.",
    "- Pages: the list reads a page's keys off an index first (`web.pagination.KeysFirstPaginator`), "
    "then its 25 rows; the audit review goes by key and counts up to 1 000; what is left of their "
    "time is mostly the template's rendering in Python (the plans below show the queries' part).",
    "- Audit verification reads rows as tuples in chunks by id, a thread reading the next chunk "
    "while this one is checked; *hashing alone* is the canonical JSON and HMAC of rows already in "
    "memory. What stands between them is psycopg building each row's Python tuple (15 columns) "
    "and decoding the JSON columns: with two cores, the worker processes and PostgreSQL's own "
    "compete for them.",
    "",
]


def write_markdown(path: Path, results, info, command, seconds, notes):
    pg = results.get("postgresql", {}).get("server_version", "–")
    sqlite = results.get("sqlite", {}).get("server_version", "–")
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`bench/run.py`); figures measured side by side in one run. Not "
        "tests: nothing fails on a slow figure, each is compared with the targets of issue 15 "
        "(issue 6's before it).",
        "",
        "| | |",
        "|---|---|",
        f"| date | {info['date']} |",
        f"| command | `{command}` |",
        f"| run time | {seconds / 60:.1f} min |",
        f"| load average (1 min) | {info['load_start']:.1f} at the start, "
        f"{info['load_end']:.1f} at the end |",
        f"| machine | {info['nproc']} CPU ({info['cpu']}), {info['memory']} RAM, Linux {info['kernel']} |",
        f"| software | Python {info['python']}, Django {info['django']}, PostgreSQL {pg} "
        f"(127.0.0.1, same machine), SQLite {sqlite} |",
        "",
    ]
    for section in (
        summary_section,
        transitions_section,
        pages_section,
        delivery_section,
        verify_section,
        import_section,
        ds_section,
        generation_section,
    ):
        lines += [*section(results), ""]
    lines += READING
    if notes:
        lines += ["## Notes", "", *[f"- {note}" for note in notes], ""]
    path.write_text("\n".join(lines))


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="N = 200 / 1,000; fewer messages and events")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--no-postgresql", action="store_true")
    parser.add_argument("--sizes", help="PostgreSQL sizes, e.g. 1000,10000,100000")
    parser.add_argument("--sqlite-sizes", help="SQLite sizes (default 1000,10000)")
    parser.add_argument("--skip", default="", help="transitions,pages,verify,import,ds,delivery")
    parser.add_argument("--output", default=str(ROOT / "docs" / "benchmarks.md"))
    parser.add_argument("--pg", default=os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--pg-database", default="eig_bench")
    parser.add_argument("--redis", default=os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/15"))
    parser.add_argument("--keep", action="store_true", help="do not drop the bench databases")
    parser.add_argument("--render", metavar="RAW.json", help="write the page again from a run's raw figures")
    args = parser.parse_args()
    if args.render:
        raw = json.loads(Path(args.render).read_text())
        if "results" not in raw:  # the figures alone
            info = {**machine(), "load_start": 0.0, "load_end": 0.0, "date": "–"}
            raw = {"results": raw, "info": info, "command": "–", "seconds": 0.0, "notes": []}
        write_markdown(
            Path(args.output), raw["results"], raw["info"], raw["command"], raw["seconds"], raw["notes"]
        )
        log(f"wrote {args.output}")
        return
    if args.pg_database == "eig" or args.pg_database.startswith("test"):
        parser.error("the bench database must not be `eig` nor `test_*`")
    args.skip = [name for name in args.skip.split(",") if name]
    if args.quick:
        pg_sizes, sqlite_sizes = [200, 1000], [200]
        args.transitions, args.requests = 60, 9
        args.verify_events, args.import_rows, args.messages = 100_000, 300, 300
        args.ds_dossiers = 500
        args.cluster_messages = 100
    else:
        pg_sizes, sqlite_sizes = [1_000, 10_000, 100_000], [1_000, 10_000]
        args.transitions, args.requests = 200, 30
        args.verify_events, args.import_rows, args.messages = 1_000_000, 2_000, 3_000
        args.ds_dossiers = 5_000
        args.cluster_messages = 1_500
    if args.sizes:
        pg_sizes = [int(size) for size in args.sizes.split(",")]
    if args.sqlite_sizes:
        sqlite_sizes = [int(size) for size in args.sqlite_sizes.split(",")]
    if args.redis:
        try:
            import redis

            redis.Redis.from_url(args.redis).ping()
        except Exception as error:  # the Redis figure is optional
            log(f"Redis not reachable ({error}): no Redis broker figure")
            args.redis = None

    command = "make bench" if len(sys.argv) == 1 else "python bench/run.py " + shlex.join(sys.argv[1:])
    info = machine()
    load_start = os.getloadavg()[0]
    started = time.perf_counter()
    results, notes = {}, []

    url = f"{args.pg}/{args.pg_database}"
    static_root = tempfile.mkdtemp(prefix="eig-bench-static-")
    collected(static_root)
    if not args.no_postgresql:
        try:
            pg_admin(f'DROP DATABASE IF EXISTS "{args.pg_database}"', args.pg)
            pg_admin(f'CREATE DATABASE "{args.pg_database}"', args.pg)
            results["postgresql"] = measure_database("postgresql", url, pg_sizes, args, static_root)
        finally:
            if not args.keep:
                pg_admin(f'DROP DATABASE IF EXISTS "{args.pg_database}" WITH (FORCE)', args.pg)
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory(prefix="eig-bench-") as folder:
            # Cheap on SQLite: transitions, pages and import; the heavy ones run on PostgreSQL.
            results["sqlite"] = measure_database(
                "sqlite",
                f"sqlite:///{folder}/bench.sqlite3",
                sqlite_sizes,
                args,
                static_root,
                extra_skip=("verify", "delivery"),
            )
    shutil.rmtree(static_root, ignore_errors=True)
    for label, result in results.items():
        if result.get("returncode"):
            notes.append(
                f"{label}: bench/measure.py exited with status {result['returncode']} (partial figures)."
            )
    seconds = time.perf_counter() - started
    info["load_start"], info["load_end"] = load_start, os.getloadavg()[0]
    info["date"] = f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC"
    write_markdown(Path(args.output), results, info, command, seconds, notes)
    raw = Path(tempfile.gettempdir()) / "eig-bench-last.json"
    raw.write_text(
        json.dumps(
            {"results": results, "info": info, "command": command, "seconds": seconds, "notes": notes},
            indent=2,
            default=str,
        )
    )
    log(f"raw figures: {raw} (python bench/run.py --render {raw} writes the page again)")
    log(f"wrote {args.output} in {seconds / 60:.1f} min")
    print(Path(args.output).read_text())


if __name__ == "__main__":
    main()
