"""The database's roles: the application works with a role that owns neither the tables nor
their triggers, so that it cannot disable them; migrations run with the owner's role.

`prepare()` (`manage.py database prepare`, run by `make serve`) migrates with the owner's
connection (`settings.DATABASE_OWNER_URL`) and grants the application's role what it needs:
reading and writing every table but the audit trail, where it may only add events and move the
chain's head forward (the triggers of migrations 0002 and 0006 say so too).
"""

import os
import subprocess
import sys
from pathlib import Path

import environ
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connections

OWNER_ALIAS = "owner"


def grants(role: str, database_name: str) -> list[tuple[str, tuple]]:
    """The statements that give `role` the application's rights, as (SQL, identifiers)."""
    return [
        ("GRANT USAGE ON SCHEMA public TO {}", (role,)),
        ("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}", (role,)),
        ("GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {}", (role,)),
        (
            "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {}",
            (role,),
        ),
        ("ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {}", (role,)),
        # The trail: add events, move the head; never change, delete or empty them, nor reset the
        # events' numbering (setval) to slip an event in among them.
        ("REVOKE UPDATE, DELETE, TRUNCATE ON lifecycle_auditevent FROM {}", (role,)),
        ("REVOKE DELETE, TRUNCATE ON lifecycle_auditchainhead FROM {}", (role,)),
        ("REVOKE UPDATE ON SEQUENCE lifecycle_auditevent_id_seq FROM {}", (role,)),
        # Which migrations ran is the owner's record: the application only reads it.
        ("REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON django_migrations FROM {}", (role,)),
        # No temporary table that would shadow the trail in the application's own session.
        ("REVOKE TEMPORARY ON DATABASE {} FROM PUBLIC", (database_name,)),
        ("REVOKE TEMPORARY ON DATABASE {} FROM {}", (database_name, role)),
    ]


def _run(connection, statements):
    with connection.cursor() as cursor:
        for statement, identifiers in statements:
            quoted = [connection.ops.quote_name(identifier) for identifier in identifiers]
            cursor.execute(statement.format(*quoted))


def grant_application_role(connection, role: str):
    """Run the grants on `connection` (the owner's), for `role`."""
    _run(connection, grants(role, connection.settings_dict["NAME"]))


def owner_settings() -> dict | None:
    """The owner's connection settings (the application's database, the owner's credentials)."""
    if not settings.DATABASE_OWNER_URL:
        return None
    owner = environ.Env.db_url_config(settings.DATABASE_OWNER_URL)
    merged = dict(connections["default"].settings_dict)
    for key in ("NAME", "USER", "PASSWORD", "HOST", "PORT"):
        if owner.get(key) not in (None, ""):
            merged[key] = owner[key]
    return merged


def owner_connection():
    """A connection with the owner's role, as a Django connection alias."""
    owner = owner_settings()
    if owner is None:
        return None
    connections.settings[OWNER_ALIAS] = owner
    return connections[OWNER_ALIAS]


def prepare(*, stdout=None, verbosity=1):
    """Migrate as the owner and grant the application's role its rights (PostgreSQL); without an
    owner's URL, migrate with the application's own connection (which then owns its tables: the
    deployment check says so).

    The migrations run in a process of their own whose only database is the owner's: some
    libraries' data migrations use the default connection whatever the migration's."""
    owner = owner_connection()
    application = connections["default"]
    if owner is None or application.vendor != "postgresql":
        call_command("migrate", interactive=False, verbosity=verbosity, stdout=stdout)
        return False
    role = application.settings_dict["USER"]
    # Tables created by these migrations are the application's to use as soon as they exist.
    _run(owner, [grant for grant in grants(role, "") if grant[0].startswith("ALTER DEFAULT")])
    env = {**os.environ, "DATABASE_URL": settings.DATABASE_OWNER_URL, "DATABASE_OWNER_URL": ""}
    command = [
        sys.executable,
        str(Path(settings.BASE_DIR) / "manage.py"),
        "migrate",
        "--noinput",
        f"-v{verbosity}",
    ]
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if stdout is not None:
        stdout.write(done.stdout)
    if done.returncode:
        raise CommandError(f"Les migrations ont échoué :\n{done.stderr}")
    grant_application_role(owner, role)
    return True


def role_problems(connection) -> list[str]:
    """What is wrong with the role the application connects with (PostgreSQL)."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper, pg_has_role(current_user, tableowner, 'USAGE') "
            "FROM pg_roles, pg_tables WHERE rolname = current_user AND tablename = 'lifecycle_auditevent'"
        )
        row = cursor.fetchone()
    if row is None:
        return []
    superuser, owns = row
    problems = []
    if superuser:
        problems.append("the application connects as a PostgreSQL superuser")
    elif owns:
        problems.append("the application's role owns the audit tables (and so can disable their triggers)")
    return problems
