"""The whole path through real processes: a move enqueues on commit, a django-q2 cluster delivers."""

import os
import subprocess
import sys
import time
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


@pytest.mark.django_db(transaction=True)
def test_a_worker_cluster_delivers_what_a_move_enqueued(smtp_server, monkeypatch, tmp_path):
    monkeypatch.setattr(Conf, "SYNC", False)  # enqueue in the ORM broker, as in production
    manager = programme_manager(username="gestionnaire")
    challenge = ChallengeFactory(state=ChallengeState.SUBMITTED, name="Défi d’été")

    services.transition(challenge, "preselect", by=manager, reason="Très bon dossier")
    assert Notification.objects.filter(status=DeliveryStatus.PENDING).count() == 3
    assert smtp_server.envelopes == []

    env = {
        **os.environ,
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
        deadline = time.monotonic() + 60
        while len(smtp_server.envelopes) < 3 and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        worker.terminate()
        _out, errors = worker.communicate(timeout=30)

    assert (
        sorted(smtp_server.header("Subject")) == ["[EIG] Votre défi « Défi d’été » est présélectionné"] * 3
    ), errors.decode()[-2000:]
    assert Notification.objects.filter(status=DeliveryStatus.SENT).count() == 3
