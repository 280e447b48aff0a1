"""Uploads on the portal: too large ones refused before they are read, decks served as downloads."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from demo.pdfs import blank_pdf
from lifecycle.dossier import edits
from lifecycle.models import AuditEvent, Challenge
from tests.factories import ChallengeFactory


def test_a_too_large_post_goes_back_to_its_page_with_a_message_and_nothing_saved(
    contact_client, administration
):
    challenge = ChallengeFactory(administration=administration, pitch_deck=None, pitch_deck_pages=None)
    url = reverse("portal:dossier_step", args=[challenge.pk, "presentation"])
    huge = SimpleUploadedFile("enorme.pdf", b"%PDF-1.4\n" + b"0" * (22 * 1024 * 1024))

    response = contact_client.post(url, {"pitch_deck": huge})

    assert (response.status_code, response["Location"]) == (303, url)
    page = contact_client.get(url).content.decode()
    assert "Le fichier envoyé dépasse 20 Mo : rien n’a été enregistré." in page
    assert not Challenge.objects.get(pk=challenge.pk).pitch_deck
    assert not AuditEvent.objects.filter(challenge=challenge).exists()


def test_a_pitch_deck_is_served_as_a_download_that_cannot_be_sniffed(contact_client, contact, administration):
    challenge = ChallengeFactory(administration=administration, pitch_deck=None, pitch_deck_pages=None)
    edits.attach_pitch_deck(challenge, SimpleUploadedFile("p.pdf", blank_pdf(2)), by=contact)

    response = contact_client.get(reverse("portal:pitch_deck", args=[challenge.pk]))

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="defi-{challenge.pk}-presentation.pdf"'
    assert (response["Content-Type"], response["X-Content-Type-Options"]) == ("application/pdf", "nosniff")
    assert b"".join(response.streaming_content) == blank_pdf(2)
