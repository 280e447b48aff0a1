"""The thread on the portal's dossier page and on the back office's case page: writing, errors
kept with the typed text, attachments, and who sees what on every URL."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, resolve, reverse

import conversations.urls
import portal.urls
from accounts.enums import Role
from accounts.services import create_user
from conversations import services
from conversations.models import Message
from demo.pdfs import blank_pdf
from lifecycle import clock
from lifecycle.actors import SYSTEM
from lifecycle.enums import AuditKind
from lifecycle.models import AuditEvent
from portal import steps
from tests.conversations.conftest import signed_in
from tests.factories import AdministrationFactory, ChallengeFactory, administration_contact

NOTE_TEXT = "Note confidentielle : le service RH est réticent."
NOTE_FILE = "analyse-interne.pdf"


def portal_page(client, challenge) -> str:
    response = client.get(reverse("portal:dossier", args=[challenge.pk]))
    assert response.status_code == 200
    return response.content.decode()


def backoffice_page(client, challenge) -> str:
    response = client.get(reverse("backoffice:challenge", args=[challenge.pk]))
    assert response.status_code == 200
    return response.content.decode()


def pdf(name="rapport.pdf", pages=1):
    return SimpleUploadedFile(name, blank_pdf(pages), content_type="application/pdf")


def walk(module, challenge, message_pk, prefix=""):
    values = {"pk": challenge.pk, "message_pk": message_pk, "step": "description"}
    urls = []
    for pattern in module.urlpatterns:
        assert isinstance(pattern, URLPattern)
        if not pattern.name.startswith(prefix):
            continue
        kwargs = {name: values[name] for name in pattern.pattern.converters}
        urls.append(reverse(f"{module.app_name}:{pattern.name}", kwargs=kwargs))
    return urls


@pytest.fixture
def note(challenge, manager):
    return services.post_note(challenge, by=manager, body=NOTE_TEXT, attachment=pdf(NOTE_FILE))


def test_a_contact_writes_from_the_dossier_page(challenge, contact_client):
    page = portal_page(contact_client, challenge)
    assert '<section class="fr-mb-4w" aria-labelledby="messages-title" id="messages">' in page
    assert '<h2 id="messages-title">Messagerie</h2>' in page
    assert f'action="{reverse("conversations:portal_post", args=[challenge.pk])}"' in page
    assert 'enctype="multipart/form-data"' in page and 'name="csrfmiddlewaretoken"' in page
    assert '<label class="fr-label" for="message-body">Votre message' in page
    assert "5\xa0000 caractères au plus" in page
    assert '<label class="fr-label" for="message-attachment">Pièce jointe (facultative)' in page
    assert "Aucun message pour l’instant." in page

    moment = dt.datetime(2026, 3, 14, 9, 5, tzinfo=dt.UTC)
    with clock.at(moment):
        response = contact_client.post(
            reverse("conversations:portal_post", args=[challenge.pk]),
            {"body": "Bonjour,\n\n<b>Voici</b> nos réponses.\nÀ bientôt", "attachment": pdf("Réponses.pdf")},
            follow=True,
        )

    message = Message.objects.get()
    assert response.redirect_chain == [
        (reverse("portal:dossier", args=[challenge.pk]) + f"#message-{message.pk}", 302)
    ]
    page = response.content.decode()
    assert (  # the outcome, under the new message
        '<div class="fr-alert fr-alert--success fr-alert--sm fr-mb-3w" role="status" id="message-notice">'
        "<p>Votre message est envoyé à l’équipe du programme EIG.</p></div>"
    ) in page
    assert "Votre message est envoyé" not in portal_page(contact_client, challenge)  # said once
    assert (
        '<p class="fr-mb-2w">Bonjour,<br><br>&lt;b&gt;Voici&lt;/b&gt; nos réponses.<br>À bientôt</p>' in page
    )
    assert '<time datetime="2026-03-14T10:05:00+01:00">14 mars 2026 à 10:05</time>' in page
    assert "Dominique Numérique" in page and ">Administration</span>" in page
    download = reverse("conversations:portal_attachment", args=[challenge.pk, message.pk])
    assert f'href="{download}" download>Réponses.pdf' in page


def test_a_manager_sends_to_the_administration_or_adds_a_note(challenge, manager_client, contact_client):
    page = backoffice_page(manager_client, challenge)
    assert '<section class="fr-mb-4w" aria-labelledby="messages-title" id="messages">' in page
    assert '<h2 id="messages-title">Messagerie</h2>' in page
    assert (
        'name="destination" value="administration"' in page and "Envoyer à l’administration</button>" in page
    )
    assert 'name="destination" value="note"' in page and "Ajouter une note interne</button>" in page
    assert "part par e-mail aux contacts de l’administration" in page
    assert '<label class="fr-label" for="message-body">Texte du message ou de la note' in page
    administration_contact(challenge.administration, username="contact-2", email="b@dinum.gouv.fr")
    url = reverse("conversations:backoffice_post", args=[challenge.pk])

    response = manager_client.post(url, {"body": "Merci pour le dossier.", "destination": "administration"})
    sent = Message.objects.get()
    assert (
        response["Location"] == reverse("backoffice:challenge", args=[challenge.pk]) + f"#message-{sent.pk}"
    )
    page = backoffice_page(manager_client, challenge)
    assert (
        "Votre message est envoyé à l’administration, par e-mail à : b@dinum.gouv.fr, "
        "contact-dinum@example.gouv.fr."
    ) in page
    manager_client.post(url, {"body": NOTE_TEXT, "destination": "note"})
    page = backoffice_page(manager_client, challenge)
    assert "La note interne est ajoutée : l’administration ne la voit pas." in page
    assert page.index("Merci pour le dossier.") < page.index(NOTE_TEXT)  # newest last
    label = "Note interne — jamais montrée à l’administration (chargés de programme et journal d’audit)"
    assert page.count(label) == 1
    assert 'data-kind="note"' in page and "var(--background-contrast-yellow-tournesol)" in page
    # The case's timeline holds both, with their authors.
    assert "Claude Etalab (gestionnaire) — Message sur un dossier" in page
    assert "Claude Etalab (gestionnaire) — Note interne sur un dossier" in page

    contact_page = portal_page(contact_client, challenge)
    assert "Merci pour le dossier." in contact_page
    assert NOTE_TEXT not in contact_page and "Note interne" not in contact_page


def test_an_error_keeps_the_typed_text_and_says_what_is_wrong(challenge, contact_client, media_root):
    url = reverse("conversations:portal_post", args=[challenge.pk])
    typed = "Mon long message, tapé avec soin."

    response = contact_client.post(
        url, {"body": typed, "attachment": SimpleUploadedFile("rapport.pdf", b"Ceci n'est pas un PDF")}
    )
    page = portal_page(contact_client, challenge)

    assert response["Location"] == reverse("portal:dossier", args=[challenge.pk]) + "#message-form"
    assert "Rien n’a été envoyé : corrigez ce qui est signalé ci-dessous." in page
    assert f">{typed}</textarea>" in page
    assert "fr-upload-group--error" in page
    assert (
        '<p class="fr-error-text">La pièce jointe n’est pas un PDF : seuls les fichiers PDF sont acceptés'
        in page
    )
    assert not Message.objects.exists() and not any((media_root / "messages").glob("*"))
    # Shown once: the next visit has an empty form.
    assert f">{typed}</textarea>" not in portal_page(contact_client, challenge)


def test_an_empty_text_is_refused_and_a_good_file_must_be_attached_again(challenge, manager_client):
    url = reverse("conversations:backoffice_post", args=[challenge.pk])
    manager_client.post(url, {"body": "   ", "destination": "note", "attachment": pdf("bilan.pdf")})
    page = backoffice_page(manager_client, challenge)
    assert "fr-input-group--error" in page
    assert '<p class="fr-error-text">Écrivez votre message : le texte est obligatoire.</p>' in page
    assert "Le fichier « bilan.pdf » n’a pas été gardé : joignez-le à nouveau." in page

    manager_client.post(url, {"body": "Sans destination"})
    page = backoffice_page(manager_client, challenge)
    assert "Choisissez : envoyer à l’administration ou ajouter une note interne." in page
    assert ">Sans destination</textarea>" in page
    assert not Message.objects.exists()


def test_a_too_large_upload_goes_back_to_the_page(challenge, contact_client):
    url = reverse("conversations:portal_post", args=[challenge.pk])
    huge = SimpleUploadedFile("enorme.pdf", b"%PDF-1.4\n" + b"0" * (22 * 1024 * 1024))

    response = contact_client.post(url, {"body": "Ci-joint", "attachment": huge}, follow=True)

    assert [status for _url, status in response.redirect_chain] == [303, 302]
    assert "Le fichier envoyé dépasse 20 Mo : rien n’a été enregistré." in response.content.decode()
    assert not Message.objects.exists()


def test_an_attachment_above_10_mo_is_refused(challenge, contact_client):
    url = reverse("conversations:portal_post", args=[challenge.pk])
    big = SimpleUploadedFile("gros.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024))

    contact_client.post(url, {"body": "Ci-joint", "attachment": big})

    page = portal_page(contact_client, challenge)
    assert "La pièce jointe dépasse 10 Mo : joignez un PDF plus léger." in page
    assert ">Ci-joint</textarea>" in page
    assert not Message.objects.exists()


def test_an_attachment_is_a_download_for_both_sides(
    challenge, manager, contact, manager_client, contact_client
):
    message = services.post_message(
        challenge, by=contact, body="Ci-joint", attachment=pdf("Budget 2026.pdf", 2)
    )

    for client, name in ((contact_client, "portal_attachment"), (manager_client, "backoffice_attachment")):
        response = client.get(reverse(f"conversations:{name}", args=[challenge.pk, message.pk]))
        assert response.status_code == 200
        assert response["Content-Disposition"] == 'attachment; filename="Budget 2026.pdf"'
        assert (response["Content-Type"], response["X-Content-Type-Options"]) == (
            "application/pdf",
            "nosniff",
        )
        assert response["Cache-Control"] == "private, no-store"
        assert b"".join(response.streaming_content) == blank_pdf(2)


def test_a_contact_never_sees_a_note(challenge, manager, contact_client, note):
    services.post_message(challenge, by=manager, body="Un message ordinaire.")
    # The pages, not the downloads (the pitch deck, the audition's calendar file).
    pages = [url for url in walk(portal.urls, challenge, note.pk) if not url.endswith((".pdf", ".ics"))]
    pages += [reverse("portal:dossier_step", args=[challenge.pk, slug]) for slug in steps.SLUGS]
    assert len(pages) > len(steps.SLUGS) + 3, "the portal's pages, each step of the dossier"
    for url in pages:
        response = contact_client.get(url, follow=True)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert NOTE_TEXT not in html and NOTE_FILE not in html and "Note interne" not in html, url
        assert f"message-{note.pk}" not in html, url
    # Not even the thread's own URLs, nor the attachment's download.
    for url in walk(conversations.urls, challenge, note.pk, prefix="portal_"):
        html = contact_client.get(url, follow=True).content.decode()
        assert NOTE_TEXT not in html
    download = reverse("conversations:portal_attachment", args=[challenge.pk, note.pk])
    assert contact_client.get(download).status_code == 404
    # The portal's history shows the moves only.
    assert AuditEvent.objects.filter(kind=AuditKind.NOTE_ADDED, challenge=challenge).exists()
    assert "Note interne sur un dossier" not in portal_page(contact_client, challenge)


def test_a_manager_reads_the_note_and_downloads_its_attachment(challenge, manager_client, note):
    assert NOTE_TEXT in backoffice_page(manager_client, challenge)
    response = manager_client.get(
        reverse("conversations:backoffice_attachment", args=[challenge.pk, note.pk])
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{NOTE_FILE}"'


def statuses(client, urls):
    return {url: client.get(url).status_code for url in urls} | {
        f"POST {url}": client.post(url, {"body": "Intrusion", "destination": "administration"}).status_code
        for url in urls
    }


def test_who_reaches_the_threads_urls(client, challenge, manager, contact, note):
    message = services.post_message(challenge, by=contact, body="Ci-joint", attachment=pdf())
    portal_side = walk(conversations.urls, challenge, message.pk, prefix="portal_")
    backoffice_side = walk(conversations.urls, challenge, message.pk, prefix="backoffice_")
    assert len(portal_side) == len(backoffice_side) == 2

    for url in portal_side + backoffice_side:  # anonymous: the sign-in page
        response = client.get(url)
        assert (response.status_code, response["Location"].split("?")[0]) == (302, "/compte/connexion/"), url
    stranger = administration_contact(AdministrationFactory(name="Autre administration"), username="autre")
    assert set(statuses(signed_in(stranger), portal_side + backoffice_side).values()) == {404}
    for role in (Role.AUDITOR, Role.MENTOR, Role.JURY_MEMBER, Role.CANDIDATE):
        person = create_user(f"user-{role}", by=SYSTEM, role=role)
        assert set(statuses(signed_in(person), portal_side + backoffice_side).values()) == {404}, role
    assert set(statuses(signed_in(contact), backoffice_side).values()) == {404}
    assert set(statuses(signed_in(manager), portal_side).values()) == {404}
    assert Message.objects.filter(body="Intrusion").count() == 0
    # Another challenge's message is not reached through this one's URL.
    other = services.post_message(
        challenge.__class__.objects.create(
            name="Autre défi", promotion=challenge.promotion, administration=stranger.profile.administration
        ),
        by=stranger,
        body="Ailleurs",
        attachment=pdf(),
    )
    for name in ("portal_attachment", "backoffice_attachment"):
        url = reverse(f"conversations:{name}", args=[challenge.pk, other.pk])
        who = contact if name.startswith("portal") else manager
        assert signed_in(who).get(url).status_code == 404


def test_a_get_of_the_post_url_goes_back_to_the_page(challenge, contact_client, manager_client):
    response = contact_client.get(reverse("conversations:portal_post", args=[challenge.pk]))
    assert response["Location"] == reverse("portal:dossier", args=[challenge.pk])
    response = manager_client.get(reverse("conversations:backoffice_post", args=[challenge.pk]))
    assert response["Location"] == reverse("backoffice:challenge", args=[challenge.pk])


def test_the_conversations_urls_do_not_shadow_the_pages_they_sit_beside():
    assert resolve("/dossiers/5/messages/").view_name == "conversations:portal_post"
    assert resolve("/gestion/defis/5/messages/").view_name == "conversations:backoffice_post"
    assert resolve("/gestion/defis/5/").view_name == "backoffice:challenge"
    assert resolve("/dossiers/5/").view_name == "portal:dossier"


def test_the_manager_is_told_when_nobody_received_the_message(manager, manager_client):
    lonely = ChallengeFactory(name="Défi sans contact", manager=manager)

    manager_client.post(
        reverse("conversations:backoffice_post", args=[lonely.pk]),
        {"body": "Bonjour", "destination": "administration"},
    )

    page = backoffice_page(manager_client, lonely)
    assert (
        '<div class="fr-alert fr-alert--warning fr-alert--sm fr-mb-3w" role="status" id="message-notice">'
        in page
    )
    assert "l’administration n’a aucun contact actif : personne ne l’a reçu par e-mail." in page


def test_the_threads_queries_do_not_grow_with_its_entries(challenge, manager, contact, manager_client):
    def queries(client, url):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    pages = [(manager_client, reverse("backoffice:challenge", args=[challenge.pk]))]
    pages.append((signed_in(contact), reverse("portal:dossier", args=[challenge.pk])))
    services.post_message(challenge, by=contact, body="1", attachment=pdf())
    before = [queries(client, url) for client, url in pages]
    for number in range(5):
        services.post_message(challenge, by=contact, body=f"Message {number}", attachment=pdf())
        services.post_note(challenge, by=manager, body=f"Note {number}")

    assert [queries(client, url) for client, url in pages] == before
