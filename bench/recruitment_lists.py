"""`make bench`'s candidates' call section: the applications' lists and the retention job at scale.

    .venv/bin/python bench/recruitment_lists.py
        # PostgreSQL: creates `eig_bench_recruitment` at BENCH_PG (default
        # postgres://postgres@127.0.0.1:5432), measures, drops it, and writes its section into
        # docs/benchmarks.md
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/eig_bench_recruitment_me \
        .venv/bin/python bench/recruitment_lists.py
        # that database (created if missing, dropped afterwards only then; never `eig` nor `test_*`)
    .venv/bin/python bench/recruitment_lists.py --requests 30 --rounds 3 --output /tmp/bench.md --keep

A promotion's candidates' call with 60 recruiting challenges (their administrations, one mentor
account the operational mentor of two of them) gets 500 applications from 260 candidates, every
profile of the call and every state (drafts included, which the lists leave out), with grids,
comments and one e-mail each; then 4,500 more from 2,340 more candidates: 5,000 applications,
2,600 candidates. Rows are bulk-created (bench data: no audit event; each candidate an account and
a small CV file). At each size, through Django's test client (DEBUG off, as in production): the
managers' list /gestion/candidatures/ unfiltered and filtered by challenge, profile, state and the
three together, and the mentor's list /mentor/candidatures/; each one warm-up request then
`--rounds` interleaved rounds of `--requests` measured ones. Then the retention job
(`recruitment.retention.run`) in one run over the 5,000 applications, every candidate made due (their
results older than the call's retention), `--retention-repeats` times on fresh data.
Not a test: nothing fails on a slow figure, each is reported against the target (issue 14: p95 <
150 ms at 5,000, the queries equal at 500 and 5,000). A series begun or ended with the machine's
load average above half its CPUs is marked *noisy*.
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

from bench.jury_ranking import measure  # noqa: E402  (the jury bench's way of timing a page)
from bench.throwaway import (  # noqa: E402
    add_arguments,
    command_line,
    database_url,
    log,
    machine,
    on_throwaway_database,
    publish,
)

TARGET_P95_MS = 150
PROMOTION = 97  # far from the real ones (1 to 3, the demo's 8 and 9) and the other benches' (90-96)
CHALLENGES = 60
STAGES = [(500, 260), (5000, 2600)]  # (applications, candidates) in all after each stage
MENTORED = 2  # the mentor's challenges
START, END = "<!-- bench/recruitment_lists.py: start -->", "<!-- bench/recruitment_lists.py: end -->"

FIRST_NAMES = [
    "Maëlle", "Thibault", "Yasmine", "Grégoire", "Chloé", "Rémi", "Anaïs", "Jérôme", "Zoé", "Hélène",
    "Baptiste", "Clémence", "Nicolas", "Océane", "Léon", "Éloïse", "Karim", "Julie", "Fatoumata",
    "Pierre-Yves", "Inès", "Noé", "Salomé", "Théo", "Agathe", "Mathis", "Léna", "Hugo", "Maëva", "Yanis",
]  # fmt: skip
LAST_NAMES = [
    "Rousseau", "Garnier", "Haddad", "Pham", "Besnard", "N’Diaye", "Lemoine", "Aubry", "Fontaine",
    "Dupré", "Morvan", "Tessier", "Ferrand", "Le Bihan", "Chevalier", "Marin", "Bouzid", "Perrin",
    "Diallo", "Le Goff", "Lefèvre", "Benali", "Gauthier", "Roussel", "Mercier", "Boucher", "Martins",
]  # fmt: skip
# The share of each state, per 100 applications (drafts are not listed by the pages).
STATE_SHARES = {
    "draft": 3,
    "submitted": 33,
    "preselected": 10,
    "rejected": 24,
    "interview": 8,
    "ranked": 6,
    "offered": 3,
    "accepted": 3,
    "declined": 4,
    "withdrawn": 6,
}
MOTIVATION = (
    "J’ai travaillé plusieurs années sur des données publiques et je voudrais mettre ces compétences "
    "au service de ce défi : comprendre le besoin des agents, construire avec eux un premier outil, "
    "publier le code et les données. "
)


# Synthetic data ----------------------------------------------------------------------------------


def _states(count: int) -> list[str]:
    """`count` states in the shares of STATE_SHARES, interleaved (every state in any 100 rows)."""
    cycle = [state for state, share in STATE_SHARES.items() for _ in range(share)]
    cycle = [cycle[(index * 37) % len(cycle)] for index in range(len(cycle))]  # 37 is prime to 100
    return [cycle[index % len(cycle)] for index in range(count)]


def setup(number: int, manager) -> dict:
    """The promotion, its call (the 2018 rules: three profiles, five criteria, five declarations),
    its 60 recruiting challenges and the mentor of two of them."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from accounts.enums import Role
    from accounts.models import Profile
    from lifecycle.enums import AdministrationKind, ChallengeState, MentorRole
    from lifecycle.models import Administration, Call, Challenge, Mentor, Promotion

    now = timezone.now()
    promotion = Promotion.objects.create(number=number, name=f"EIG {number} (banc)", year=2026)
    call = Call.objects.create(
        promotion=promotion,
        submission_deadline=now - dt.timedelta(days=120),
        recruitment_opens_at=now - dt.timedelta(days=10),
        recruitment_closes_at=now + dt.timedelta(days=20),
    )
    administrations = Administration.objects.bulk_create(
        Administration(name=f"Administration du banc {number}-{index}", kind=AdministrationKind.MINISTRY)
        for index in range(20)
    )
    challenges = Challenge.objects.bulk_create(
        Challenge(
            promotion=promotion,
            administration=administrations[index % len(administrations)],
            name=f"Défi en recrutement {number}-{index:02d}",
            state=ChallengeState.RECRUITING,
            state_changed_at=now,
            summary="Ouvrir et documenter les données du service",
        )
        for index in range(CHALLENGES)
    )
    mentor = get_user_model().objects.create(
        username=f"bench-mentor-{number}",
        email=f"mentor.banc.{number}@example.gouv.fr",
        first_name="Romane",
        last_name="Girard",
    )
    Profile.objects.create(user=mentor, role=Role.MENTOR)
    Mentor.objects.bulk_create(
        Mentor(
            challenge=challenge,
            role=MentorRole.OPERATIONAL,
            first_name="Romane",
            last_name="Girard",
            email=mentor.email,
        )
        for challenge in challenges[:MENTORED]
    )
    return {
        "promotion": promotion,
        "call": call,
        "challenges": challenges,
        "mentor": mentor,
        "manager": manager,
    }


