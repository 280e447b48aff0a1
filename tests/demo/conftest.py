"""The demo, loaded once per test module: the load takes longer than the module's tests.

It is loaded in a transaction opened for the module and rolled back after it: each test runs in
its own, nested (pytest-django's `db`, a savepoint), rolled back after the test, so every test
sees the demo as loaded and nothing of another test. Nothing is committed, and no callback of a
commit runs, as when each test loaded it in its own transaction."""

import io
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

PASSWORD = "demo-eig-2018"


@pytest.fixture(scope="module")
def demo_database(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("demo-media")
    out = io.StringIO()
    with django_db_blocker.unblock():
        module_transaction = transaction.atomic()
        module_transaction.__enter__()
        try:
            with override_settings(MEDIA_ROOT=media):
                call_command("demo", "--manager", "gestionnaire", "--password", PASSWORD, stdout=out)
        except BaseException:
            transaction.set_rollback(True)
            module_transaction.__exit__(None, None, None)
            raise
    yield SimpleNamespace(output=out.getvalue(), media=media)
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        module_transaction.__exit__(None, None, None)


@pytest.fixture
def loaded(demo_database, db, settings):
    """The demo as loaded (what the command printed), its files where the test reads them."""
    settings.MEDIA_ROOT = demo_database.media
    return demo_database.output
