import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.enums import Role
from accounts.services import create_user
from lifecycle.actors import SYSTEM
from notifications import outbox
from notifications.defaults import DEFAULTS
from notifications.enums import MessageEvent
from notifications.models import MessageTemplate
from tests.factories import ChallengeFactory
from tests.html_forms import form_data


@pytest.fixture
def manager_client(client, db):
    client.force_login(create_user("gestionnaire", by=SYSTEM, role=Role.PROGRAMME_MANAGER))
    return client


def test_every_event_has_a_french_and_an_english_template(db):
    expected = {(event, language) for event in MessageEvent for language in ("fr", "en")}
    assert set(DEFAULTS) == expected
    assert set(MessageTemplate.objects.values_list("event", "language")) == expected


def test_an_unknown_placeholder_is_refused_when_the_template_is_saved(db):
    template = MessageTemplate.objects.get(event=MessageEvent.SELECTED, language="fr")
    template.body = "Bonjour {destinataire}, le défi {challenge} est retenu."
    with pytest.raises(ValidationError) as caught:
        template.save()
    assert caught.value.message_dict["body"][0].startswith(
        "Variable inconnue : {destinataire}. Variables possibles : {challenge}, {administration},"
    )
    assert "{destinataire}" not in MessageTemplate.objects.get(pk=template.pk).body


@pytest.mark.parametrize(
    ("subject", "message"),
    [
        ("Défi {challenge", "Accolade mal fermée : écrivez {variable}, et {{ ou }} pour une accolade seule."),
        ("Défi {challenge.__class__}", "Variable inconnue : {challenge.__class__}."),
        ("Défi {challenge!r}", "La variable {challenge} ne prend pas de format."),
    ],
)
def test_malformed_placeholders_are_refused(db, subject, message):
    template = MessageTemplate(event=MessageEvent.SELECTED, language="en", subject=subject, body="x")
    with pytest.raises(ValidationError) as caught:
        template.clean()
    assert caught.value.message_dict["subject"][0].startswith(message)


def test_an_edited_template_is_used_for_the_next_messages(db):
    challenge = ChallengeFactory(name="Datafin")
    MessageTemplate.objects.filter(event=MessageEvent.SELECTED, language="fr").update(
        subject="Bravo pour {challenge} !"
    )
    [first, *_others] = outbox.queue(challenge, MessageEvent.SELECTED, key="t")
    assert first.subject == "Bravo pour Datafin !"


def test_the_english_rendering_uses_english_dates(db):
    challenge = ChallengeFactory(name="Datafin")
    challenge.promotion.call.recruitment_opens_at = dt.datetime(2018, 9, 13, 7, 0, tzinfo=dt.UTC)
    challenge.promotion.call.save()
    subject, body = outbox.render(MessageEvent.SELECTED, challenge, language="en", reason="Great.")
    assert subject == "[EIG] Congratulations: “Datafin” is selected"
    assert "opens on 13 September 2018, 09:00." in body
    _subject, french = outbox.render(MessageEvent.SELECTED, challenge, language="fr", reason="Bravo.")
    assert "ouvrira le 13 septembre 2018, 09:00." in french


def test_a_manager_edits_a_template_in_the_admin_and_an_unknown_placeholder_is_refused(manager_client):
    template = MessageTemplate.objects.get(event=MessageEvent.SELECTED, language="fr")
    url = reverse("admin:notifications_messagetemplate_change", args=[template.pk])
    data = form_data(manager_client.get(url).content.decode(), "messagetemplate_form")

    refused = manager_client.post(url, {**data, "subject": "Bravo {nom_du_defi}"})
    assert refused.status_code == 200
    assert "Variable inconnue : {nom_du_defi}." in refused.content.decode()

    accepted = manager_client.post(url, {**data, "subject": "Bravo {challenge}"})
    assert accepted.status_code == 302
    template.refresh_from_db()
    assert (template.subject, template.updated_by.username) == ("Bravo {challenge}", "gestionnaire")


def test_the_preview_renders_a_template_with_a_real_case(manager_client):
    challenge = ChallengeFactory(name="Signaux faibles")
    ChallengeFactory(name="Autre défi")
    template = MessageTemplate.objects.get(event=MessageEvent.NOT_SELECTED, language="fr")
    url = reverse("admin:notifications_messagetemplate_preview", args=[template.pk])

    page = manager_client.get(url, {"challenge": challenge.pk}).content.decode()

    assert '<p id="preview-subject">[EIG] Décision du jury pour « Signaux faibles »</p>' in page
    assert "Motif : (le motif de la décision)" in page
    assert f"http://127.0.0.1:8000/dossiers/{challenge.pk}/" in page


def test_every_shipped_text_becomes_an_editable_template_after_migrate(db):
    MessageTemplate.objects.filter(event=MessageEvent.SESSION_REMINDER).delete()
    kept = MessageTemplate.objects.get(event=MessageEvent.SELECTED, language="fr")
    kept.subject = "[EIG] Objet réécrit par l’équipe"
    kept.save()

    outbox.ensure_templates()

    assert MessageTemplate.objects.count() == len(DEFAULTS)
    assert MessageTemplate.objects.get(pk=kept.pk).subject == "[EIG] Objet réécrit par l’équipe"


def test_a_template_subject_is_one_line(db):
    template = MessageTemplate.objects.get(event=MessageEvent.SELECTED, language="fr")
    template.subject = "[EIG] Sélection\nBcc: tout-le-monde@example.org"
    with pytest.raises(ValidationError) as refused:
        template.save()
    assert refused.value.message_dict["subject"] == [
        "Ce texte doit tenir sur une ligne, sans caractère de contrôle (trouvé : U+000A)."
    ]
