"""The Django side of `make bench`: one process per database, driven by bench/run.py.

    DATABASE_URL=... python bench/measure.py --sizes 1000,10000,100000 --output result.json

Grows one database step by step (1,000 then 10,000 then 100,000 challenges, about twenty audit
events each) and measures, at each size, transitions and pages; then, once, the audit
verification, the import and the delivery of notifications. Prints progress on stderr and writes
every figure to the JSON file. Not a test: nothing here asserts a time.
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("LOG_LEVEL", "ERROR")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, reset_queries, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.enums import Role  # noqa: E402
from accounts.services import create_user  # noqa: E402
from bench.ds_sync import bench_ds_sync  # noqa: E402
from lifecycle import audit, services  # noqa: E402
from lifecycle import bulk as copyload  # noqa: E402
from lifecycle.actors import SYSTEM  # noqa: E402
from lifecycle.enums import (  # noqa: E402
    AdministrationKind,
    AuditKind,
    ChallengeState,
    DefaultProfile,
    MentorRole,
    TransitionName,
)
from lifecycle.models import (  # noqa: E402
    Administration,
    AuditEvent,
    Call,
    Challenge,
    EigPosition,
    Mentor,
    Promotion,
)

ADMINISTRATIONS = 50
PROMOTION_NUMBER = 90  # the synthetic promotion; far from the real ones (1 to 3)
EVENTS_PER_CHALLENGE = 20  # created, 18 dossier changes, submit
CHUNK = 2000  # challenges generated per transaction


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


# Synthetic data ----------------------------------------------------------------------------------


def summary(values) -> dict:
    """Rounds' figures: their median, and their spread ((max − min) / median); "noisy" above 20 %."""
    median = statistics.median(values)
    spread = (max(values) - min(values)) / median if median else 0.0
    return {"median": median, "spread": spread, "noisy": spread > NOISY, "values": list(values)}


NOISY = 0.20


def loaded(measure, *args, **kwargs) -> dict:
    """A section's figures with the machine's 1-minute load average before and after it."""
    before = os.getloadavg()[0]
    figures = measure(*args, **kwargs)
    figures["load"] = [before, os.getloadavg()[0]]
    return figures


def _settle_tables() -> float:
    """What autovacuum does after a bulk load, before the pages are measured: the tables'
    statistics (without them the planner takes 50 rows for 100,000 and picks its plans for 50)
    and their visibility maps (index-only scans). Its time is reported beside the generation's."""
    if connection.vendor != "postgresql":
        return 0.0
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    return time.perf_counter() - started


class World:
    """The fixed part: a promotion with its call, administrations with a contact, a manager."""

    def __init__(self):
        self.manager = create_user(
            "bench-manager",
            by=SYSTEM,
            role=Role.PROGRAMME_MANAGER,
            email="bench-manager@example.gouv.fr",
            first_name="Claude",
            last_name="Banc",
        )
        self.promotion, _ = Promotion.objects.get_or_create(
            number=PROMOTION_NUMBER, defaults={"name": f"EIG {PROMOTION_NUMBER}", "year": 2026}
        )
        Call.objects.get_or_create(
            promotion=self.promotion,
            defaults={
                "submission_deadline": timezone.now() + timezone.timedelta(days=365),
                "jury_starts_on": timezone.localdate() + timezone.timedelta(days=400),
            },
        )
        self.administrations = []
        for index in range(ADMINISTRATIONS):
            administration, created = Administration.objects.get_or_create(
                name=f"Direction synthétique n°{index}", defaults={"kind": AdministrationKind.MINISTRY}
            )
            if created:
                create_user(
                    f"bench-contact-{index}",
                    by=SYSTEM,
                    role=Role.ADMINISTRATION_CONTACT,
                    email=f"contact{index}@example.gouv.fr",
                    administration=administration,
                )
            self.administrations.append(administration)
        self.count = Challenge.objects.filter(promotion=self.promotion).count()

    def grow(self, target: int) -> dict:
        """Add challenges (submitted, with ~20 audit events each) until there are `target`."""
        started, start_count = time.perf_counter(), self.count
        events = 0
        while self.count < target:
            size = min(CHUNK, target - self.count)
            events += self._chunk(self.count, size)
            self.count += size
            if self.count % 20000 == 0 or self.count == target:
                log(f"  {self.count}/{target} challenges")
        seconds = time.perf_counter() - started
        settled = _settle_tables()
        return {
            "settle_seconds": settled,
            "challenges_added": self.count - start_count,
            "events_added": events,
            "seconds": seconds,
        }

    def _chunk(self, offset: int, size: int) -> int:
        now = timezone.now()
        with transaction.atomic():
            challenges = [
                Challenge(
                    promotion=self.promotion,
                    administration=self.administrations[(offset + i) % ADMINISTRATIONS],
                    name=f"Défi synthétique n°{offset + i:07d}",
                    state=ChallengeState.SUBMITTED,
                    state_changed_at=now,
                    summary="Ouvrir et documenter les données du service",
                    problem="Les données sont dispersées.",
                    solution="Une plateforme ouverte.",
                    attests_outside_walls=True,
                    attests_open_data_open_source=True,
                    attests_data_access=True,
                )
                for i in range(size)
            ]
            copyload.create(challenges)
            copyload.create(
                [
                    Mentor(
                        challenge=challenge,
                        role=role,
                        first_name="Alix" if role == MentorRole.OPERATIONAL else "Sacha",
                        last_name=f"Mentor{challenge.pk}",
                        email=f"{role}.{challenge.pk}@example.gouv.fr",
                    )
                    for challenge in challenges
                    for role in MentorRole
                ]
            )
            copyload.create(
                [
                    EigPosition(challenge=challenge, rank=rank, profile=profile)
                    for challenge in challenges
                    for rank, profile in ((1, DefaultProfile.DEVELOPMENT), (2, DefaultProfile.DATA_SCIENCE))
                ]
            )
            entries = []
            for challenge in challenges:
                entries.append(
                    {
                        "challenge": challenge,
                        "kind": AuditKind.CREATED,
                        "by": SYSTEM,
                        "changes": {"name": [None, challenge.name], "summary": [None, challenge.summary]},
                    }
                )
                for step in range(EVENTS_PER_CHALLENGE - 2):
                    entries.append(
                        {
                            "challenge": challenge,
                            "kind": AuditKind.DOSSIER_CHANGED,
                            "by": self.manager,
                            "changes": {"progress": [f"version {step}", f"version {step + 1}"]},
                        }
                    )
                entries.append(
                    {
                        "challenge": challenge,
                        "kind": AuditKind.TRANSITION,
                        "by": SYSTEM,
                        "transition": TransitionName.SUBMIT,
                        "from_state": ChallengeState.DRAFT,
                        "to_state": ChallengeState.SUBMITTED,
                    }
                )
            audit.record_many(entries, insert=copyload.insert_events)
        return len(entries)


