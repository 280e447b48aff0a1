import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from demo.pdfs import blank_pdf
from lifecycle import services
from lifecycle.dossier import edits
from lifecycle.enums import AuditKind, ChallengeState
from lifecycle.models import AuditEvent, Challenge
from tests.factories import ChallengeFactory, administration_contact

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"

BAD_FILES = [
    ("vide.pdf", b"", "Le fichier de présentation est vide."),
    (
        "pitch.png",
        PNG,
        "Le fichier de présentation n’est pas un PDF : exportez votre diaporama au format PDF.",
    ),
    (
        "chiffre.pdf",
        blank_pdf(5, password="secret"),
        "Le PDF de présentation est chiffré ou protégé par un mot de passe : "
        "déposez une version sans protection.",
    ),
    (
        "corrompu.pdf",
        blank_pdf(5)[:400],
        "Le PDF de présentation est illisible ou corrompu (PdfStreamError).",
    ),
    ("sans-page.pdf", blank_pdf(0), "Le PDF de présentation ne contient aucune page."),
    (
        "long.pdf",
        blank_pdf(13),
        "La présentation compte 13 diapositives ; l’appel en autorise 12 au plus.",
    ),
]


@pytest.fixture
def draft(db):
    challenge = ChallengeFactory(pitch_deck=None, pitch_deck_pages=None)
    return challenge, administration_contact(challenge.administration)


def test_a_readable_pdf_is_stored_with_its_slide_count(draft, media_root):
    challenge, contact = draft
    edits.attach_pitch_deck(challenge, SimpleUploadedFile("pitch défi.pdf", blank_pdf(12)), by=contact)

    stored = Challenge.objects.get(pk=challenge.pk)
    assert stored.pitch_deck_pages == 12
    assert stored.pitch_deck.name.endswith(".pdf")
    assert (media_root / stored.pitch_deck.name).read_bytes() == blank_pdf(12)
    [event] = AuditEvent.objects.filter(challenge=challenge, kind=AuditKind.DOSSIER_CHANGED)
    assert event.changes == {"pitch_deck": ["", stored.pitch_deck.name]}


@pytest.mark.parametrize(("filename", "content", "message"), BAD_FILES)
def test_a_bad_file_is_refused_with_a_french_message_and_leaves_nothing(
    draft, media_root, filename, content, message
):
    challenge, contact = draft
    with pytest.raises(ValidationError) as caught:
        edits.attach_pitch_deck(challenge, SimpleUploadedFile(filename, content), by=contact)

    assert caught.value.messages == [message]
    assert Challenge.objects.get(pk=challenge.pk).pitch_deck.name == ""
    assert not AuditEvent.objects.filter(challenge=challenge).exists()
    assert not list(media_root.rglob("*.*"))


def test_the_slide_limit_is_the_calls(draft):
    challenge, contact = draft
    challenge.promotion.call.max_pitch_slides = 15
    challenge.promotion.call.save()
    edits.attach_pitch_deck(challenge, SimpleUploadedFile("p.pdf", blank_pdf(13)), by=contact)
    assert challenge.pitch_deck_pages == 13


def test_submit_checks_the_stored_deck_against_the_call(draft):
    challenge, contact = draft
    edits.attach_pitch_deck(challenge, SimpleUploadedFile("p.pdf", blank_pdf(12)), by=contact)
    challenge.promotion.call.max_pitch_slides = 10  # the call's rule changed after the upload
    challenge.promotion.call.save()

    with pytest.raises(services.TransitionRefused) as caught:
        services.transition(challenge, "submit", by=contact)
    assert caught.value.reasons == [
        "La présentation compte 12 diapositives ; l’appel en autorise 10 au plus."
    ]


def test_a_submitted_dossier_no_longer_takes_a_deck_from_its_administration(db):
    challenge = ChallengeFactory(state=ChallengeState.SUBMITTED)
    contact = administration_contact(challenge.administration)
    with pytest.raises(edits.DossierLocked):
        edits.attach_pitch_deck(challenge, SimpleUploadedFile("p.pdf", blank_pdf(3)), by=contact)


def test_a_deck_is_stored_under_a_random_name_and_a_replaced_one_is_deleted(
    draft, media_root, django_capture_on_commit_callbacks
):
    challenge, contact = draft
    with django_capture_on_commit_callbacks(execute=True):
        edits.attach_pitch_deck(
            challenge, SimpleUploadedFile("../../etc/passwd.pdf", blank_pdf(3)), by=contact
        )
    first = Challenge.objects.get(pk=challenge.pk).pitch_deck.name
    assert re.fullmatch(r"pitch-decks/[0-9a-f]{32}\.pdf", first)
    with django_capture_on_commit_callbacks(execute=True):
        edits.attach_pitch_deck(challenge, SimpleUploadedFile("v2.pdf", blank_pdf(4)), by=contact)

    second = Challenge.objects.get(pk=challenge.pk).pitch_deck.name
    assert second != first
    assert sorted(path.name for path in (media_root / "pitch-decks").iterdir()) == [second.split("/")[1]]


class HugeUpload:
    """An upload that says it is 25 MB and must not be read."""

    name, size = "enorme.pdf", 25 * 1024 * 1024

    def seek(self, position):
        raise AssertionError("read before its size was checked")

    read = seek


def test_a_too_large_upload_is_refused_before_it_is_read(draft):
    challenge, contact = draft
    with pytest.raises(ValidationError) as refused:
        edits.attach_pitch_deck(challenge, HugeUpload(), by=contact)
    assert refused.value.messages == ["Le fichier de présentation dépasse 20 Mo."]


def test_submit_refuses_a_deck_whose_file_has_gone_without_reading_any(draft):
    challenge, contact = draft
    edits.attach_pitch_deck(challenge, SimpleUploadedFile("p.pdf", blank_pdf(6)), by=contact)
    challenge.pitch_deck.storage.delete(challenge.pitch_deck.name)  # a restore without the files

    with pytest.raises(services.TransitionRefused) as caught:
        services.transition(challenge, "submit", by=contact)
    assert caught.value.reasons == [
        "La présentation de synthèse déposée est introuvable : déposez-la à nouveau."
    ]