def populate(world: dict, *, first: int, candidates: int, applications: int, media: Path) -> dict:
    """`candidates` more candidates (numbered from `first`), with `applications` applications in
    all (one or two each, on distinct challenges), their grids, comments, e-mails and CV files."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.enums import Role
    from accounts.models import Profile
    from demo.pdfs import cv_pdf
    from lifecycle import profiles
    from notifications.enums import DeliveryStatus, MessageEvent
    from notifications.models import Notification
    from recruitment.enums import ApplicationState, Origin
    from recruitment.models import Application, ApplicationComment, Candidate, CandidateScore

    started = time.perf_counter()
    call, challenges = world["call"], world["challenges"]
    codes = [code for code, _label in profiles.choices(call)]
    declarations = list(call.eligibility_rules.values_list("pk", flat=True))
    criteria = list(call.candidate_criteria.values_list("pk", flat=True))
    now = timezone.now()
    (media / "cvs").mkdir(parents=True, exist_ok=True)
    pdf = cv_pdf(
        "Candidat·e du banc", "Data scientist", [("Expériences", ["Cinq ans de science des données."])]
    )
    two = applications - candidates  # candidates with two applications
    if not 0 <= two <= candidates:
        raise ValueError("one or two applications per candidate")
    number = world["promotion"].number
    with transaction.atomic():
        users = get_user_model().objects.bulk_create(
            get_user_model()(
                username=f"candidat-{number}-{index}@example.org",
                email=f"candidat-{number}-{index}@example.org",
                first_name=FIRST_NAMES[index % len(FIRST_NAMES)],
                last_name=LAST_NAMES[(index // len(FIRST_NAMES)) % len(LAST_NAMES)],
            )
            for index in range(first, first + candidates)
        )
        Profile.objects.bulk_create(Profile(user=user, role=Role.CANDIDATE) for user in users)
        rows = []
        for offset, user in enumerate(users):
            index = first + offset
            name = f"cvs/banc-{number}-{index}.pdf"
            (media / name).write_bytes(pdf)
            rows.append(
                Candidate(
                    call=call,
                    user=user,
                    first_name=user.first_name,
                    last_name=user.last_name,
                    email=user.email,
                    phone=f"06 {index // 10000 % 100:02d} {index // 100 % 100:02d} {index % 100:02d} 00",
                    profile=codes[index % len(codes)],
                    cv=name,
                    cv_name="cv.pdf",
                    portfolio_url=f"https://portfolio.example.org/{index}",
                    code_url=f"https://git.example.org/candidat-{index}",
                    declarations=declarations,
                    created_at=now - dt.timedelta(days=9),
                    updated_at=now - dt.timedelta(days=8),
                    submitted_at=now - dt.timedelta(days=8),
                )
            )
        people = Candidate.objects.bulk_create(rows)
        states = _states(applications)
        apps = []
        for offset, candidate in enumerate(people):
            index = first + offset
            chosen = [index % CHALLENGES] + ([(index * 7 + 3) % CHALLENGES] if offset < two else [])
            if len(chosen) == 2 and chosen[0] == chosen[1]:
                chosen[1] = (chosen[1] + 1) % CHALLENGES
            for challenge_index in chosen:
                state = states[len(apps)]
                interviewed = state in {"interview", "ranked", "offered", "accepted", "declined"}
                apps.append(
                    Application(
                        candidate=candidate,
                        challenge=challenges[challenge_index],
                        motivation=MOTIVATION * (1 + index % 4),
                        origin=Origin.CANDIDATE,
                        state=state,
                        state_changed_at=now - dt.timedelta(days=index % 7),
                        created_at=now - dt.timedelta(days=9),
                        interview_at=now + dt.timedelta(days=3, hours=index % 9) if interviewed else None,
                        interview_place="Etalab, 20 avenue de Ségur, 75007 Paris" if interviewed else "",
                        rank=1 + index % 5
                        if state in {"ranked", "offered", "accepted", "declined"}
                        else None,
                    )
                )
        apps = Application.objects.bulk_create(apps)
        listed = [application for application in apps if application.state != ApplicationState.DRAFT]
        scorers = [world["mentor"], world["manager"]]
        CandidateScore.objects.bulk_create(
            CandidateScore(
                application=application,
                criterion_id=criterion,
                scorer=scorer,
                value=1 + (application.pk + rank) % 4,
                updated_at=now,
            )
            for number_, application in enumerate(listed)
            if number_ % 5 < 2  # two applications in five are scored
            for scorer in scorers[: 1 + number_ % 2]
            for rank, criterion in enumerate(criteria)
        )
        ApplicationComment.objects.bulk_create(
            ApplicationComment(
                application=application,
                author=world["mentor"],
                text="Profil intéressant : à rencontrer en entretien.",
                created_at=now,
            )
            for number_, application in enumerate(listed)
            if number_ % 5 == 0
        )
        Notification.objects.bulk_create(
            Notification(
                challenge_id=application.challenge_id,
                event=MessageEvent.APPLICATION_RECEIVED,
                recipient_email=application.candidate.email,
                recipient_name=application.candidate.first_name,
                recipient_role="candidat·e",
                subject="Votre candidature est bien reçue",
                body="Bonjour, votre candidature est bien reçue.",
                status=DeliveryStatus.SENT,
                idempotency_key=f"candidate:{application.candidate_id}:application:{application.pk}:0:"
                f"application_received:{application.candidate.email}",
                sent_at=now,
            )
            for application in listed
        )
    seconds = time.perf_counter() - started
    if connection.vendor == "postgresql":
        # What autovacuum does after a load this size: without the tables' statistics, the planner
        # takes a few thousand rows for a few and picks its plans for those.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {"candidates": candidates, "applications": applications, "seconds": seconds}


# Measurement -------------------------------------------------------------------------------------


def _noisy(load_start: float, load_end: float, nproc: int) -> bool:
    return max(load_start, load_end) > nproc / 2


def measure_pages(world: dict, requests: int, rounds: int) -> dict:
    """Every page, in `rounds` interleaved rounds of `requests` measured requests (one warm-up
    each): per page, the rounds' p95s, their median and spread, and the figures of all requests."""
    from django.test import Client
    from django.urls import reverse

    from recruitment.enums import ApplicationState

    busiest = world["challenges"][0].pk  # one of the mentor's: the most applications
    manager_list, mentor_list = reverse("applications:list"), reverse("mentor:applications")
    pages = {
        "managers' list": (world["manager"], manager_list),
        "managers' list ?challenge": (world["manager"], f"{manager_list}?challenge={busiest}"),
        "managers' list ?profile": (world["manager"], f"{manager_list}?profile=data_science"),
        "managers' list ?state": (world["manager"], f"{manager_list}?state={ApplicationState.SUBMITTED}"),
        "managers' list ?challenge&profile&state": (
            world["manager"],
            f"{manager_list}?challenge={busiest}&profile=data_science&state={ApplicationState.SUBMITTED}",
        ),
        "mentor's list": (world["mentor"], mentor_list),
        "mentor's list ?state": (world["mentor"], f"{mentor_list}?state={ApplicationState.SUBMITTED}"),
    }
    clients = {}
    for user in {world["manager"], world["mentor"]}:
        clients[user.pk] = Client()
        clients[user.pk].force_login(user)
    nproc = os.cpu_count() or 1
    series = {label: [] for label in pages}
    loads = {label: [] for label in pages}
    for _round in range(rounds):
        for label, (user, url) in pages.items():
            load_start = os.getloadavg()[0]
            figures = measure(clients[user.pk], url, requests)
            load_end = os.getloadavg()[0]
            series[label].append(figures)
            loads[label].append((load_start, load_end))
    result = {}
    for label, figures in series.items():
        p95s = [entry["p95_ms"] for entry in figures]
        result[label] = {
            "url": pages[label][1],
            "requests": requests * rounds,
            "rounds": rounds,
            "status": sorted({status for entry in figures for status in entry["status"]}),
            "bytes": max(entry["bytes"] for entry in figures),
            "queries": max(entry["queries"] for entry in figures),
            "queries_min": min(entry["queries_min"] for entry in figures),
            "p50_ms": statistics.median(entry["p50_ms"] for entry in figures),
            "p95_ms": statistics.median(p95s),  # the median of the rounds' p95
            "p95_min_ms": min(p95s),
            "p95_max_ms": max(p95s),
            "cpu_p50_ms": statistics.median(entry["cpu_p50_ms"] for entry in figures),
            "load_start": loads[label][0][0],
            "load_end": loads[label][-1][1],
            "noisy": any(_noisy(start, end, nproc) for start, end in loads[label]),
        }
    return result


