import datetime as dt
import threading

import pytest
import time_machine
from django.core.management import call_command
from django.db import connections
from django.utils import timezone
from django_q.conf import Conf

from lifecycle import services
from lifecycle.actors import SYSTEM
from lifecycle.enums import ChallengeState
from notifications import delivery, outbox
from notifications.enums import DeliveryStatus, MessageEvent
from notifications.models import Batch, Notification
from tests.factories import AdministrationFactory, ChallengeFactory, administration_contact, programme_manager

S = ChallengeState
TEAM = "entrepreneur-interet-general@data.gouv.fr"


@pytest.fixture
def manager(db):
    return programme_manager(username="gestionnaire")


@pytest.fixture
def challenge(db):
    administration = AdministrationFactory(name="Direction interministérielle du numérique")
    challenge = ChallengeFactory(state=S.SUBMITTED, name="Données de santé", administration=administration)
    administration_contact(administration, username="contact-dinum", email="contact@numerique.gouv.fr")
    return challenge


def move(challenge, name, by, capture, **options):
    with capture(execute=True):
        return services.transition(challenge, name, by=by, **options)


def test_a_move_is_announced_by_email_to_every_contact(
    smtp_server, challenge, manager, django_capture_on_commit_callbacks
):
    move(challenge, "preselect", manager, django_capture_on_commit_callbacks, reason="Dossier très solide")

    assert sorted(to for envelope in smtp_server.envelopes for to in envelope.rcpt_tos) == sorted(
        ["alix.durand@example.gouv.fr", "sacha.lefevre@example.gouv.fr", "contact@numerique.gouv.fr", TEAM]
    )
    message = next(m for m in smtp_server.messages if m["To"] == "contact@numerique.gouv.fr")
    assert message["From"] == "Programme EIG <entrepreneur-interet-general@data.gouv.fr>"
    assert message["Subject"].strip() == "[EIG] Votre défi « Données de santé » est présélectionné"
    assert message.get_content_charset() == "utf-8"
    body = message.get_content()
    assert "Dossier très solide" in body
    assert f"http://127.0.0.1:8000/dossiers/{challenge.pk}/" in body
    sent = Notification.objects.get(recipient_email="contact@numerique.gouv.fr")
    assert message["Message-ID"].strip() == sent.message_id
    assert sent.idempotency_key == f"audit-{sent.audit_event_id}:preselected:contact@numerique.gouv.fr"
    assert set(Notification.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}


def test_messages_survive_a_mail_server_outage_and_arrive_once(
    smtp_server, manager, django_capture_on_commit_callbacks
):
    challenges = [ChallengeFactory(state=S.SUBMITTED) for _ in range(3)]
    smtp_server.stop()

    for challenge in challenges:
        move(challenge, "reject", manager, django_capture_on_commit_callbacks, reason="Hors périmètre")

    waiting = Notification.objects.filter(status=DeliveryStatus.PENDING)
    assert waiting.count() == 9  # 3 challenges × (2 mentors + the team's copy)
    assert all("ConnectionRefusedError" in n.last_error and n.attempts == 1 for n in waiting)

    smtp_server.start()
    assert delivery.send_due() == {"abandoned": 0}  # not yet due: the first retry waits a minute
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=2)):
        assert delivery.send_due() == {"abandoned": 0, "sent": 9}
        assert delivery.send_due() == {"abandoned": 0}

    ids = smtp_server.header("Message-ID")
    assert len(ids) == len(set(ids)) == 9
    assert Notification.objects.filter(status=DeliveryStatus.SENT).count() == 9