# 1. Transitions ---------------------------------------------------------------------------------


SERVICE_CONFIGS = {
    # label: (broker, persistent database connection)
    "service_orm_default": ("orm", False),
    "service_orm_persistent": ("orm", True),
    "service_redis_persistent": ("redis", True),
    # Diagnostic, not the code as it runs: the receivers of transition_applied and
    # transition_committed (outbox, mentoring) disconnected, to show the cost of the core alone
    # (lock, rights, guards, state, audit chain).
    "service_core_only": ("core", True),
}


def _configure(broker: str, persistent: bool):
    """Switch django-q2's broker and the connection's CONN_MAX_AGE inside this process."""
    from django_q.conf import Conf

    from lifecycle import signals

    for signal in (signals.transition_applied, signals.transition_committed):
        if not hasattr(signal, "_bench_receivers"):
            signal._bench_receivers = list(signal.receivers)
        if broker == "core":
            signal.receivers = []
        else:
            signal.receivers = list(signal._bench_receivers)
        signal.sender_receivers_cache.clear()
    if broker.startswith("redis"):
        Conf.ORM, Conf.REDIS = None, os.environ["BENCH_REDIS_URL"]
    else:
        Conf.ORM, Conf.REDIS = "default", None
    wanted = 600 if persistent else 0
    if connection.settings_dict["CONN_MAX_AGE"] != wanted:
        connection.settings_dict["CONN_MAX_AGE"] = wanted
        connection.close()  # the next query reconnects with the new lifetime


