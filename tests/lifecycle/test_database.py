"""`manage.py database prepare` on a new PostgreSQL database: the owner migrates, the
application's role gets its rights and no more, and the deployment check says so."""

import os
import subprocess
import sys

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from lifecycle import database
from tests.conftest import NEEDS_ROLES, owner_conninfo

pytestmark = pytest.mark.django_db


@pytest.fixture
def new_database(request):
    """A new database, owned by the owner's role, or by the application's (`owned_by_application`)."""
    if connection.vendor != "postgresql" or database.owner_settings() is None:
        pytest.skip(NEEDS_ROLES)
    name = f"eig_prepare_{os.getpid()}"
    owned_by_application = request.node.get_closest_marker("owned_by_application") is not None
    owner = connection.settings_dict["USER"] if owned_by_application else database.owner_settings()["USER"]
    with psycopg.connect(owner_conninfo("postgres"), autocommit=True) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}"')
        server.execute(f'CREATE DATABASE "{name}" OWNER "{owner}"')
    yield name
    with psycopg.connect(owner_conninfo("postgres"), autocommit=True) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(name, *arguments, owner=True):
    application, owner_role = connection.settings_dict, database.owner_settings()
    host, port = application["HOST"] or "127.0.0.1", application["PORT"] or 5432
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.test_settings",
        "DATABASE_URL": f"postgres://{application['USER']}@{host}:{port}/{name}",
        "DATABASE_OWNER_URL": f"postgres://{owner_role['USER']}@{host}:{port}/{name}" if owner else "",
    }
    return subprocess.run(
        [sys.executable, str(settings.BASE_DIR / "manage.py"), *arguments],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


# What make serve runs after `database prepare`.
DATABASE_CHECK = (
    "check",
    "--deploy",
    "--database",
    "default",
    "--tag",
    "database",
    "--fail-level",
    "WARNING",
)


def test_prepare_migrates_as_the_owner_and_grants_the_application_its_rights(new_database):
    done = manage(new_database, "database", "-v0", "prepare")
    assert done.returncode == 0, done.stderr
    role = connection.settings_dict["USER"]
    assert done.stdout.strip().endswith(
        f"Base prête : migrations en propriétaire, droits accordés au rôle « {role} »."
    )

    conninfo = psycopg.conninfo.make_conninfo(owner_conninfo(new_database), user=role)
    with psycopg.connect(conninfo, autocommit=True) as application:
        owners = application.execute(
            "SELECT DISTINCT tableowner = current_user FROM pg_tables WHERE schemaname = 'public'"
        ).fetchall()
        rights = application.execute(
            "SELECT has_table_privilege('lifecycle_challenge', 'UPDATE'),"
            " has_table_privilege('lifecycle_auditevent', 'INSERT'),"
            " has_table_privilege('lifecycle_auditevent', 'UPDATE'),"
            " has_table_privilege('lifecycle_auditevent', 'DELETE'),"
            " has_table_privilege('lifecycle_auditchainhead', 'UPDATE'),"
            " has_table_privilege('lifecycle_auditchainhead', 'DELETE'),"
            " has_table_privilege('django_migrations', 'SELECT'),"
            " has_table_privilege('django_migrations', 'INSERT'),"
            " has_sequence_privilege('lifecycle_challenge_id_seq', 'USAGE'),"
            " has_sequence_privilege('lifecycle_auditevent_id_seq', 'UPDATE'),"
            " has_database_privilege(current_database(), 'TEMPORARY')"
        ).fetchone()
    assert owners == [(False,)]
    assert rights == (True, True, False, False, True, False, True, False, True, False, False)

    checked = manage(new_database, *DATABASE_CHECK)
    assert (checked.returncode, checked.stdout.strip()) == (
        0,
        "System check identified no issues (0 silenced).",
    )


@pytest.mark.owned_by_application
def test_the_deployment_check_warns_when_the_application_owns_its_tables(new_database):
    """Without an owner's URL, the application migrates with its own role, and then owns the
    tables and could switch their triggers off: the check says so."""
    done = manage(new_database, "database", "-v0", "prepare", owner=False)
    assert done.returncode == 0, done.stderr
    assert "Base prête : migrations avec le rôle de l’application (pas de DATABASE_OWNER_URL)." in done.stdout
    assert "Attention : the application's role owns the audit tables" in done.stderr

    checked = manage(new_database, *DATABASE_CHECK, owner=False)
    assert checked.returncode == 1  # make serve stops there
    assert "(lifecycle.W001) The application's role owns the audit tables" in checked.stderr
