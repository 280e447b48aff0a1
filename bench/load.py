"""`make load`: a bounded load test on loopback, gunicorn beside runserver in the same run.

    .venv/bin/python bench/load.py                   # 1, 10 and 50 users, 15 s each, on both servers
    .venv/bin/python bench/load.py --users 1,10 --seconds 5 --output /tmp/load.md

Creates a throw-away PostgreSQL database (`eig_load` at BENCH_PG, default
postgres://postgres@127.0.0.1:5432) and a Redis database (BENCH_REDIS, default
redis://127.0.0.1:6379/5, flushed), seeds programme managers, administration contacts and
submitted challenges, then for each server — gunicorn with DEBUG off and several workers (the
production configuration, `config/gunicorn.py`), and Django's runserver with the same settings —
runs N simultaneous sessions for a fixed time: managers browse the dashboard, the list and
cases and preselect a case now and then; contacts browse their dossiers. Reports requests per
second, p50/p95/p99 and errors (which must be 0), and writes docs/load.md. Not a test: nothing
fails on a slow figure. The client runs in this process (asyncio + httpx) on the same machine:
the figures compare the two servers, not an absolute capacity.
"""

import argparse
import asyncio
import datetime as dt
import os
import platform
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PASSWORD = "charge-du-banc-2026"
MANAGERS, CONTACTS, CHALLENGES = 50, 50, 4000


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def environment(args) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_ENV_FILE": "/nonexistent",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "AUDIT_HMAC_KEY": secrets.token_urlsafe(32),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": f"{args.pg}/eig_load",
            "DATABASE_CONN_MAX_AGE": "60",
            "REDIS_URL": args.redis,
            "Q_QUEUE": "eig-load",
            # Loopback over plain HTTP: no TLS in front, so no redirect to HTTPS and cookies
            # that travel over HTTP. Everything else as in production.
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_SECURE_COOKIES": "0",
            "AXES_FAILURE_LIMIT": "1000",
            "LOG_LEVEL": "ERROR",
            "MEDIA_ROOT": tempfile.mkdtemp(prefix="eig-load-media-"),
            "STATIC_ROOT": tempfile.mkdtemp(prefix="eig-load-static-"),
            "WEB_ACCESS_LOG": "/dev/null",
        }
    )
    return env


def seed(env):
    """The programme's people and cases, through the domain's functions where it matters."""
    script = f"""
import datetime as dt
from decimal import Decimal
from django.db import transaction
from django.utils import timezone
from accounts.enums import Role
from accounts.services import create_user
from lifecycle import audit, configuration
from lifecycle.actors import SYSTEM
from lifecycle.dossier import edits
from lifecycle.enums import AdministrationKind
from lifecycle.models import Administration
from lifecycle.promotions import configure_promotion

promotion = configure_promotion(number=90, name="EIG 90", year=2026, by=SYSTEM, call={{
    "submission_deadline": timezone.now() + dt.timedelta(days=60),
    "jury_starts_on": timezone.localdate() + dt.timedelta(days=90)}})
administrations = [configuration.save(Administration(name=f"Direction de charge n°{{n}}",
    kind=AdministrationKind.MINISTRY), by=SYSTEM) for n in range({CONTACTS})]
for n in range({MANAGERS}):
    create_user(f"charge-gestion-{{n}}", role=Role.PROGRAMME_MANAGER, by=SYSTEM, password="{PASSWORD}")
for n, administration in enumerate(administrations):
    create_user(f"charge-contact-{{n}}", role=Role.ADMINISTRATION_CONTACT, by=SYSTEM,
                administration=administration, password="{PASSWORD}")
with transaction.atomic():
    edits.create_challenges([edits.NewChallenge(promotion=promotion,
        administration=administrations[n % {CONTACTS}],
        name=f"Défi de charge n°{{n}}", state="submitted", profiles=["development", "design"],
        fields={{"summary": "Un défi pour mesurer la charge", "address": "20 avenue de Ségur"}})
        for n in range({CHALLENGES})], by=SYSTEM)
"""
    subprocess.run([PYTHON, "manage.py", "shell", "-v", "0", "-c", script], cwd=ROOT, env=env, check=True)