def bench_transitions(world: World, per_method: int, rounds: int = 3) -> dict:
    """preselect (submitted -> preselected, with a reason) several ways, interleaved in rounds.

    The service runs in three configurations: django-q2's ORM broker with the default
    DATABASE_CONN_MAX_AGE=0 (the ORM broker calls close_old_connections() before each enqueue,
    which then closes the connection), the ORM broker with a persistent connection, and the Redis
    broker (production) with a persistent connection. The baselines run on a persistent
    connection (nothing closes it in their loop anyway).
    """
    from notifications.models import Notification

    configs = {name: config for name, config in SERVICE_CONFIGS.items()}
    if not os.environ.get("BENCH_REDIS_URL"):
        configs.pop("service_redis_persistent")
    names = [*configs, "fsm_save", "bare_update"]
    wanted = per_method * len(names)
    pks = list(
        Challenge.objects.filter(promotion=world.promotion, state=ChallengeState.SUBMITTED)
        .order_by("-id")
        .values_list("pk", flat=True)[:wanted]
    )
    if len(pks) < wanted:
        raise RuntimeError(f"only {len(pks)} submitted challenges left for {wanted} transitions")
    random.Random(1).shuffle(pks)
    groups = {name: pks[index :: len(names)] for index, name in enumerate(names)}
    manager = world.manager

    def service(batch):
        instances = list(Challenge.objects.filter(pk__in=batch))
        started = time.perf_counter()
        for challenge in instances:
            services.transition(challenge, "preselect", by=manager, reason="Dossier solide.")
        return time.perf_counter() - started

    def fsm_save(batch):
        instances = list(Challenge.objects.filter(pk__in=batch))
        started = time.perf_counter()
        for challenge in instances:
            challenge.preselect()
            challenge.save()
        return time.perf_counter() - started

    def bare_update(batch):
        started = time.perf_counter()
        for pk in batch:
            Challenge.objects.filter(pk=pk).update(state=ChallengeState.PRESELECTED)
        return time.perf_counter() - started

    seconds = dict.fromkeys(names, 0.0)
    rates = {name: [] for name in names}  # moves/s of each round
    extra = {}
    size = -(-per_method // rounds)
    for round_ in range(rounds):
        for name in names:
            batch = groups[name][round_ * size : (round_ + 1) * size]
            if not batch:
                continue
            if name in configs:
                _configure(*configs[name])
                notifications_before = Notification.objects.count()
                events_before = AuditEvent.objects.count()
                took = service(batch)
                seconds[name] += took
                rates[name].append(len(batch) / took)
                if configs[name][0] != "core":
                    extra.setdefault("notifications", []).append(
                        (Notification.objects.count() - notifications_before) / len(batch)
                    )
                extra.setdefault("events", []).append(
                    (AuditEvent.objects.count() - events_before) / len(batch)
                )
            else:
                _configure("orm", True)
                took = (fsm_save if name == "fsm_save" else bare_update)(batch)
                seconds[name] += took
                rates[name].append(len(batch) / took)
    _configure("orm", True)
    # What one move sends to the database (ORM broker: its enqueues are INSERTs too).
    spare_pk = groups[names[0]][-1]
    Challenge.objects.filter(pk=spare_pk).update(state=ChallengeState.SUBMITTED)
    reset_queries()  # the log keeps 9,000 queries at most: an empty start
    with CaptureQueriesContext(connection) as captured:
        services.transition(
            Challenge.objects.get(pk=spare_pk), "preselect", by=manager, reason="Dossier solide."
        )
    queries = [query["sql"].split(" ", 1)[0] for query in captured.captured_queries]
    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        Challenge.objects.filter(pk=spare_pk).update(state=ChallengeState.SUBMITTED)
    result_queries = {
        "service_orm": len(queries),
        "service_orm_by_verb": {verb: queries.count(verb) for verb in sorted(set(queries))},
        "bare_update": len(captured.captured_queries),
    }
    result = {}
    for name, s_ in seconds.items():
        rounds_ = summary(rates[name])
        result[name] = {
            "count": per_method,
            "seconds": s_,
            "per_second": rounds_["median"],
            "spread": rounds_["spread"],
            "noisy": rounds_["noisy"],
        }

    def ratio(name, base):  # the median of the rounds' ratios (each round side by side)
        return summary([b / r for r, b in zip(rates[name], rates[base], strict=True)])

    result["notifications_per_transition"] = statistics.mean(extra["notifications"])
    result["audit_events_per_transition"] = statistics.mean(extra["events"])
    for name in configs:
        versus_update = ratio(name, "bare_update")
        result[name]["ratio_vs_update"] = versus_update["median"]
        result[name]["ratio_spread"] = versus_update["spread"]
        result[name]["ratio_vs_fsm"] = ratio(name, "fsm_save")["median"]
    result["ratio_fsm_vs_update"] = ratio("fsm_save", "bare_update")["median"]
    result["rounds"] = rounds
    result["queries"] = result_queries
    result["round_trips"] = _round_trips(world, spare_pk, manager, configs)
    # The transitions enqueued their messages: leave both queues empty.
    _clear_queue()
    return result


def _round_trips(world, pk, manager, configs) -> dict:
    """One move in the production configuration (Redis when there is one), its statements
    counted inside its transaction and after it, and its calls to the broker."""
    import django_q.tasks

    _configure("redis" if "service_redis_persistent" in configs else "orm", True)
    Challenge.objects.filter(pk=pk).update(state=ChallengeState.SUBMITTED)
    inside, after, enqueued = [], [], []

    def count(execute, sql, params, many, context):
        (inside if connection.in_atomic_block else after).append(sql.split(" ", 1)[0])
        return execute(sql, params, many, context)

    real = django_q.tasks.async_task

    def async_task(*args, **kwargs):
        enqueued.append(args[0])
        return real(*args, **kwargs)

    challenge = Challenge.objects.get(pk=pk)
    django_q.tasks.async_task = async_task
    try:
        with connection.execute_wrapper(count):
            services.transition(challenge, "preselect", by=manager, reason="Dossier solide.")
    finally:
        django_q.tasks.async_task = real
    _configure("orm", True)
    return {
        "inside": len(inside),
        "inside_by_verb": {verb: inside.count(verb) for verb in sorted(set(inside))},
        "after": len(after),
        "broker_calls": len(enqueued),
    }


def _clear_queue():
    from django_q.models import OrmQ

    OrmQ.objects.all().delete()
    if os.environ.get("BENCH_REDIS_URL"):
        import redis

        client = redis.Redis.from_url(os.environ["BENCH_REDIS_URL"])
        for key in client.scan_iter(match="*eig-bench*"):  # only the bench's own queues
            client.delete(key)


# 2. Pages ---------------------------------------------------------------------------------------


def bench_pages(world: World, requests: int, *, rounds: int = 3, explain: bool = False) -> dict:
    """Each page `requests` times, in `rounds` interleaved rounds (page after page, then again):
    p50 and p95 over every request, the spread of the rounds' p95. With `explain`, the plan
    (`EXPLAIN ANALYZE`, PostgreSQL) of each page's slowest query."""
    client = Client()
    client.force_login(world.manager)
    # The first challenge: the transitions bench moves the latest ones, this one keeps its
    # history from size to size (the page's queries compared as N grows, not its case).
    challenge_pk = (
        Challenge.objects.filter(promotion=world.promotion).order_by("id").values_list("pk", flat=True)[0]
    )
    events = AuditEvent.objects.count()
    middle_event = AuditEvent.objects.order_by("id").values_list("pk", flat=True)[events // 2]
    challenges_url, audit_url = reverse("backoffice:challenges"), reverse("backoffice:audit")
    deep_page = max(1, world.count // 25 * 3 // 4)  # three quarters down the list (25 a page)
    pages = {
        "dashboard": reverse("backoffice:dashboard"),
        "challenges (?state=submitted)": challenges_url + "?state=submitted",
        "challenges, latest change first": challenges_url + "?tri=-changement",
        f"challenges, page {deep_page}": challenges_url + f"?page={deep_page}",
        "challenge": reverse("backoffice:challenge", args=[challenge_pk]),
        "audit": audit_url,
        "audit (?kind=transition)": audit_url + "?kind=transition",
        "audit (?challenge=number)": audit_url + f"?challenge={challenge_pk}",
        "audit, events older than the middle one": audit_url + f"?avant={middle_event}",
    }
    per_round = max(1, -(-requests // rounds))
    times = {label: [] for label in pages}
    round_p95 = {label: [] for label in pages}
    queries, statuses, sizes, slowest = {}, {}, {}, {}
    for url in pages.values():
        client.get(url)  # warm-up (templates, caches)
    for _round in range(rounds):
        for label, url in pages.items():
            these = []
            for _ in range(per_round):
                reset_queries()  # the log keeps 9,000 queries at most: an empty start
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    response = client.get(url)
                    these.append(time.perf_counter() - started)
                queries.setdefault(label, []).append(len(captured.captured_queries))
                statuses.setdefault(label, set()).add(response.status_code)
                sizes.setdefault(label, set()).add(len(response.content))
                top = max(captured.captured_queries, key=lambda query: float(query["time"]), default=None)
                if top and float(top["time"]) >= float(slowest.get(label, {}).get("time", -1)):
                    slowest[label] = top
            times[label] += these
            round_p95[label].append(percentile(these, 0.95) * 1000)
    result = {}
    for label, url in pages.items():
        rounds_ = summary(round_p95[label])
        result[label] = {
            "url": url,
            "status": sorted(statuses[label]),
            "bytes": max(sizes[label]),
            "queries": max(queries[label]),
            "queries_min": min(queries[label]),
            "p50_ms": statistics.median(times[label]) * 1000,
            "p95_ms": percentile(times[label], 0.95) * 1000,
            "round_p95_ms": round_p95[label],
            "spread": rounds_["spread"],
            "noisy": rounds_["noisy"],
            "requests": len(times[label]),
            "rounds": rounds,
        }
        if explain and connection.vendor == "postgresql" and label in slowest:
            sql = slowest[label]["sql"]
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                plan = [row[0] for row in cursor.fetchall()]
            result[label]["slowest_query"] = {
                "ms": float(slowest[label]["time"]) * 1000,
                "sql": sql,
                "plan": plan,
            }
    return result


# 4. Audit verification ---------------------------------------------------------------------------


def bench_verify(rounds: int = 3) -> dict:
    """`audit.verify()` over the whole chain in one process (workers=1), then with one worker
    process per CPU, beside *hashing alone*: the canonical JSON + HMAC-SHA256 of 100,000 events
    already in memory (`audit._content_hash`), no database, the ceiling of one process on this
    machine. The three interleaved, `rounds` times: medians, the ratios of each round, the spread."""
    workers = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    rows = list(AuditEvent.objects.order_by("id").values_list("prev_hash", *audit.HASHED_FIELDS)[:100_000])
    key = audit.chain_key()
    ways = {"hashing": None, "sequential": 1, "parallel": workers if workers > 1 else None}
    figures = {name: [] for name, count in ways.items() if name == "hashing" or count}
    load_before, outcome = os.getloadavg()[0], None
    for _round in range(rounds):
        started = time.perf_counter()
        for row in rows:
            audit._content_hash(*row, key=key)
        figures["hashing"].append(len(rows) / (time.perf_counter() - started))
        for name in [name for name in figures if name != "hashing"]:
            started = time.perf_counter()
            result = audit.verify(workers=ways[name])
            figures[name].append(result.checked / (time.perf_counter() - started))
            if outcome is None or not result.intact:
                outcome = result
    median = {name: statistics.median(values) for name, values in figures.items()}
    ratios = {
        name: statistics.median(v / h for v, h in zip(values, figures["hashing"], strict=True))
        for name, values in figures.items()
        if name != "hashing"
    }
    return {
        "events": outcome.checked,
        "intact": outcome.intact,
        "problem": outcome.problem,
        "seconds": outcome.checked / median["sequential"],
        "per_second": median["sequential"],
        "ratio": ratios["sequential"],
        "workers": workers,
        "parallel_per_second": median.get("parallel"),
        "parallel_ratio": ratios.get("parallel"),
        "hash_only_per_second": median["hashing"],
        "rounds": rounds,
        "spread": {name: (max(v) - min(v)) / statistics.median(v) for name, v in figures.items()},
        "load": [load_before, os.getloadavg()[0]],
    }


def bench_verify_command() -> dict:
    """The same through `manage.py audit verify` (process start and Django set-up included; one
    worker per CPU, its default)."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "audit", "verify"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=os.environ.copy(),
    )
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "returncode": done.returncode, "output": done.stdout.strip()}


# 5. Import ----------------------------------------------------------------------------------------


def write_import_file(path: Path, rows: int, promotion: int):
    import yaml

    skills = [["dev"], ["datascience", "dev"], ["design", "dev", "datascience"], ["dataengineering"]]
    data = [
        {
            "title": f"Défi importé n°{index:06d}",
            "promotion": promotion,
            "year": 2027,
            "administration": f"Administration importée n°{index % 200}",
            "administration_website": "https://www.numerique.gouv.fr",
            "city": "Paris",
            "summary": "Mettre les données ouvertes au service des politiques publiques",
            "skills": skills[index % len(skills)],
            "eig_count": 1 + index % 3,
            "mentor_count": 2,
            "duration_months": 10,
            "source_code": f"https://github.com/etalab/defi-{index}",
            "long_description": (
                "Quand l’administration cherche à construire un service, il lui faut des\n"
                "informations de base. **Mettre les données au service du public**, tel est le défi.\n"
            )
            * 3,
        }
        for index in range(rows)
    ]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def bench_import(rows: int, rounds: int = 3) -> dict:
    """`manage.py import_challenges` (process start-up included) and the library's calls in this
    process, on files of new challenges of as many rows, interleaved in `rounds` rounds, each
    file for a promotion of its own."""
    from importing import readers, writer
    from importing.rows import validate

    # A file holds at most readers.MAX_RECORDS challenges (the bounds of hostile files): a larger
    # figure asked for is measured on a file of that size.
    rows = min(rows, readers.MAX_RECORDS)
    command, library, cpu, reading, validating, outputs = [], [], [], [], [], []
    returncode = 0
    with tempfile.TemporaryDirectory() as folder:
        for round_ in range(rounds):
            path = Path(folder) / f"defis-{round_}.yml"
            write_import_file(path, rows, promotion=PROMOTION_NUMBER + 1 + 2 * round_)
            started = time.perf_counter()
            done = subprocess.run(
                [sys.executable, str(ROOT / "manage.py"), "import_challenges", str(path)],
                capture_output=True,
                text=True,
                cwd=ROOT,
                env=os.environ.copy(),
            )
            command.append(rows / (time.perf_counter() - started))
            returncode = returncode or done.returncode
            outputs = (done.stdout + done.stderr).strip().splitlines()[-1:]
            # The library call alone, on a second file (another promotion), without start-up.
            path2 = Path(folder) / f"defis-{round_}-bis.yml"
            write_import_file(path2, rows, promotion=PROMOTION_NUMBER + 2 + 2 * round_)
            started, cpu_started = time.perf_counter(), time.process_time()
            records = readers.read_records(path2)
            reading.append(time.perf_counter() - started)
            rows_ = validate(records)
            validating.append(time.perf_counter() - started - reading[-1])
            writer.write(rows_, by=SYSTEM)
            seconds = time.perf_counter() - started
            library.append(rows / seconds)
            cpu.append(time.process_time() - cpu_started)
    command_rounds, library_rounds = summary(command), summary(library)
    return {
        "rows": rows,
        "rounds": rounds,
        "per_second": command_rounds["median"],
        "seconds": rows / command_rounds["median"],
        "spread": command_rounds["spread"],
        "returncode": returncode,
        "output": outputs,
        "library_per_second": library_rounds["median"],
        "library_seconds": rows / library_rounds["median"],
        "library_spread": library_rounds["spread"],
        "library_cpu_seconds": statistics.median(cpu),
        "read_seconds": statistics.median(reading),
        "validate_seconds": statistics.median(validating),
        "noisy": command_rounds["noisy"] or library_rounds["noisy"],
    }


# 3. Delivery ------------------------------------------------------------------------------------


class CountingHandler:
    def __init__(self):
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        return "250 Message accepted for delivery"


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _make_notifications(world: World, count: int, tag: str) -> list[int]:
    from notifications.enums import DeliveryStatus, MessageEvent
    from notifications.models import Notification

    challenge_ids = list(
        Challenge.objects.filter(promotion=world.promotion)
        .order_by("id")
        .values_list("pk", flat=True)[:count]
    )
    now = timezone.now()
    rows = [
        Notification(
            challenge_id=challenge_ids[index % len(challenge_ids)],
            event=MessageEvent.values[0],
            recipient_email=f"destinataire{index}@example.gouv.fr",
            recipient_name=f"Destinataire {index}",
            recipient_role="Mentor opérationnel",
            language="fr",
            subject=f"Votre défi n°{index} a changé d’état",
            body=("Bonjour,\n\nLe défi a été présélectionné. Motif : dossier solide.\n\n" * 4)
            + "L’équipe du programme EIG",
            status=DeliveryStatus.PENDING,
            idempotency_key=f"bench-{tag}-{index}",
            next_attempt_at=now,
        )
        for index in range(count)
    ]
    Notification.objects.bulk_create(rows, batch_size=2000)
    return [row.pk for row in rows]


def _settle_outbox():
    """Nothing pending from earlier steps may be sent during a delivery measurement."""
    from notifications.enums import DeliveryStatus
    from notifications.models import Notification

    Notification.objects.filter(status=DeliveryStatus.PENDING).update(status=DeliveryStatus.DISCARDED)
    _clear_queue()


def _sent(ids) -> int:
    from notifications.enums import DeliveryStatus
    from notifications.models import Notification

    return Notification.objects.filter(pk__in=ids, status=DeliveryStatus.SENT).count()


def bench_delivery(
    world: World, count: int, *, cluster_messages: int, cluster_timeout: float, rounds: int = 3
) -> dict:
    import smtplib
    from email.message import EmailMessage

    from aiosmtpd.controller import Controller

    from notifications import delivery
    from notifications.models import Notification

    handler = CountingHandler()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    result = {"messages": count}
    try:
        # a) raw smtplib, one connection, and b) notifications.delivery.send_due in this
        # process (one reused connection), the same messages, interleaved in rounds ------------
        per_round = max(1, count // rounds)
        raw_rates, sweep_rates, received, outcome = [], [], {"raw": 0, "sweep": 0}, None
        for round_ in range(rounds):
            _settle_outbox()
            ids = _make_notifications(world, per_round, f"raw-{round_}")
            messages = list(Notification.objects.filter(pk__in=ids).order_by("id"))
            before = handler.count
            started = time.perf_counter()
            with smtplib.SMTP("127.0.0.1", port) as smtp:
                for notification in messages:
                    message = EmailMessage()
                    message["Subject"] = notification.subject
                    message["From"] = settings.DEFAULT_FROM_EMAIL
                    message["To"] = notification.recipient_email
                    message["Message-ID"] = notification.message_id
                    message["X-EIG-Idempotency-Key"] = notification.idempotency_key
                    message.set_content(notification.body)
                    smtp.send_message(message)
            raw_rates.append(per_round / (time.perf_counter() - started))
            received["raw"] += handler.count - before

            _settle_outbox()
            ids = _make_notifications(world, per_round, f"sweep-{round_}")
            before = handler.count
            started = time.perf_counter()
            outcome = delivery.send_due()
            sweep_rates.append(per_round / (time.perf_counter() - started))
            received["sweep"] += handler.count - before
        raw, sweep = summary(raw_rates), summary(sweep_rates)
        ratios = summary([s_ / r for s_, r in zip(sweep_rates, raw_rates, strict=True)])
        result["rounds"] = rounds
        result["raw_smtplib"] = {
            "messages": per_round * rounds,
            "seconds": per_round * rounds / raw["median"],
            "per_second": raw["median"],
            "spread": raw["spread"],
            "received": received["raw"],
        }
        result["send_due"] = {
            "messages": per_round * rounds,
            "seconds": per_round * rounds / sweep["median"],
            "per_second": sweep["median"],
            "spread": sweep["spread"],
            "ratio": ratios["median"],
            "ratio_spread": ratios["spread"],
            "received": received["sweep"],
            "outcome": outcome,
        }

        # c) deliver() per message in this process (a new SMTP connection each, as a task does) --
        sample = min(count, 2000)
        _settle_outbox()
        ids = _make_notifications(world, sample, "single")
        before = handler.count
        started = time.perf_counter()
        for notification_id in ids:
            delivery.deliver(notification_id)
        seconds = time.perf_counter() - started
        result["deliver_in_process"] = {
            "messages": sample,
            "seconds": seconds,
            "per_second": sample / seconds,
            "received": handler.count - before,
        }

        # d) django-q2 cluster, 2 workers, one task per message ---------------------------------
        # Interleaved rounds: ORM, Redis, ORM, Redis… each figure's ratio to raw smtplib.
        brokers = ["orm", *(["redis"] if os.environ.get("BENCH_REDIS_URL") else [])]
        runs = {broker: [] for broker in brokers}
        for round_ in range(rounds):
            for broker in brokers:
                if runs[broker] and "error" in runs[broker][-1]:
                    continue
                try:
                    runs[broker].append(
                        _cluster_run(
                            world,
                            handler,
                            port,
                            cluster_messages,
                            broker=broker,
                            timeout=cluster_timeout,
                            round_=round_,
                        )
                    )
                except Exception as error:  # a figure missing, not the whole run
                    log(f"cluster ({broker}) failed: {error}")
                    runs[broker].append({"error": str(error)})
        for broker, done in runs.items():
            good = [run for run in done if "error" not in run]
            if not good:
                result[f"cluster_{broker}"] = done[-1]
                continue
            rates = summary([run["per_second"] for run in good])
            median_run = sorted(good, key=lambda run: run["per_second"])[len(good) // 2]
            result[f"cluster_{broker}"] = {
                **median_run,
                "per_second": rates["median"],
                "spread": rates["spread"],
                "noisy": rates["noisy"],
                "rounds": len(good),
                "ratio": rates["median"] / result["raw_smtplib"]["per_second"],
            }
    finally:
        controller.stop()
    return result


ENQUEUE = """
import json, os, sys, time
sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django
django.setup()
from notifications.outbox import enqueue
ids = json.load(open(sys.argv[1]))
started = time.time()
enqueue(ids)
print(json.dumps({"started": started, "finished": time.time()}))
"""


def _stop_group(process):
    """Stop the cluster started by the bench: its process group (qcluster, sentinel, workers).

    Its measurement is over (every message sent, or the time out): django-q2's graceful stop,
    which took up to the 30 s waited here per run (the sentinel's and workers' cycles), has
    nothing left to finish, and what a killed run leaves behind (tasks of a timed-out run) is
    cleared by `_settle_outbox` before the next."""
    import signal

    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    deadline = time.time() + 10
    while time.time() < deadline:
        process.poll()  # reaps qcluster itself; the group is gone once its children are
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    process.poll()


def _cluster_run(world, handler, port, count, *, broker, timeout, round_=0) -> dict:
    """One django-q2 task per message (notifications.outbox.enqueue), drained by `qcluster`.

    The tasks are enqueued first, by another process (their cost belongs to the move that
    enqueues them, measured with the transitions); the clock runs from the start of the cluster
    until every message is sent, or `timeout` seconds.
    """
    from django_q.models import Schedule

    _settle_outbox()
    env = os.environ.copy()
    env.update({"Q_WORKERS": "2", "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(port), "LOG_LEVEL": "ERROR"})
    env["Q_QUEUE"] = f"eig-bench-{broker}-{os.getpid()}"
    if broker == "redis":
        env["REDIS_URL"] = os.environ["BENCH_REDIS_URL"]
    else:
        env.pop("REDIS_URL", None)
    # The one-minute sweep (send_due) would send part of the messages over one connection: it
    # is held back so that the figure is the per-message task path's.
    Schedule.objects.update(next_run=timezone.now() + timezone.timedelta(days=1))
    ids = _make_notifications(world, count, f"cluster-{broker}-{round_}")  # keys of this round's own
    before = handler.count
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(ids, handle)
    enqueue_env = {**env, "DATABASE_CONN_MAX_AGE": "600"}
    cluster = None
    try:
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", ENQUEUE, handle.name],
            cwd=ROOT,
            env=enqueue_env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        enqueue_seconds = time.perf_counter() - started
        if done.returncode:
            raise RuntimeError(f"enqueue failed: {done.stderr[-500:]}")
        cluster = subprocess.Popen(
            [sys.executable, str(ROOT / "manage.py"), "qcluster"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: the sentinel and workers stop with it
        )
        started = time.perf_counter()
        sent = 0
        while time.perf_counter() - started < timeout:
            time.sleep(0.25)
            sent = _sent(ids)
            if sent >= count:
                break
        seconds = time.perf_counter() - started
        return {
            "broker": broker,
            "messages": count,
            "seconds": seconds,
            "enqueue_seconds": enqueue_seconds,
            "sent": sent,
            "received": handler.count - before,
            "complete": sent >= count,
            "per_second": sent / seconds,
        }
    finally:
        os.unlink(handle.name)
        if cluster is not None:
            stopping = time.perf_counter()
            _stop_group(cluster)
            log(f"  cluster ({broker}) stopped in {time.perf_counter() - stopping:.1f} s")
        Schedule.objects.update(next_run=timezone.now())
        _settle_outbox()


# Driver -----------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--transitions", type=int, default=200, help="per way and size")
    parser.add_argument("--requests", type=int, default=30, help="per page and size")
    parser.add_argument("--verify-events", type=int, default=1_000_000)
    parser.add_argument("--import-rows", type=int, default=10_000)
    parser.add_argument("--ds-dossiers", type=int, default=5_000, help="the DS sync's démarche")
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--cluster-timeout", type=float, default=45, help="seconds per cluster run")
    parser.add_argument("--cluster-messages", type=int, default=1500, help="tasks per cluster run")
    parser.add_argument(
        "--skip", default="", help="comma-separated: transitions,pages,verify,import,delivery"
    )
    parser.add_argument("--output", required=True)
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    sizes = [int(size) for size in args.sizes.split(",")]
    vendor = connection.vendor
    out = {"vendor": vendor, "sizes": {}, "started": time.time()}
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("show server_version")
            out["server_version"] = cursor.fetchone()[0]
    else:
        import sqlite3

        out["server_version"] = sqlite3.sqlite_version

    def save():
        Path(args.output).write_text(json.dumps(out, indent=2, default=str))

    world = World()
    log(f"{vendor}: sizes {sizes}")
    # The verification is run when the chain first reaches verify-events (the audit events of
    # about verify-events / 20 challenges), on the way to the largest size.
    verify_at = -(-args.verify_events // EVENTS_PER_CHALLENGE)
    steps = sorted(set(sizes) | ({verify_at} if "verify" not in skip and verify_at <= max(sizes) else set()))
    # The challenges the transition benchmark consumes at each size.
    spare = (len(SERVICE_CONFIGS) + 2) * args.transitions
    for size in steps:
        target = size + (
            spare * (sizes.index(size) + 1) if size in sizes and "transitions" not in skip else 0
        )
        target = max(target, world.count)
        log(f"generating up to {target} challenges")
        generation = world.grow(target)
        if size == verify_at and "verify" not in skip:
            total = AuditEvent.objects.count()
            log(f"audit verify over {total} events")
            out["verify"] = bench_verify()
            out["verify"]["command"] = bench_verify_command()
            save()
        if size not in sizes:
            continue
        entry = out["sizes"].setdefault(str(size), {})
        entry["generation"] = generation
        entry["challenges"] = world.count
        entry["audit_events"] = AuditEvent.objects.count()
        entry["load_before"] = os.getloadavg()
        if "transitions" not in skip:
            log(f"N={size}: transitions")
            entry["transitions"] = loaded(bench_transitions, world, args.transitions)
        if "pages" not in skip:
            log(f"N={size}: pages")
            try:
                before = os.getloadavg()[0]
                # The p95's target is at the largest size; below it the pages show their queries
                # and their growth, on a third of the requests.
                largest = size == max(sizes)
                requests = args.requests if largest else max(9, args.requests // 3)
                entry["pages"] = bench_pages(world, requests, explain=largest)
                entry["pages_load"] = [before, os.getloadavg()[0]]
            except Exception as error:  # pages being written by others may fail for a while
                log(f"pages failed: {error}")
        save()
    if "verify" not in skip and "verify" not in out:
        out["verify"] = bench_verify()
        out["verify"]["command"] = bench_verify_command()
        save()
    if "import" not in skip:
        log(f"import of {args.import_rows} rows")
        try:
            out["import"] = loaded(bench_import, args.import_rows)
        except Exception as error:  # a figure missing, not the whole run
            log(f"import failed: {error}")
        save()
    if "ds" not in skip:
        log(f"DS sync of {args.ds_dossiers} dossiers")
        try:
            out["ds"] = loaded(bench_ds_sync, args.ds_dossiers)
        except Exception as error:  # a figure missing, not the whole run
            log(f"DS sync failed: {error}")
        save()
    if "delivery" not in skip:
        log(f"delivery of {args.messages} notifications")
        out["delivery"] = loaded(
            bench_delivery,
            world,
            args.messages,
            cluster_messages=min(args.cluster_messages, args.messages),
            cluster_timeout=args.cluster_timeout,
        )
        save()
    out["finished"] = time.time()
    save()
    log("done")


if __name__ == "__main__":
    main()