def measure_retention(world: dict) -> dict:
    """Every candidate of the promotion made due (results a year ago, the call keeps 180 days),
    then `retention.run()` once."""
    from django.utils import timezone

    from recruitment import retention
    from recruitment.models import Application, Candidate

    candidates = Candidate.objects.filter(call=world["call"])
    candidates.update(results_at=timezone.now() - dt.timedelta(days=365))
    applications = Application.objects.filter(candidate__call=world["call"]).count()
    load_start = os.getloadavg()[0]
    started, processor = time.perf_counter(), time.process_time()
    outcome = retention.run()
    seconds, cpu = time.perf_counter() - started, time.process_time() - processor
    load_end = os.getloadavg()[0]
    left = candidates.filter(erased_at=None).count()
    return {
        "applications": applications,
        "candidates": candidates.count(),
        "erased": outcome.erased,
        "left": left,
        "seconds": seconds,
        "job_seconds": outcome.seconds,
        "cpu_seconds": cpu,
        "load_start": load_start,
        "load_end": load_end,
        "noisy": _noisy(load_start, load_end, os.cpu_count() or 1),
    }


def run(requests: int, rounds: int, retention_repeats: int) -> dict:
    from django.conf import settings
    from django.db import connection

    from accounts.enums import Role
    from accounts.services import create_user
    from lifecycle.actors import SYSTEM
    from lifecycle.models import Promotion

    numbers = [PROMOTION + repeat for repeat in range(max(1, retention_repeats))]
    if Promotion.objects.filter(number__in=numbers).exists():
        sys.exit(f"promotions {numbers} already exist in this database: use a fresh one")
    media = Path(settings.MEDIA_ROOT)
    manager = create_user(
        "bench-recruitment-manager",
        by=SYSTEM,
        role=Role.PROGRAMME_MANAGER,
        email="bench-recruitment-manager@example.gouv.fr",
        first_name="Camille",
        last_name="Banc",
    )
    world = setup(PROMOTION, manager)
    data, pages, done = {}, {}, (0, 0)
    for applications, candidates in STAGES:
        log(f"building {applications} applications from {candidates} candidates over {CHALLENGES} challenges")
        data[applications] = populate(
            world,
            first=done[1],
            candidates=candidates - done[1],
            applications=applications - done[0],
            media=media,
        )
        done = (applications, candidates)
        log(f"measuring the lists at {applications} applications: {rounds} rounds of {requests} requests")
        pages[applications] = measure_pages(world, requests, rounds)
    retentions = []
    for repeat in range(max(1, retention_repeats)):
        if repeat:  # fresh data: another promotion with the same 5,000 applications
            world = setup(PROMOTION + repeat, manager)
            populate(world, first=0, candidates=done[1], applications=done[0], media=media)
        log(f"retention over {done[0]} applications ({repeat + 1}/{max(1, retention_repeats)})")
        retentions.append(measure_retention(world))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("show server_version")
            server = cursor.fetchone()[0]
        else:
            import sqlite3

            server = sqlite3.sqlite_version
    return {
        "vendor": connection.vendor,
        "server_version": server,
        "data": data,
        "pages": pages,
        "retention": retentions,
    }


