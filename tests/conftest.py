import pytest
from django.db import connection

from lifecycle.actors import SYSTEM


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
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://… (CI runs it)")
    return connection