def pg_admin(sql, base):
    import psycopg

    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def challenge_ids(env) -> list[int]:
    out = subprocess.run(
        [
            PYTHON,
            "manage.py",
            "shell",
            "-v",
            "0",
            "-c",
            "from lifecycle.models import Challenge; "
            "print(' '.join(map(str, Challenge.objects.filter(state='submitted').order_by('pk')"
            ".values_list('pk', flat=True))))",
        ],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return [int(value) for value in out.stdout.split()]


class Server:
    def __init__(self, kind, env):
        self.kind, self.env, self.port = kind, env, free_port()
        self.process = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self):
        bind = f"127.0.0.1:{self.port}"
        if self.kind == "gunicorn":
            command = [PYTHON, "-m", "gunicorn", "config.wsgi", "-c", "config/gunicorn.py"]
            env = {**self.env, "WEB_BIND": bind}
        else:
            command = [PYTHON, "manage.py", "runserver", "--noreload", bind]
            env = self.env
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/compte/connexion/", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.3)
        raise RuntimeError(f"{self.kind} did not start")

    def __exit__(self, *exc):
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)


class Session:
    """One person's browser: signs in once, then browses and acts until the time is up."""

    def __init__(self, url, username, cases, stats, ids_pool):
        self.url, self.username, self.cases, self.stats, self.pool = url, username, cases, stats, ids_pool
        self.client = httpx.AsyncClient(base_url=url, timeout=30, follow_redirects=False)

    async def request(self, method, path, expected=(200,), **kwargs):
        started = time.perf_counter()
        try:
            response = await self.client.request(method, path, **kwargs)
        except httpx.HTTPError as error:
            self.stats["errors"].append(f"{method} {path}: {type(error).__name__}")
            return None
        self.stats["latencies"].append(time.perf_counter() - started)
        if response.status_code not in expected:
            self.stats["errors"].append(f"{method} {path}: {response.status_code}")
        return response

    def csrf(self):
        return self.client.cookies.get("csrftoken", "")

    async def sign_in(self):
        await self.request("GET", "/compte/connexion/")
        await self.request(
            "POST",
            "/compte/connexion/",
            expected=(302,),
            data={"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": self.csrf()},
        )

    async def run(self, until):
        await self.sign_in()
        manager = self.username.startswith("charge-gestion")
        turn = 0
        while time.monotonic() < until:
            turn += 1
            if manager:
                await self.request("GET", "/gestion/")
                await self.request("GET", f"/gestion/defis/?page={1 + turn % 20}")
                case = self.cases[turn % len(self.cases)]
                await self.request("GET", f"/gestion/defis/{case}/")
                if turn % 3 == 0 and self.pool:
                    moved = self.pool.pop()
                    await self.request(
                        "POST",
                        f"/gestion/defis/{moved}/transition/preselect/",
                        expected=(302,),
                        data={"reason": "Dossier solide", "confirm": "1", "csrfmiddlewaretoken": self.csrf()},
                    )
                    self.stats["moves"] += 1
            else:
                await self.request("GET", "/dossiers/")
                case = self.cases[turn % len(self.cases)]
                await self.request("GET", f"/dossiers/{case}/")
                await self.request("GET", f"/dossiers/{case}/etape/description/")
        await self.client.aclose()