# The report --------------------------------------------------------------------------------------


def _grouped(number: int) -> str:
    return f"{number:,}".replace(",", " ")


def section(result: dict, info: dict) -> str:
    sizes = sorted(result["pages"])
    largest, smallest = max(sizes), min(sizes)
    first = next(iter(result["pages"][largest].values()))
    lines = [
        START,
        "## 7. The candidates' call: the lists of applications, the retention (`bench/recruitment_lists.py`)",
        "",
        f"{CHALLENGES} recruiting challenges of one promotion; {_grouped(smallest)} applications from "
        f"{_grouped(STAGES[0][1])} candidates, then {_grouped(largest)} from "
        f"{_grouped(STAGES[-1][1])} (every profile of the call and every state, drafts included, which "
        "the lists leave out; two applications "
        "in five scored, one in five commented; one e-mail each; a CV file per candidate), bulk-created in "
        + " and ".join(f"{result['data'][size]['seconds']:.1f} s" for size in sizes)
        + f". The mentor is the operational mentor of {MENTORED} of the challenges. Django's test `Client` "
        "(DEBUG off), logged in as a programme manager or as the mentor: one warm-up request then "
        f"{first['rounds']} interleaved rounds of {first['requests'] // first['rounds']} measured requests "
        "per page and size; *p95* is the median of the rounds' p95 (their spread beside it); SQL queries "
        "counted with `CaptureQueriesContext` (session and user included).",
        "",
        f"| | |\n|---|---|\n| date | {info['date']} |\n| command | `{info['command']}` |\n"
        f"| database | {result['vendor']} {result['server_version']} |\n"
        f"| load average (1 min) | {info['load_start']:.1f} at the start, "
        f"{info['load_end']:.1f} at the end |\n"
        f"| machine | {info['nproc']} CPU ({info['cpu']}), Python {info['python']} |",
        "",
        "| page | applications | status | bytes | queries | p50 ms | p95 ms (rounds) | CPU p50 ms | load "
        f"| target: p95 < {TARGET_P95_MS} ms at {_grouped(largest)}, queries equal at {_grouped(smallest)} "
        f"and {_grouped(largest)} |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for label in result["pages"][largest]:
        by_size = {size: result["pages"][size][label] for size in sizes}
        constant = len({figures["queries"] for figures in by_size.values()}) == 1 and all(
            figures["queries"] == figures["queries_min"] for figures in by_size.values()
        )
        for size in sizes:
            figures = by_size[size]
            target = ""
            if size == largest:
                p95_ok = figures["p95_ms"] < TARGET_P95_MS
                target = (
                    f"p95 {'**met**' if p95_ok else '**missed**'}; queries "
                    f"{by_size[largest]['queries']} = {by_size[smallest]['queries']}: "
                    f"{'**met**' if constant else '**missed**'}"
                )
            noisy = " (noisy)" if figures["noisy"] else ""
            lines.append(
                f"| {label} | {_grouped(size)} | {','.join(map(str, figures['status']))} "
                f"| {_grouped(figures['bytes'])} | {figures['queries']} | {figures['p50_ms']:.1f} "
                f"| {figures['p95_ms']:.1f} ({figures['p95_min_ms']:.1f}–{figures['p95_max_ms']:.1f}) "
                f"| {figures['cpu_p50_ms']:.1f} "
                f"| {figures['load_start']:.1f}→{figures['load_end']:.1f}{noisy} "
                f"| {target} |"
            )
    runs = result["retention"]
    seconds = [entry["seconds"] for entry in runs]
    lines += [
        "",
        "The retention job (`recruitment.retention.run()`, one run, chunks of 200 candidates each in its "
        f"own transaction) over {_grouped(runs[0]['applications'])} applications of "
        f"{_grouped(runs[0]['candidates'])} "
        "candidates, every one due (results a year old, the call keeps 180 days) but those who accepted "
        "an offer, whose data follows their contract (*left*: never erased by the job), "
        f"{len(runs)} time(s) on fresh data:",
        "",
        "| run | applications | candidates erased | left | seconds | CPU s | load |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for number, entry in enumerate(runs, start=1):
        noisy = " (noisy)" if entry["noisy"] else ""
        lines.append(
            f"| {number} | {_grouped(entry['applications'])} | {_grouped(entry['erased'])} | {entry['left']} "
            f"| {entry['seconds']:.2f} | {entry['cpu_seconds']:.2f} "
            f"| {entry['load_start']:.1f}→{entry['load_end']:.1f}{noisy} |"
        )
    lines += [
        "",
        f"Median {statistics.median(seconds):.2f} s (min–max {min(seconds):.2f}–{max(seconds):.2f} s), "
        f"{runs[0]['erased'] / statistics.median(seconds):.0f} candidates erased per second.",
        "",
        "Load: the machine's 1-minute load average at the start and the end of each series; *noisy*: above "
        f"half its {info['nproc']} cores. The wall-clock times move with the load, the CPU time of the bench "
        "process and the query counts much less.",
        END,
    ]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=30, help="measured requests per round (≥ 10)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds per page and size")
    parser.add_argument("--retention-repeats", type=int, default=3, help="retention runs, each on fresh data")
    add_arguments(parser, database="eig_bench_recruitment")
    args = parser.parse_args()
    if args.requests < 10 or args.requests * args.rounds < 30:
        parser.error("at least 10 requests per round and 30 per page, for a p95")
    info = {
        **machine(),
        "command": command_line("recruitment_lists.py", database_url(args)),
        "load_start": os.getloadavg()[0],
    }
    result = on_throwaway_database(
        parser,
        args,
        lambda: run(args.requests, args.rounds, args.retention_repeats),
        name="recruitment",
        static=True,
    )
    info["load_end"] = os.getloadavg()[0]
    info["date"] = f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC"
    raw = Path(tempfile.gettempdir()) / "eig-bench-recruitment-last.json"
    raw.write_text(json.dumps({"result": result, "info": info}, indent=2, default=str))
    publish(args, section(result, info), raw=raw)


if __name__ == "__main__":
    main()
