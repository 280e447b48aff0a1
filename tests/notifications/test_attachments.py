"""One file per e-mail (a jury's pitch slot carries its .ics invitation): queued with the
messages, sent through a real SMTP server byte for byte, shown where a manager reads the message."""

import email
import email.policy

import pytest
from django.urls import reverse

from accounts.enums import Role
from accounts.services import create_user
from lifecycle.actors import SYSTEM
from lifecycle.enums import ChallengeState
from notifications import delivery, outbox
from notifications.enums import DeliveryStatus, MessageEvent
from notifications.models import Notification
from notifications.recipients import Recipient
from tests.factories import ChallengeFactory

CALENDAR = "text/calendar; method=REQUEST; charset=utf-8"
# CRLF line ends (RFC 5545), accents, a line of 75 characters: all must arrive as they are.
ICS = (
    "BEGIN:VCALENDAR\r\n"
    "VERSION:2.0\r\n"
    "PRODID:-//EIG//Jury//FR\r\n"
    "METHOD:REQUEST\r\n"
    "BEGIN:VEVENT\r\n"
    "UID:pitch-42@eig.etalab.gouv.fr\r\n"
    "DTSTART:20270115T093000Z\r\n"
    "DTEND:20270115T094500Z\r\n"
    "SUMMARY:Pitch du défi « Données de santé » devant le jury\r\n"
    "DESCRIPTION:" + "x" * 63 + "\r\n"
    "END:VEVENT\r\n"
    "END:VCALENDAR\r\n"
).encode()
JURY = [
    Recipient(email="camille.jury@numerique.gouv.fr", name="Camille Martin", role="membre du jury"),
    Recipient(email="dominique.jury@numerique.gouv.fr", name="Dominique Petit", role="membre du jury"),
]


@pytest.fixture
def challenge(db):
    return ChallengeFactory(state=ChallengeState.SUBMITTED, name="Données de santé")


@pytest.fixture
def manager(db):
    return create_user("gestionnaire", by=SYSTEM, role=Role.PROGRAMME_MANAGER)


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


def invitation(name="invitation-pitch.ics", content_type=CALENDAR, content=ICS):
    return outbox.Attachment(name=name, content_type=content_type, content=content)


def attachments_of(message):
    return list(message.iter_attachments())


def parsed(message):
    """A message as a mail reader parses it (Django builds the older `email` API's)."""
    return email.message_from_bytes(message.as_bytes(), policy=email.policy.default)


def on_the_wire(text):
    return text.replace("\n", "\r\n")


