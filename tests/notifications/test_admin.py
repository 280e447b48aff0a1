import pytest
from django.urls import reverse

from accounts.enums import Role
from accounts.services import create_user
from lifecycle.actors import SYSTEM
from lifecycle.enums import ChallengeState
from notifications.enums import DeliveryStatus
from notifications.models import Batch, Notification
from tests.factories import ChallengeFactory
from tests.html_forms import form_data


@pytest.fixture
def manager_client(client, db):
    client.force_login(create_user("gestionnaire", by=SYSTEM, role=Role.PROGRAMME_MANAGER))
    return client


def bulk_reject(client, challenges, *, hold_mail):
    return client.post(
        reverse("admin:lifecycle_challenge_changelist"),
        {
            "action": "transition_reject",
            "_selected_action": [str(challenge.pk) for challenge in challenges],
            "apply": "1",
            "reason": "Hors du périmètre de l’appel",
            **({"hold_mail": "on"} if hold_mail else {}),
        },
    )


def test_a_bulk_decision_holds_its_mails_for_review_then_sends_them(
    manager_client, smtp_server, django_capture_on_commit_callbacks
):
    challenges = [ChallengeFactory(state=ChallengeState.SUBMITTED) for _ in range(20)]
    with django_capture_on_commit_callbacks(execute=True):
        bulk_reject(manager_client, challenges, hold_mail=True)

    batch = Batch.objects.get()
    assert batch.notifications.filter(status=DeliveryStatus.HELD).count() == 60
    assert smtp_server.envelopes == []

    held = batch.notifications.first()
    url = reverse("admin:notifications_notification_change", args=[held.pk])
    data = form_data(manager_client.get(url).content.decode(), "notification_form")
    assert set(data) >= {"subject", "body"}  # a held message can be edited
    manager_client.post(url, {**data, "subject": "[EIG] Réponse à votre candidature"})
    held.refresh_from_db()
    assert held.subject == "[EIG] Réponse à votre candidature"

    with django_capture_on_commit_callbacks(execute=True):
        manager_client.post(
            reverse("admin:notifications_batch_changelist"),
            {"action": "release_batches", "_selected_action": [str(batch.pk)]},
        )
    assert len(smtp_server.envelopes) == 60
    assert "[EIG] Réponse à votre candidature" in smtp_server.header("Subject")


def test_a_sent_message_can_no_longer_be_edited(
    manager_client, smtp_server, django_capture_on_commit_callbacks
):
    challenge = ChallengeFactory(state=ChallengeState.SUBMITTED)
    with django_capture_on_commit_callbacks(execute=True):
        bulk_reject(manager_client, [challenge], hold_mail=False)
    sent = Notification.objects.filter(status=DeliveryStatus.SENT).first()
    url = reverse("admin:notifications_notification_change", args=[sent.pk])
    page = manager_client.get(url)
    assert 'name="subject"' not in page.content.decode()
    # Saving it anyway (its fields all read-only) changes nothing and fails nothing.
    assert manager_client.post(url, {"_save": "1", "subject": "Autre objet"}).status_code == 302
    sent.refresh_from_db()
    assert sent.status == DeliveryStatus.SENT and sent.subject != "Autre objet"


def test_the_admin_retries_certain_failures_and_leaves_uncertain_ones_to_the_dashboard(manager_client):
    challenge = ChallengeFactory(state=ChallengeState.SUBMITTED)
    certain, uncertain = (
        Notification.objects.create(
            challenge=challenge,
            event="preselected",
            recipient_email=f"{name}@exemple.fr",
            subject="[EIG] Objet",
            body="Bonjour",
            status=DeliveryStatus.FAILED,
            uncertain=name == "incertain",
            idempotency_key=name,
        )
        for name in ("certain", "incertain")
    )
    response = manager_client.post(
        reverse("admin:notifications_notification_changelist"),
        {"action": "retry_failed", "_selected_action": [str(certain.pk), str(uncertain.pk)]},
        follow=True,
    )
    page = response.content.decode()
    assert "1 message(s) remis en file d’envoi." in page
    assert "1 message(s) à la remise incertaine laissé(s) de côté : le destinataire a pu le recevoir." in page
    certain.refresh_from_db()
    uncertain.refresh_from_db()
    assert certain.status != DeliveryStatus.FAILED
    assert (uncertain.status, uncertain.uncertain) == (DeliveryStatus.FAILED, True)


def test_address_problems_are_shown_on_the_case(manager_client, django_capture_on_commit_callbacks):
    challenge = ChallengeFactory(state=ChallengeState.SUBMITTED)
    challenge.mentors.filter(role="strategic").update(email="pas-une-adresse")
    with django_capture_on_commit_callbacks(execute=True):
        bulk_reject(manager_client, [challenge], hold_mail=False)

    page = manager_client.get(reverse("admin:lifecycle_challenge_change", args=[challenge.pk]))

    assert "L’adresse de Mentor stratégique Sacha Lefèvre n’est pas valide : « pas-une-adresse »." in (
        page.content.decode().replace("&#x27;", "'").replace("&laquo;", "«").replace("&raquo;", "»")
    )
