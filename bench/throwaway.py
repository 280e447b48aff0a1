"""What every bench of its own (`bench/jury_ranking.py`, `bench/recruitment_lists.py`,
`bench/bulk_moves.py`, `bench/api_webhooks.py`) does around its measures: the production
settings in this process, a throw-away database (PostgreSQL by default: created when missing,
migrated, dropped afterwards unless `--keep`; never `eig` nor `test_*`), and its section written
into docs/benchmarks.md between its markers."""

import os
import platform
import secrets
import shutil
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def machine() -> dict:
    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return {"nproc": os.cpu_count(), "cpu": cpu, "python": platform.python_version()}


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


def environment(url: str, *, name: str, static: bool = False, more: dict | None = None) -> list[str]:
    """As bench/run.py gives bench/measure.py: production settings (DEBUG off), loopback; the
    bench's own folders for uploads (and static files, collected there as `make serve` does:
    DEBUG off serves hashed files) — returned, removed at the end. `more`: the bench's own
    defaults."""
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_DEBUG"] = "0"
    folders = [tempfile.mkdtemp(prefix=f"eig-bench-{name}-media-")]
    os.environ["MEDIA_ROOT"] = folders[0]
    if static:
        folders.append(tempfile.mkdtemp(prefix=f"eig-bench-{name}-static-"))
        os.environ["STATIC_ROOT"] = folders[1]
    for variable, value in {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "AUDIT_HMAC_KEY": secrets.token_urlsafe(32),
        "DJANGO_ALLOW_SQLITE": "1",
        "DJANGO_SINGLE_PROCESS": "1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_SECURE_COOKIES": "0",
        "Q_QUEUE": f"eig-bench-{name}",
        "LOG_LEVEL": "ERROR",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        **(more or {}),
    }.items():
        os.environ.setdefault(variable, value)
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    return folders


def add_arguments(parser, *, database: str):
    """The arguments every bench of its own takes: where its database is, where its section goes."""
    parser.add_argument("--pg", default=os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--pg-database", default=database)
    parser.add_argument("--output", default=str(ROOT / "docs" / "benchmarks.md"), help="'-': stdout only")
    parser.add_argument("--keep", action="store_true", help="do not drop a database this run created")


def database_url(args) -> str:
    return os.environ.get("DATABASE_URL") or f"{args.pg}/{args.pg_database}"


def command_line(script: str, url: str) -> str:
    """How the bench was run, as its section says it."""
    command = f"python bench/{script}" + ("" if len(sys.argv) == 1 else " " + " ".join(sys.argv[1:]))
    return f"DATABASE_URL={url} {command}" if os.environ.get("DATABASE_URL") else command


def on_throwaway_database(
    parser, args, measure, *, name: str, static: bool = False, more: dict | None = None
):
    """`measure()`'s result, run on the bench's database (created when missing, migrated, its
    static files collected if `static`; dropped afterwards if this run created it, unless
    `--keep`), in the production settings (`environment`)."""
    url = database_url(args)
    pg = _pg(url)
    database = pg[1] if pg else ""
    if pg and (database == "eig" or database.startswith("test")):
        parser.error("the bench database must not be `eig` nor `test_*`")
    created = False
    if pg and not _pg_exists(*pg):
        log(f"creating the database {database}")
        _pg_admin(pg[0], f'CREATE DATABASE "{database}"')
        created = True
    folders = environment(url, name=name, static=static, more=more)
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connections

        log(f"migrating {database or url}")
        call_command("migrate", "--noinput", verbosity=0)
        if static:
            call_command("collectstatic", "--noinput", verbosity=0)
        result = measure()
        connections.close_all()
    finally:
        for folder in folders:
            shutil.rmtree(folder, ignore_errors=True)
        if created and not args.keep:
            log(f"dropping the database {database}")
            _pg_admin(pg[0], f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    return result


def publish(args, text: str, *, raw: Path | None = None):
    """Print the section, and write it into `--output` unless that is '-'."""
    print(text)
    if args.output != "-":
        write_section(Path(args.output), text)
        log(f"wrote its section into {args.output}" + (f" (raw figures: {raw})" if raw else ""))
