"""A pitch slot planned, changed and cancelled reaches the case's people by e-mail, through a real
SMTP server, with its calendar invitation: one UID, a growing SEQUENCE, METHOD:CANCEL at the end."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from jury import services
from lifecycle.enums import AuditKind, ChallengeState
from lifecycle.models import AuditEvent
from notifications.enums import DeliveryStatus, MessageEvent
from notifications.models import Notification
from tests.factories import AdministrationFactory, ChallengeFactory, administration_contact, programme_manager

PARIS = ZoneInfo("Europe/Paris")
TEAM = "entrepreneur-interet-general@data.gouv.fr"
CONTACT = "contact@numerique.gouv.fr"
# The case's recipients: its two mentors, its administration's contact, the team's copy.
RECIPIENTS = sorted(["alix.durand@example.gouv.fr", "sacha.lefevre@example.gouv.fr", CONTACT, TEAM])
VISIO = "https://webconf.numerique.gouv.fr/jury-eig-salle-2"
SIGNATURE = "\n\nL’équipe du programme Entrepreneur·e d’Intérêt Général (Etalab)\n"


def paris(hour, minute=0, day=3):
    return dt.datetime(2030, 7, day, hour, minute, tzinfo=PARIS)


@pytest.fixture
def manager(db):
    return programme_manager(username="gestionnaire", first_name="Claire", last_name="Etalab")


@pytest.fixture
def challenge(db):
    administration = AdministrationFactory(name="Direction interministérielle du numérique")
    administration_contact(administration, username="contact-dinum", email=CONTACT)
    challenge = ChallengeFactory(
        administration=administration, state=ChallengeState.PITCHED, name="Données de santé"
    )
    call = challenge.promotion.call
    call.jury_starts_on, call.jury_ends_on = dt.date(2030, 7, 3), dt.date(2030, 7, 4)
    call.save()
    return challenge


@pytest.fixture
def sub_jury(challenge, manager):
    return services.create_sub_jury(services.jury_of(challenge.promotion), name="Sous-jury 2", by=manager)


def received(smtp_server, start):
    """The messages the server received since `start`, by recipient."""
    messages = smtp_server.messages[start:]
    assert sorted(message["To"] for message in messages) == RECIPIENTS
    return {message["To"]: message for message in messages}


def invitation_of(message, *, method):
    """The message's one attachment, checked as a calendar invitation, parsed."""
    [part] = list(message.iter_attachments())
    assert part.get_content_disposition() == "attachment"
    assert part.get_content_type() == "text/calendar"
    assert (part.get_param("method"), part.get_content_charset()) == (method, "utf-8")
    calendar = Calendar.from_ical(part.get_payload(decode=True))
    assert (str(calendar["METHOD"]), str(calendar["VERSION"])) == (method, "2.0")
    [event] = calendar.walk("VEVENT")
    return part.get_filename(), event


def subject_of(message):
    """The subject as a mail reader shows it (an encoded header may start with a space)."""
    return str(message["Subject"]).strip()


def stored(event):
    return list(Notification.objects.filter(event=event).order_by("recipient_email"))


