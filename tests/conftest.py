import pytest
from django.db import connection

from lifecycle.actors import SYSTEM

NEEDS_POSTGRESQL = "needs PostgreSQL: run with DATABASE_URL=postgres://… (CI runs it)"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


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
