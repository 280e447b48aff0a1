"""The whole path through real processes: a move enqueues on commit, a django-q2 cluster delivers."""

import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection
from django_q.conf import Conf

from lifecycle import services
from lifecycle.enums import ChallengeState
from notifications.enums import DeliveryStatus
from notifications.models import Notification
from tests.factories import ChallengeFactory, programme_manager

ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


REDIS_URL = "redis://127.0.0.1:6379/0"


def redis_is_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(params=["orm", "redis"])
def broker(request, monkeypatch):
    """The broker the move enqueues into and the worker reads from."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    monkeypatch.setattr(Conf, "SYNC", False)
    monkeypatch.setattr(Conf, "CLUSTER_NAME", queue)
    env = {"Q_QUEUE": queue}
    if request.param == "redis":
        if not redis_is_up() and not os.environ.get("CI"):
            pytest.skip("needs Redis at 127.0.0.1:6379 (CI has it)")
        monkeypatch.setattr(Conf, "ORM", None)
        monkeypatch.setattr(Conf, "REDIS", REDIS_URL)
        env["REDIS_URL"] = REDIS_URL
    return env


@pytest.mark.django_db(transaction=True)
def test_a_worker_cluster_delivers_what_a_move_enqueued(smtp_server, broker, tmp_path):
    manager = programme_manager(username="gestionnaire")
    challenge = ChallengeFactory(state=ChallengeState.SUBMITTED, name="Défi d’été")

    services.transition(challenge, "preselect", by=manager, reason="Très bon dossier")
    assert Notification.objects.filter(status=DeliveryStatus.PENDING).count() == 3
    assert smtp_server.envelopes == []

    env = {
        **os.environ,
        **broker,
        "DATABASE_URL": database_url(),
        "EMAIL_PORT": str(smtp_server.port),
        "EMAIL_HOST": "127.0.0.1",
        "MEDIA_ROOT": str(tmp_path),
    }
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        # Well before the sweep's first run (30 s): the enqueued tasks themselves must deliver.
        deadline = time.monotonic() + 20
        while len(smtp_server.envelopes) < 3 and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        worker.terminate()
        _out, errors = worker.communicate(timeout=30)

    assert (
        sorted(smtp_server.header("Subject")) == ["[EIG] Votre défi « Défi d’été » est présélectionné"] * 3
    ), errors.decode()[-2000:]
    assert Notification.objects.filter(status=DeliveryStatus.SENT).count() == 3