def percentile(values, fraction):
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def drive(url, users, seconds, ids, contact_cases):
    stats = {"latencies": [], "errors": [], "moves": 0}
    until = time.monotonic() + seconds
    sessions = []
    for number in range(users):
        if number % 2 == 0:  # half managers, half contacts
            pool = ids[number::users]  # each manager moves its own cases: no conflict between them
            sessions.append(Session(url, f"charge-gestion-{number // 2}", ids[:200], stats, pool))
        else:
            cases = contact_cases[(number // 2) % len(contact_cases)]
            sessions.append(Session(url, f"charge-contact-{number // 2}", cases, stats, []))
    started = time.monotonic()
    await asyncio.gather(*(session.run(until) for session in sessions))
    elapsed = time.monotonic() - started
    latencies = stats["latencies"]
    return {
        "users": users,
        "requests": len(latencies),
        "per_second": len(latencies) / elapsed if elapsed else 0,
        "p50_ms": percentile(latencies, 0.50) * 1000,
        "p95_ms": percentile(latencies, 0.95) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
        "mean_ms": statistics.fmean(latencies) * 1000 if latencies else 0,
        "errors": len(stats["errors"]),
        "error_samples": sorted(set(stats["errors"]))[:5],
        "moves": stats["moves"],
    }


def write(path: Path, results, info, command):
    lines = [
        "# Load test: gunicorn beside runserver",
        "",
        f"Run {info['date']} on {info['machine']}, by `{command}` (bench/load.py). One run, both servers "
        "side by side, the same seeded database (PostgreSQL), Redis as cache and broker, DEBUG off.",
        "",
        f"Seed: {MANAGERS} programme managers, {CONTACTS} administrations each with its contact, "
        f"{CHALLENGES} submitted challenges. Half the sessions are managers (dashboard, list page, a "
        "case, and a preselection every third turn), half are contacts (their list, a dossier, a step). "
        f"Each level runs {info['seconds']} s. gunicorn: {info['workers']} workers (config/gunicorn.py); "
        "runserver: Django's development server (one process, a thread per request).",
        "",
        "| server | users | requests | req/s | p50 ms | p95 ms | p99 ms | errors | moves |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for server, rows in results.items():
        for row in rows:
            lines.append(
                f"| {server} | {row['users']} | {row['requests']} | {row['per_second']:.1f} | "
                f"{row['p50_ms']:.0f} | {row['p95_ms']:.0f} | {row['p99_ms']:.0f} | "
                f"{row['errors']} | {row['moves']} |"
            )
    errors = [sample for rows in results.values() for row in rows for sample in row["error_samples"]]
    lines += ["", f"Errors: {'none' if not errors else ', '.join(errors)}.", ""]
    by_users = {row["users"]: row for row in results.get("gunicorn", [])}
    for row in results.get("runserver", []):
        if row["users"] in by_users and row["per_second"]:
            ratio = by_users[row["users"]]["per_second"] / row["per_second"]
            lines.append(f"- {row['users']} user(s): gunicorn serves {ratio:.2f}× the requests of runserver.")
    lines += [
        "",
        "The client runs on the same machine as the servers: at high concurrency it takes part of the "
        "processor, so the absolute figures are a floor; the ratio between the servers is the measure.",
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", default="1,10,50")
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--pg", default=os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--redis", default=os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/5"))
    parser.add_argument("--servers", default="gunicorn,runserver")
    parser.add_argument("--output", default=str(ROOT / "docs" / "load.md"))
    args = parser.parse_args()
    levels = [int(value) for value in args.users.split(",")]
    env = environment(args)
    started = time.time()
    log("database eig_load: create, migrate, seed")
    pg_admin("DROP DATABASE IF EXISTS eig_load WITH (FORCE)", args.pg)
    pg_admin("CREATE DATABASE eig_load", args.pg)
    try:
        subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
        subprocess.run(
            [PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
        )
        seed(env)
        results = {}
        for kind in args.servers.split(","):
            results[kind] = []
            for users in levels:
                ids = challenge_ids(env)
                contact_cases = [ids[n::CONTACTS][:20] for n in range(CONTACTS)]
                with Server(kind, env) as server:
                    log(f"{kind}: {users} user(s) for {args.seconds} s")
                    row = asyncio.run(drive(server.url, users, args.seconds, ids, contact_cases))
                log(
                    f"  {row['per_second']:.1f} req/s, p50 {row['p50_ms']:.0f} ms, "
                    f"p95 {row['p95_ms']:.0f} ms, p99 {row['p99_ms']:.0f} ms, {row['errors']} error(s)"
                )
                results[kind].append(row)
    finally:
        pg_admin("DROP DATABASE IF EXISTS eig_load WITH (FORCE)", args.pg)
        subprocess.run(["redis-cli", "-u", args.redis, "FLUSHDB"], capture_output=True, check=False)
    workers = re.search(r"(\d+)", os.environ.get("WEB_CONCURRENCY", "")) or None
    info = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} cores, {platform.processor() or platform.machine()}, Python "
        f"{platform.python_version()}",
        "seconds": args.seconds,
        "workers": workers.group(1) if workers else 2 * os.cpu_count() + 1,
    }
    command = "make load" if len(sys.argv) == 1 else "bench/load.py " + " ".join(sys.argv[1:])
    write(Path(args.output), results, info, command)
    log(f"written {args.output} in {time.time() - started:.0f} s")


if __name__ == "__main__":
    main()
