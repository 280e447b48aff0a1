import psycopg
import pytest
from django.db import connection, connections
from django.db.backends.postgresql.operations import DatabaseOperations
from django.test.utils import setup_databases, teardown_databases
from django.utils import translation
from django_q.conf import Conf

from lifecycle import database
from lifecycle.actors import SYSTEM
from tests.smtp import SMTPServer

NEEDS_POSTGRESQL = "needs PostgreSQL: run with DATABASE_URL=postgres://… (CI runs it)"
NEEDS_ROLES = (
    "needs PostgreSQL with an application role and DATABASE_OWNER_URL "
    "(CI runs it: DATABASE_URL=postgres://eig_app@… DATABASE_OWNER_URL=postgres://postgres@…)"
)


def owner_conninfo(dbname: str) -> str:
    """The owner's connection to `dbname`: DATABASE_OWNER_URL's role, else the application's own
    (a developer's database, where the application is the owner)."""
    owner = database.owner_settings() or connections["default"].settings_dict
    return psycopg.conninfo.make_conninfo(
        dbname=dbname,
        user=owner["USER"],
        password=owner["PASSWORD"] or None,
        host=owner["HOST"] or "127.0.0.1",
        port=owner["PORT"] or 5432,
    )


def _flush_as_owner(self, sql_list):
    """Emptying a test database (transactional tests) is the owner's work, triggers switched off
    (the audit trail refuses TRUNCATE even to its owner): a superuser's, as in CI."""
    with psycopg.connect(owner_conninfo(self.connection.settings_dict["NAME"]), autocommit=True) as owner:
        owner.execute("SET session_replication_role = replica")
        for statement in sql_list:
            owner.execute(statement)


@pytest.fixture(scope="session")
def django_db_setup(request, django_test_environment, django_db_blocker, django_db_modify_db_settings):
    """The test database, created and migrated as in production: on PostgreSQL with
    DATABASE_OWNER_URL, by the owner's role, the tests then running with the application's role,
    which owns nothing (lifecycle.database). One per pytest-xdist worker (test_eig_gw0, …: the
    suffix pytest-django's `django_db_modify_db_settings` gives)."""
    verbosity = request.config.option.verbose
    default = connections["default"]
    owner = database.owner_settings() if default.vendor == "postgresql" else None
    application = {key: default.settings_dict[key] for key in ("USER", "PASSWORD")}
    with django_db_blocker.unblock():
        if owner is not None:
            default.close()
            default.settings_dict.update(USER=owner["USER"], PASSWORD=owner["PASSWORD"])
        databases = setup_databases(verbosity=verbosity, interactive=False)
        if owner is not None:
            database.grant_application_role(default, application["USER"])
            default.close()
            default.settings_dict.update(application)
        if default.vendor == "postgresql":
            DatabaseOperations.execute_sql_flush = _flush_as_owner
    yield
    with django_db_blocker.unblock():
        if owner is not None:
            default.close()
            default.settings_dict.update(USER=owner["USER"], PASSWORD=owner["PASSWORD"])
        if default.vendor == "postgresql":
            _disconnect_others(default.settings_dict["NAME"])
        teardown_databases(databases, verbosity=verbosity)


def _disconnect_others(name):
    """Whatever still holds a connection to the test database when it is dropped (a worker
    process a test started and stopped a moment ago, still closing) is closed first: DROP DATABASE
    refuses a database in use."""
    with psycopg.connect(owner_conninfo("postgres"), autocommit=True) as server:
        server.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        )


@pytest.fixture
def full_access():
    """SQL run by someone with full access to the database (the tables' owner, triggers switched
    off where they exist): what the application's own role cannot do. Committed data only on
    PostgreSQL (another connection): for transactional tests."""
    if connection.vendor == "sqlite":

        def run(sql, params=()):
            with connection.cursor() as cursor:
                cursor.execute(sql, params)

        yield run
        return
    with psycopg.connect(owner_conninfo(connection.settings_dict["NAME"]), autocommit=True) as owner:
        owner.execute("SET session_replication_role = replica")
        yield lambda sql, params=(): owner.execute(sql, params)


@pytest.fixture
def database_owner(db):
    """What someone with the owner's access can do to the test database, bypassing the
    application: a psycopg connection as the owner (PostgreSQL with roles)."""
    if connection.vendor != "postgresql" or database.owner_settings() is None:
        pytest.skip(NEEDS_ROLES)
    with psycopg.connect(owner_conninfo(connection.settings_dict["NAME"]), autocommit=True) as owner:
        yield owner


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def empty_cache():
    """The throttling counts live in the cache: each test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def french_by_default():
    """A request in English leaves English active in this thread: every test starts in French."""
    translation.activate("fr")
    yield
    translation.activate("fr")


@pytest.fixture
def system():
    return SYSTEM


@pytest.fixture
def postgresql(db):
    if connection.vendor != "postgresql":
        pytest.skip(NEEDS_POSTGRESQL)
    return connection


@pytest.fixture
def postgresql_transactional(transactional_db):
    """Committed data, for tests where several connections work at once."""
    if connection.vendor != "postgresql":
        pytest.skip(NEEDS_POSTGRESQL)
    return connection


@pytest.fixture(autouse=True)
def tasks_run_inline(monkeypatch):
    """django-q2 runs an enqueued task at once, in this process, through its real worker code."""
    monkeypatch.setattr(Conf, "SYNC", True)


@pytest.fixture
def smtp_server(settings):
    server = SMTPServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_TIMEOUT = 5
    yield server
    server.stop()
