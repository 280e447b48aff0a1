"""The audit chain's head, published outside the database every day."""

import io
import json

import pytest
from django.core import mail
from django.core.management import call_command
from django_q.models import Schedule

from accounts.enums import Role
from lifecycle import anchoring, services
from lifecycle.models import AuditChainHead
from tests.factories import ChallengeFactory, programme_manager, user_with_role


@pytest.fixture
def moved(db):
    challenge = ChallengeFactory(state="submitted")
    services.transition(challenge, "preselect", by=programme_manager(), reason="Bon dossier")
    return AuditChainHead.objects.get()


def test_the_head_is_written_outside_the_database_and_mailed_to_the_auditors(moved, settings, tmp_path):
    settings.AUDIT_ANCHOR_LOCATION = str(tmp_path / "ancres")
    user_with_role(Role.AUDITOR, username="alex", email="alex.morel@ccomptes.fr")
    user_with_role(Role.AUDITOR, username="ancien", email="ancien@ccomptes.fr", is_active=False)
    settings.AUDIT_ANCHOR_EMAILS = ["inspection@exemple.gouv.fr"]

    published = anchoring.publish_head()

    [written] = (tmp_path / "ancres").iterdir()
    record = json.loads(written.read_text())
    assert (record["length"], record["last_hash"]) == (1, moved.last_hash)
    [message] = mail.outbox
    assert message.to == ["alex.morel@ccomptes.fr", "inspection@exemple.gouv.fr"]
    assert f"manage.py audit verify --head 1:{moved.last_hash}" in message.body
    assert published.text == f"1:{moved.last_hash}"


def test_the_publish_command_and_the_daily_schedule(moved, settings, tmp_path):
    settings.AUDIT_ANCHOR_LOCATION = str(tmp_path)
    call_command("schedules", "sync", stdout=io.StringIO())
    schedule = Schedule.objects.get(name="audit: publish the head")
    assert (schedule.func, schedule.schedule_type) == ("lifecycle.tasks.publish_audit_head", Schedule.DAILY)
    user_with_role(Role.AUDITOR, username="alex", email="alex.morel@ccomptes.fr")
    out = io.StringIO()
    call_command("audit", "publish", stdout=out)
    assert out.getvalue().startswith(f"Tête 1:{moved.last_hash} publiée dans ")
    assert out.getvalue().endswith("Envoyée à : alex.morel@ccomptes.fr.\n")


def test_with_nobody_to_tell_the_publication_says_so(moved, settings, tmp_path, caplog):
    settings.AUDIT_ANCHOR_LOCATION = str(tmp_path / "ancres")
    out, err = io.StringIO(), io.StringIO()
    call_command("audit", "publish", stdout=out, stderr=err)
    assert mail.outbox == []
    assert len(list((tmp_path / "ancres").iterdir())) == 1  # written all the same
    assert err.getvalue().strip() == (
        "Attention : la tête du journal d’audit n’a été envoyée à personne : aucun auditeur actif n’a "
        "d’adresse et AUDIT_ANCHOR_EMAILS est vide. Elle n’est conservée qu’à l’emplacement de publication."
    )
    assert anchoring.NOBODY_TOLD in caplog.text