def test_a_temporary_refusal_is_retried_with_growing_delays_then_fails(
    smtp_server, manager, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFICATIONS_TEAM_EMAIL = ""
    settings.NOTIFICATIONS_RETRY_DELAYS = [60, 300]
    smtp_server.handler.reply = "451 4.3.0 Mailbox temporarily unavailable"
    challenge = ChallengeFactory(state=S.SUBMITTED)
    challenge.mentors.filter(role="strategic").delete()
    start = timezone.now()

    move(challenge, "reject", manager, django_capture_on_commit_callbacks, reason="Hors périmètre")
    notification = Notification.objects.get()
    assert (notification.status, notification.attempts) == (DeliveryStatus.PENDING, 1)
    assert notification.last_error == "451 4.3.0 Mailbox temporarily unavailable"
    first_delay = notification.next_attempt_at - start
    assert dt.timedelta(seconds=59) < first_delay < dt.timedelta(seconds=65)

    with time_machine.travel(start + dt.timedelta(seconds=70)):
        delivery.send_due()
        notification.refresh_from_db()
        assert (notification.status, notification.attempts) == (DeliveryStatus.PENDING, 2)
        second_delay = notification.next_attempt_at - timezone.now()
        assert dt.timedelta(seconds=299) < second_delay < dt.timedelta(seconds=301)
    with time_machine.travel(start + dt.timedelta(seconds=400)):
        delivery.send_due()
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (DeliveryStatus.FAILED, 3)
    assert smtp_server.envelopes == []


def test_a_permanent_refusal_is_not_retried(
    smtp_server, manager, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFICATIONS_TEAM_EMAIL = ""
    smtp_server.handler.reply = "550 5.1.1 Mailbox unknown"
    challenge = ChallengeFactory(state=S.SUBMITTED)

    move(challenge, "reject", manager, django_capture_on_commit_callbacks, reason="Hors périmètre")

    assert (
        list(Notification.objects.values_list("status", "attempts", "last_error"))
        == [(DeliveryStatus.FAILED, 1, "550 5.1.1 Mailbox unknown")] * 2
    )
    with time_machine.travel(timezone.now() + dt.timedelta(days=1)):
        assert delivery.send_due() == {"abandoned": 0}

    smtp_server.handler.reply = None
    assert outbox.retry(Notification.objects.all(), by=SYSTEM) == 2  # a manager's decision
    assert len(smtp_server.envelopes) == 0  # on commit: not in this test's transaction
    assert delivery.send_due() == {"abandoned": 0, "sent": 2}


def test_a_send_abandoned_by_a_dead_worker_is_never_resent_by_itself(smtp_server, challenge):
    outbox.queue(challenge, MessageEvent.SELECTED, key="test")
    Notification.objects.update(status=DeliveryStatus.SENDING, claimed_at=timezone.now())

    with time_machine.travel(timezone.now() + dt.timedelta(minutes=11)):
        assert delivery.send_due() == {"abandoned": 4}
    assert set(Notification.objects.values_list("status", flat=True)) == {DeliveryStatus.FAILED}
    assert Notification.objects.first().last_error.startswith("Envoi interrompu")
    assert smtp_server.envelopes == []


def test_the_same_message_is_queued_once_per_event_and_recipient(challenge):
    first = outbox.queue(challenge, MessageEvent.SELECTED, key="audit-1")
    again = outbox.queue(challenge, MessageEvent.SELECTED, key="audit-1")
    assert (len(first), again) == (4, [])


@pytest.mark.django_db(transaction=True)
def test_two_workers_on_one_outbox_send_each_message_once(smtp_server, monkeypatch):
    monkeypatch.setattr(Conf, "SYNC", False)  # the tasks wait in the broker: the workers race
    challenges = [ChallengeFactory(state=S.SUBMITTED) for _ in range(10)]
    for challenge in challenges:
        outbox.queue(challenge, MessageEvent.NOT_PRESELECTED, key=f"race-{challenge.pk}")
    assert Notification.objects.count() == 30
    start = threading.Barrier(2)
    outcomes = []

    def worker():
        start.wait()
        try:
            outcomes.append(delivery.send_due())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    ids = smtp_server.header("Message-ID")
    assert len(ids) == len(set(ids)) == 30
    assert sum(outcome.get("sent", 0) for outcome in outcomes) == 30, outcomes
    assert Notification.objects.filter(status=DeliveryStatus.SENT).count() == 30


def test_held_messages_leave_only_when_released(smtp_server, manager, django_capture_on_commit_callbacks):
    challenges = [ChallengeFactory(state=S.SUBMITTED) for _ in range(3)]
    with outbox.review_of_act(by=manager, transition="reject") as review:  # one act: one review
        for challenge in challenges:
            move(
                challenge,
                "reject",
                manager,
                django_capture_on_commit_callbacks,
                reason="Hors périmètre",
                options={outbox.HOLD_MAIL: review},
            )

    batch = Batch.objects.get()
    assert batch.notifications.filter(status=DeliveryStatus.HELD).count() == 9
    assert delivery.send_due() == {"abandoned": 0}
    assert smtp_server.envelopes == []

    edited = batch.notifications.filter(recipient_email=TEAM).first()
    edited.subject = "[EIG] Décision relue"
    edited.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.release(batch, by=SYSTEM) == 9

    assert len(smtp_server.envelopes) == 9
    assert "[EIG] Décision relue" in smtp_server.header("Subject")


def test_a_discarded_batch_sends_nothing(smtp_server, manager, django_capture_on_commit_callbacks):
    challenge = ChallengeFactory(state=S.SUBMITTED)
    move(
        challenge,
        "reject",
        manager,
        django_capture_on_commit_callbacks,
        reason="x",
        options={outbox.HOLD_MAIL: True},
    )
    assert outbox.discard(Batch.objects.get(), by=SYSTEM) == 3
    assert delivery.send_due() == {"abandoned": 0}
    assert smtp_server.envelopes == []
    assert set(Notification.objects.values_list("status", flat=True)) == {DeliveryStatus.DISCARDED}


def test_a_contact_without_a_valid_address_is_reported_not_skipped(
    smtp_server, manager, django_capture_on_commit_callbacks
):
    challenge = ChallengeFactory(state=S.SUBMITTED)
    challenge.mentors.filter(role="strategic").update(email="sacha.lefevre(at)example")
    challenge.mentors.filter(role="operational").update(email="")

    move(challenge, "preselect", manager, django_capture_on_commit_callbacks, reason="ok")

    problems = Notification.objects.filter(status=DeliveryStatus.INVALID_RECIPIENT).order_by("recipient_role")
    assert list(problems.values_list("recipient_role", "last_error")) == [
        ("Mentor opérationnel", "Mentor opérationnel Alix Durand n’a pas d’adresse e-mail."),
        (
            "Mentor stratégique",
            "L’adresse de Mentor stratégique Sacha Lefèvre n’est pas valide : « sacha.lefevre(at)example ».",
        ),
    ]
    assert [envelope.rcpt_tos for envelope in smtp_server.envelopes] == [[TEAM]]


def test_the_commands(smtp_server, challenge, capsys):
    outbox.queue(challenge, MessageEvent.SELECTED, key="cmd")
    call_command("notifications", "status")
    out = capsys.readouterr().out
    assert "En attente d’envoi                        4   plus ancien : " in out

    call_command("notifications", "send-pending")
    assert capsys.readouterr().out == (
        "4 envoyé(s), 0 à réessayer, 0 en échec, 0 envoi(s) interrompu(s) marqué(s) en échec.\n"
    )
    Notification.objects.filter(pk=Notification.objects.first().pk).update(status=DeliveryStatus.FAILED)
    call_command("notifications", "retry")
    assert capsys.readouterr().out == "1 message(s) remis en file d’envoi.\n"
    assert Notification.objects.filter(status=DeliveryStatus.PENDING).count() == 1


def test_a_message_that_cannot_be_written_fails_with_its_reason_and_the_others_leave(
    smtp_server, challenge, manager, django_capture_on_commit_callbacks
):
    move(
        challenge,
        "preselect",
        manager,
        django_capture_on_commit_callbacks,
        reason="Dossier solide",
        options={outbox.HOLD_MAIL: True},
    )
    held = list(Notification.objects.order_by("pk"))
    # A subject written before subjects were checked: a line break forges a header.
    Notification.objects.filter(pk=held[1].pk).update(subject="[EIG] Défi\nBcc: tout-le-monde@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        outbox.release(Batch.objects.get(), by=manager)

    bad = Notification.objects.get(pk=held[1].pk)
    assert bad.status == DeliveryStatus.FAILED
    assert bad.last_error.startswith("Message non envoyé : il ne peut pas être écrit (")
    assert "incertaine" not in bad.last_error
    assert len(smtp_server.envelopes) == len(held) - 1
    assert all("tout-le-monde" not in to for envelope in smtp_server.envelopes for to in envelope.rcpt_tos)


def test_a_subject_is_always_one_line_whatever_a_name_brings(challenge):
    Notification.objects.all().delete()
    type(challenge).objects.filter(pk=challenge.pk).update(
        name="Données\nde santé"
    )  # before names were checked
    challenge.refresh_from_db()
    subject, _body = outbox.render(MessageEvent.PRESELECTED, challenge, language="fr", reason="ok")
    assert subject == "[EIG] Votre défi « Données de santé » est présélectionné"


def pending(challenge, count):
    return [
        Notification.objects.create(
            challenge=challenge,
            event=MessageEvent.PRESELECTED,
            recipient_email=f"destinataire{number}@exemple.fr",
            subject="[EIG] Objet",
            body="Bonjour",
            status=DeliveryStatus.PENDING,
            next_attempt_at=timezone.now(),
            idempotency_key=f"test-{number}",
        ).pk
        for number in range(count)
    ]


def test_a_connection_lost_while_a_message_was_sent_makes_it_uncertain_never_resent(
    smtp_server, challenge, settings
):
    """The server has the message but its answer comes after our timeout: it may be delivered,
    so it is not sent again by itself; the next message goes on a new connection."""
    Notification.objects.all().delete()
    settings.EMAIL_TIMEOUT = 1
    smtp_server.handler.slow_replies, smtp_server.handler.delay = 1, 2.5
    first, second = pending(challenge, 2)

    assert delivery.deliver_many([first, second]) == {"failed": 1, "sent": 1}

    lost, next_one = Notification.objects.get(pk=first), Notification.objects.get(pk=second)
    assert (lost.status, lost.uncertain) == (DeliveryStatus.FAILED, True)
    assert lost.last_error.startswith("Connexion interrompue pendant l’envoi (")
    assert lost.last_error.endswith(
        ") : remise incertaine, le serveur a pu recevoir le message. Vérifiez avant de relancer."
    )
    assert (next_one.status, next_one.uncertain) == (DeliveryStatus.SENT, False)
    assert [envelope.rcpt_tos for envelope in smtp_server.envelopes] == [
        ["destinataire0@exemple.fr"],
        ["destinataire1@exemple.fr"],
    ]
    # The sweep leaves it alone: a manager decides (the dashboard's "E-mails en échec").
    assert delivery.send_due() == {"abandoned": 0}
    assert len(smtp_server.envelopes) == 2