def test_planning_changing_and_cancelling_a_slot_send_the_invitation_and_its_updates(
    smtp_server, challenge, manager, sub_jury, django_capture_on_commit_callbacks
):
    uid = f"pitch-slot-{challenge.pk}@eig.etalab.gouv.fr"
    file_name = f"audition-jury-eig-{challenge.pk}.ics"
    case_url = f"http://127.0.0.1:8000/dossiers/{challenge.pk}/"

    # Planned ---------------------------------------------------------------------------------
    with django_capture_on_commit_callbacks(execute=True):
        slot = services.plan_slot(
            challenge,
            sub_jury=sub_jury,
            starts_at=paris(10),
            ends_at=paris(10, 40),
            place="Salle Lamartine",
            video_link=VISIO,
            by=manager,
        )

    planned = stored(MessageEvent.PITCH_SLOT_PLANNED)
    assert [(n.recipient_email, n.status) for n in planned] == [(e, DeliveryStatus.SENT) for e in RECIPIENTS]
    assert {(n.attachment_name, n.attachment_type) for n in planned} == {
        (file_name, "text/calendar; method=REQUEST; charset=utf-8")
    }
    event = AuditEvent.objects.get(kind=AuditKind.SLOT_PLANNED)
    assert {n.audit_event_id for n in planned} == {event.pk}
    messages = received(smtp_server, 0)
    message = messages[CONTACT]
    assert subject_of(message) == "[EIG] Votre audition devant le jury : mercredi 3 juillet 2030, 10:00–10:40"
    assert message.get_body(preferencelist=("plain",)).get_content() == (
        "Bonjour,\n\nLe jury entendra le défi « Données de santé » le mercredi 3 juillet 2030, "
        f"10:00–10:40, Salle Lamartine ; en visioconférence : {VISIO}. L’audition dure une vingtaine "
        "de minutes de questions aux mentors, après un temps d’échange du jury entre ses membres. "
        f"L’invitation jointe (.ics) l’ajoute à votre agenda.\n\nVotre dossier : {case_url}" + SIGNATURE
    ).replace("\n", "\r\n")
    name, invitation = invitation_of(message, method="REQUEST")
    assert name == file_name
    assert str(invitation["UID"]) == uid
    assert invitation["DTSTART"].params["TZID"] == invitation["DTEND"].params["TZID"] == "Europe/Paris"
    assert (invitation.decoded("DTSTART"), invitation.decoded("DTEND")) == (paris(10), paris(10, 40))
    assert (invitation.decoded("DTSTART"), invitation.decoded("DTEND")) == (slot.starts_at, slot.ends_at)
    assert str(invitation["LOCATION"]) == "Salle Lamartine"
    assert str(invitation["URL"]) == VISIO
    assert str(invitation["SUMMARY"]) == "Audition devant le jury EIG : Données de santé"
    assert (invitation.decoded("SEQUENCE"), str(invitation["STATUS"])) == (0, "CONFIRMED")
    # Every recipient receives the same invitation.
    assert {invitation_of(m, method="REQUEST")[1].to_ical() for m in messages.values()} == {
        invitation.to_ical()
    }

    # Changed: an hour later, the same room ---------------------------------------------------
    with django_capture_on_commit_callbacks(execute=True):
        slot = services.plan_slot(
            challenge,
            sub_jury=sub_jury,
            starts_at=paris(11),
            ends_at=paris(11, 40),
            place="Salle Lamartine",
            by=manager,
        )

    changed = stored(MessageEvent.PITCH_SLOT_CHANGED)
    assert [(n.recipient_email, n.status) for n in changed] == [(e, DeliveryStatus.SENT) for e in RECIPIENTS]
    assert len(stored(MessageEvent.PITCH_SLOT_PLANNED)) == 4  # the first invitation is not sent again
    message = received(smtp_server, 4)[CONTACT]
    assert subject_of(message) == (
        "[EIG] Votre audition devant le jury change : mercredi 3 juillet 2030, 11:00–11:40"
    )
    assert message.get_body(preferencelist=("plain",)).get_content() == (
        "Bonjour,\n\nL’audition du défi « Données de santé » devant le jury a changé : elle a lieu le "
        "mercredi 3 juillet 2030, 11:00–11:40, Salle Lamartine. L’invitation jointe (.ics) met votre "
        f"agenda à jour.\n\nVotre dossier : {case_url}" + SIGNATURE
    ).replace("\n", "\r\n")
    name, invitation = invitation_of(message, method="REQUEST")
    assert name == file_name
    assert str(invitation["UID"]) == uid
    assert invitation["DTSTART"].params["TZID"] == "Europe/Paris"
    assert (invitation.decoded("DTSTART"), invitation.decoded("DTEND")) == (paris(11), paris(11, 40))
    assert str(invitation["LOCATION"]) == "Salle Lamartine"
    assert "URL" not in invitation
    assert (invitation.decoded("SEQUENCE"), str(invitation["STATUS"])) == (1, "CONFIRMED")

    # Cancelled ---------------------------------------------------------------------------------
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_slot(slot, by=manager, reason="Le défi se retire")

    cancelled = stored(MessageEvent.PITCH_SLOT_CANCELLED)
    assert [(n.recipient_email, n.status) for n in cancelled] == [
        (e, DeliveryStatus.SENT) for e in RECIPIENTS
    ]
    assert {(n.attachment_name, n.attachment_type) for n in cancelled} == {
        (file_name, "text/calendar; method=CANCEL; charset=utf-8")
    }
    message = received(smtp_server, 8)[CONTACT]
    assert subject_of(message) == "[EIG] Audition annulée : « Données de santé »"
    assert message.get_body(preferencelist=("plain",)).get_content() == (
        "Bonjour,\n\nL’audition du défi « Données de santé » prévue le mercredi 3 juillet 2030, "
        "11:00–11:40 est annulée. L’équipe du programme revient vers vous. L’invitation jointe (.ics) "
        f"la retire de votre agenda.\n\nVotre dossier : {case_url}" + SIGNATURE
    ).replace("\n", "\r\n")
    name, invitation = invitation_of(message, method="CANCEL")
    assert name == file_name
    assert str(invitation["UID"]) == uid
    assert (invitation.decoded("DTSTART"), invitation.decoded("DTEND")) == (paris(11), paris(11, 40))
    assert (invitation.decoded("SEQUENCE"), str(invitation["STATUS"])) == (2, "CANCELLED")
    assert len(smtp_server.messages) == 12
    assert AuditEvent.objects.filter(kind=AuditKind.SLOT_PLANNED).count() == 3


def test_the_same_slot_saved_again_sends_nothing(
    smtp_server, challenge, manager, sub_jury, django_capture_on_commit_callbacks
):
    plan = {
        "sub_jury": sub_jury,
        "starts_at": paris(10),
        "ends_at": paris(10, 40),
        "place": "Salle Lamartine",
        "by": manager,
    }
    with django_capture_on_commit_callbacks(execute=True):
        services.plan_slot(challenge, **plan)
    with django_capture_on_commit_callbacks(execute=True):
        services.plan_slot(challenge, **plan)

    assert len(smtp_server.messages) == 4
    assert Notification.objects.filter(event__startswith="pitch_slot").count() == 4