def test_the_attachment_arrives_with_its_name_its_calendar_type_and_its_exact_bytes(
    smtp_server, challenge, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        queued = outbox.queue(
            challenge, MessageEvent.INVITED_TO_PITCH, key="pitch-1", recipients=JURY, attachment=invitation()
        )

    assert [n.status for n in Notification.objects.order_by("pk")] == [DeliveryStatus.SENT] * 2
    assert [(n.attachment_name, n.attachment_type, bytes(n.attachment)) for n in queued] == [
        ("invitation-pitch.ics", CALENDAR, ICS)
    ] * 2
    messages = sorted(smtp_server.messages, key=lambda message: message["To"])
    assert [message["To"] for message in messages] == [recipient.email for recipient in JURY]
    for message, notification in zip(messages, sorted(queued, key=lambda n: n.recipient_email), strict=True):
        assert message.get_content_type() == "multipart/mixed"
        assert message.get_body(preferencelist=("plain",)).get_content() == on_the_wire(notification.body)
        [part] = attachments_of(message)
        assert part.get_content_disposition() == "attachment"
        assert part.get_filename() == "invitation-pitch.ics"
        assert part.get_content_type() == "text/calendar"
        assert part.get_param("method") == "REQUEST"
        assert part.get_content_charset() == "utf-8"
        assert part["Content-Transfer-Encoding"] == "base64"
        assert part.get_payload(decode=True) == ICS


def test_a_message_without_attachment_has_none(smtp_server, challenge, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        [queued] = outbox.queue(challenge, MessageEvent.INVITED_TO_PITCH, key="pitch-2", recipients=JURY[:1])

    stored = Notification.objects.get(pk=queued.pk)
    assert (stored.status, stored.attachment_name, stored.attachment_type) == (DeliveryStatus.SENT, "", "")
    assert bytes(stored.attachment) == b""
    assert stored.attachment_size == 0
    [message] = smtp_server.messages
    assert message.get_content_type() == "text/plain"
    assert not message.is_multipart()
    assert attachments_of(message) == []
    assert message.get_content() == on_the_wire(stored.body)


def test_a_binary_attachment_with_an_accented_name_arrives_intact(
    smtp_server, challenge, django_capture_on_commit_callbacks
):
    content = bytes(range(256)) * 4 + b"\r\n.\r\n\n\r"  # every byte, and what SMTP would mangle
    with django_capture_on_commit_callbacks(execute=True):
        outbox.queue(
            challenge,
            MessageEvent.INVITED_TO_PITCH,
            key="pitch-3",
            recipients=JURY[:1],
            attachment=invitation(
                name="Créneau du jury — défi n°3.pdf", content_type="application/pdf", content=content
            ),
        )

    [message] = smtp_server.messages
    [part] = attachments_of(message)
    assert part.get_filename() == "Créneau du jury — défi n°3.pdf"
    assert part.get_content_type() == "application/pdf"
    assert part.get_payload(decode=True) == content


def test_a_held_message_keeps_its_attachment_through_an_edit_and_the_release(
    smtp_server, challenge, manager, django_capture_on_commit_callbacks
):
    [held] = outbox.queue(
        challenge,
        MessageEvent.INVITED_TO_PITCH,
        key="pitch-4",
        recipients=JURY[:1],
        hold=True,
        by=manager,
        attachment=invitation(),
    )
    outbox.edit_held(held, subject="[EIG] Votre créneau de pitch", body="Voici l’invitation.", by=manager)
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.release(held.batch, by=manager) == 1

    [message] = smtp_server.messages
    assert message["Subject"] == "[EIG] Votre créneau de pitch"
    [part] = attachments_of(message)
    assert (part.get_filename(), part.get_param("method"), part.get_payload(decode=True)) == (
        "invitation-pitch.ics",
        "REQUEST",
        ICS,
    )


def test_delivery_reads_the_attachment_as_the_database_gives_it(challenge):
    [queued] = outbox.queue(
        challenge,
        MessageEvent.INVITED_TO_PITCH,
        key="pitch-5",
        recipients=JURY[:1],
        attachment=invitation(),
        enqueue=False,
    )
    stored = Notification.objects.get(pk=queued.pk)  # a memoryview on PostgreSQL, bytes on SQLite
    stored.attachment = memoryview(bytes(stored.attachment))
    [part] = attachments_of(parsed(delivery._message(stored, connection=None).message()))
    assert part.get_payload(decode=True) == ICS


@pytest.mark.parametrize(
    ("name", "content_type", "content", "error"),
    [
        ("", CALENDAR, ICS, ValueError),
        ("invitation.ics\r\nBcc: someone@example.com", CALENDAR, ICS, ValueError),
        ("x" * 201, CALENDAR, ICS, ValueError),
        ("invitation.ics", "calendar", ICS, ValueError),
        ("invitation.ics", "text/calendar\r\nBcc: someone@example.com", ICS, ValueError),
        ("invitation.ics", "text/calendar; method=REQUEST; " + "x" * 80 + "=1", ICS, ValueError),
        ("invitation.ics", CALENDAR, ICS.decode(), TypeError),
    ],
)
def test_an_attachment_that_cannot_be_sent_is_refused_when_it_is_made(name, content_type, content, error):
    with pytest.raises(error):
        outbox.Attachment(name=name, content_type=content_type, content=content)


def test_an_attachment_is_a_frozen_value():
    attachment = invitation()
    with pytest.raises(AttributeError):
        attachment.name = "autre.ics"
    assert attachment == outbox.Attachment("invitation-pitch.ics", CALENDAR, ICS)


def test_the_review_and_the_admin_show_the_attachment_without_letting_it_be_edited(
    manager_client, challenge, manager
):
    [with_file] = outbox.queue(
        challenge,
        MessageEvent.INVITED_TO_PITCH,
        key="pitch-6",
        recipients=JURY[:1],
        hold=True,
        by=manager,
        attachment=invitation(),
    )
    [without_file] = outbox.queue(
        challenge, MessageEvent.INVITED_TO_PITCH, key="pitch-7", recipients=JURY[1:], hold=with_file.batch
    )
    size = f"{len(ICS)}\xa0octets"

    review = manager_client.get(
        f"{reverse('backoffice:held_mails')}?lot={with_file.batch_id}"
    ).content.decode()
    shown = f"<strong>Pièce jointe :</strong> invitation-pitch.ics ({size})"
    assert f'<li id="mail-attachment-{with_file.pk}">{shown}</li>' in review
    assert f'id="mail-attachment-{without_file.pk}"' not in review
    assert review.count("Pièce jointe :") == 1

    url = reverse("admin:notifications_notification_change", args=[with_file.pk])
    page = manager_client.get(url).content.decode()
    assert "<label>Pièce jointe\xa0:</label>" in page
    assert f'<div class="readonly">invitation-pitch.ics ({size})</div>' in page
    assert 'name="subject"' in page  # a held message's text can be edited, its attachment cannot
    assert 'name="attachment' not in page
    other = manager_client.get(reverse("admin:notifications_notification_change", args=[without_file.pk]))
    assert "Pièce jointe" not in other.content.decode()
