"""The domain functions: who writes what, what each entry leaves in the trail and the outbox,
nothing written on a refusal."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.enums import Role
from accounts.services import create_user
from conversations import services
from conversations.enums import Kind, Side
from conversations.models import Message
from demo.pdfs import blank_pdf
from lifecycle.actors import SYSTEM, shown_label
from lifecycle.enums import AuditKind
from lifecycle.models import AuditEvent
from notifications.enums import DeliveryStatus, MessageEvent
from notifications.models import Notification
from tests.factories import AdministrationFactory, ChallengeFactory, administration_contact


def pdf(name="rapport.pdf", pages=1):
    return SimpleUploadedFile(name, blank_pdf(pages), content_type="application/pdf")


def nothing_written(media_root):
    assert not Message.objects.exists()
    assert not AuditEvent.objects.filter(kind__in=[AuditKind.MESSAGE_POSTED, AuditKind.NOTE_ADDED]).exists()
    assert not Notification.objects.exists()
    assert not any((media_root / "messages").glob("*"))


def test_a_managers_message_goes_to_the_administrations_active_contacts(challenge, manager, contact):
    colleague = administration_contact(
        challenge.administration, username="contact-2", email="b@dinum.gouv.fr"
    )
    administration_contact(challenge.administration, username="parti", is_active=False)
    administration_contact(AdministrationFactory(name="Autre administration"), username="ailleurs")

    message = services.post_message(challenge, by=manager, body="  Bonjour,\r\npouvez-vous préciser ?  \n")

    assert (message.kind, message.side, message.author, message.author_name) == (
        Kind.MESSAGE,
        Side.PROGRAMME,
        manager,
        "Claude Etalab",
    )
    assert message.body == "Bonjour,\npouvez-vous préciser ?"
    event = AuditEvent.objects.get(kind=AuditKind.MESSAGE_POSTED)
    assert (event.challenge, event.actor, shown_label(event), event.subject, event.reason, event.changes) == (
        challenge,
        manager,
        "Claude Etalab (gestionnaire)",
        f"message:{message.pk}",
        "Bonjour,\npouvez-vous préciser ?",
        {},
    )
    mails = Notification.objects.order_by("recipient_email")
    assert [(n.event, n.recipient_email, n.audit_event) for n in mails] == [
        (MessageEvent.MESSAGE_TO_ADMINISTRATION, colleague.email, event),
        (MessageEvent.MESSAGE_TO_ADMINISTRATION, contact.email, event),
    ]
    assert mails[0].subject == "[EIG] Nouveau message sur le dossier « Défi Hopkins »"
    assert "Claude Etalab vous a écrit au sujet du dossier « Défi Hopkins » :\n\nBonjour,\npouvez-vous" in (
        mails[0].body
    )
    assert services.mailed_to(message) == [colleague.email, contact.email]


def test_a_contacts_message_goes_to_the_manager_in_charge(challenge, manager, contact):
    message = services.post_message(challenge, by=contact, body="Voici nos précisions.")

    assert message.side == Side.ADMINISTRATION
    mail = Notification.objects.get()
    assert (mail.event, mail.recipient_email, mail.recipient_name) == (
        MessageEvent.MESSAGE_TO_PROGRAMME,
        "claude.etalab@beta.gouv.fr",
        "Claude Etalab",
    )
    assert mail.subject == "[EIG] Message de Direction interministérielle du numérique sur « Défi Hopkins »"
    assert (
        "Dominique Numérique (Direction interministérielle du numérique) a écrit au sujet du dossier "
        "« Défi Hopkins » :\n\nVoici nos précisions.\n\nDossier dans l’espace de gestion : "
        f"http://127.0.0.1:8000/gestion/defis/{challenge.pk}/#messages"
    ) in mail.body
    assert AuditEvent.objects.get(kind=AuditKind.MESSAGE_POSTED).actor == contact


def test_without_a_manager_in_charge_the_programme_team_hears_of_it(challenge, contact, settings):
    settings.NOTIFICATIONS_TEAM_EMAIL = "equipe-eig@beta.gouv.fr"
    challenge.manager = None
    challenge.save(update_fields=["manager"])

    services.post_message(challenge, by=contact, body="Bonjour")

    assert list(Notification.objects.values_list("recipient_email", flat=True)) == ["equipe-eig@beta.gouv.fr"]


def test_a_message_to_an_administration_without_contacts_says_nobody_received_it(manager):
    challenge = ChallengeFactory(manager=manager)

    message = services.post_message(challenge, by=manager, body="Bonjour")

    mail = Notification.objects.get()
    assert (mail.status, mail.last_error) == (
        DeliveryStatus.INVALID_RECIPIENT,
        "L’administration n’a aucun contact actif : personne n’a reçu le message.",
    )
    assert services.mailed_to(message) == []


def test_a_note_is_audited_and_never_mailed(challenge, manager, contact):
    note = services.post_note(challenge, by=manager, body="Relancer la DRH.", attachment=pdf("drh.pdf"))

    assert (note.kind, note.side, note.attachment_name) == (Kind.NOTE, Side.PROGRAMME, "drh.pdf")
    event = AuditEvent.objects.get(kind=AuditKind.NOTE_ADDED)
    assert (event.actor, event.subject, event.reason, event.changes) == (
        manager,
        f"message:{note.pk}",
        "Relancer la DRH.",
        {"attachment": [None, "drh.pdf"]},
    )
    assert not Notification.objects.exists()


def test_a_message_with_its_attachment(challenge, contact, media_root):
    message = services.post_message(
        challenge, by=contact, body="Le compte rendu", attachment=pdf("C:\\Documents\\Compte rendu.PDF", 3)
    )

    assert message.attachment_name == "Compte rendu.pdf"
    assert message.attachment_size == len(blank_pdf(3))
    assert message.attachment.name.startswith("messages/") and "Compte" not in message.attachment.name
    assert (media_root / message.attachment.name).read_bytes() == blank_pdf(3)
    event = AuditEvent.objects.get(kind=AuditKind.MESSAGE_POSTED)
    assert event.changes == {"attachment": [None, "Compte rendu.pdf"]}
    assert "Pièce jointe : Compte rendu.pdf (à télécharger depuis la messagerie du dossier)" in (
        Notification.objects.get().body
    )


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (
            b"Bonjour, ceci est un texte.",
            "La pièce jointe n’est pas un PDF : seuls les fichiers PDF sont acceptés",
        ),
        (b"%PDF-1.4\nrien de plus", "La pièce jointe est un PDF illisible ou corrompu."),
        (b"", "La pièce jointe est vide."),
        (blank_pdf(1, password="secret"), "La pièce jointe est un PDF protégé par un mot de passe"),
        (
            b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024),
            "La pièce jointe dépasse 10 Mo : joignez un PDF plus léger.",
        ),
    ],
)
def test_an_attachment_that_is_not_a_sound_pdf_is_refused(challenge, contact, media_root, content, error):
    with pytest.raises(ValidationError) as refused:
        services.post_message(
            challenge, by=contact, body="Ci-joint", attachment=SimpleUploadedFile("fichier.pdf", content)
        )

    assert list(refused.value.message_dict) == ["attachment"]
    assert refused.value.message_dict["attachment"][0].startswith(error)
    nothing_written(media_root)


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("", "Écrivez votre message : le texte est obligatoire."),
        (" \r\n\t ", "Écrivez votre message : le texte est obligatoire."),
        ("a" * 5001, "Le message compte 5\xa0001 caractères, 5\xa0000 au plus : raccourcissez-le."),
    ],
)
def test_a_text_empty_or_too_long_is_refused(challenge, manager, media_root, body, error):
    with pytest.raises(ValidationError) as refused:
        services.post_note(challenge, by=manager, body=body, attachment=pdf())

    assert refused.value.message_dict == {"body": [error]}
    nothing_written(media_root)


def test_the_longest_text_is_accepted_line_breaks_counting_once(challenge, manager):
    body = ("a" * 99 + "\r\n") * 50
    assert len(services.post_message(challenge, by=manager, body=body).body) == 4999


def test_who_writes_what(challenge, manager, contact):
    stranger = administration_contact(AdministrationFactory(name="Autre administration"), username="autre")
    auditor = create_user("auditrice", by=SYSTEM, role=Role.AUDITOR)
    mentor = create_user("mentor", by=SYSTEM, role=Role.MENTOR)
    for person in (stranger, auditor, mentor, SYSTEM):
        with pytest.raises(PermissionDenied):
            services.post_message(challenge, by=person, body="Bonjour")
    for person in (contact, stranger, auditor, mentor, SYSTEM):
        with pytest.raises(PermissionDenied):
            services.post_note(challenge, by=person, body="Bonjour")
    contact.is_active = False
    contact.save()
    with pytest.raises(PermissionDenied):
        services.post_message(challenge, by=contact, body="Bonjour")
    assert not Message.objects.exists() and not Notification.objects.exists()


def test_the_carriers_contact_writes_too(manager):
    carrier = AdministrationFactory(name="Secrétariat général")
    challenge = ChallengeFactory(administrative_carrier=carrier, manager=manager)
    contact = administration_contact(carrier, username="sg")

    services.post_message(challenge, by=contact, body="Bonjour")

    assert Message.objects.get().side == Side.ADMINISTRATION


def test_the_thread_each_person_reads(challenge, manager, contact):
    first = services.post_message(challenge, by=contact, body="1")
    note = services.post_note(challenge, by=manager, body="2")
    last = services.post_message(challenge, by=manager, body="3")
    other = services.post_message(ChallengeFactory(manager=manager), by=manager, body="ailleurs")

    assert list(services.thread_for(challenge, manager)) == [first, note, last]
    assert list(services.thread_for(challenge, contact)) == [first, last]
    assert other not in services.thread_for(challenge, manager)
    for person in (
        administration_contact(AdministrationFactory(name="Autre administration"), username="autre"),
        create_user("auditrice", by=SYSTEM, role=Role.AUDITOR),
    ):
        with pytest.raises(PermissionDenied):
            services.thread_for(challenge, person)


def test_a_failure_after_the_file_is_stored_leaves_nothing(challenge, contact, media_root, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("outbox indisponible")

    monkeypatch.setattr(services.outbox, "queue", broken)
    with pytest.raises(RuntimeError):
        services.post_message(challenge, by=contact, body="Ci-joint", attachment=pdf())

    nothing_written(media_root)
