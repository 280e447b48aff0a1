import pytest
from django.db import connection
from django.utils import translation
from django_q.conf import Conf

from lifecycle.actors import SYSTEM
from tests.smtp import SMTPServer

NEEDS_POSTGRESQL = "needs PostgreSQL: run with DATABASE_URL=postgres://… (CI runs it)"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


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
