import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
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


PARIS = ZoneInfo("Europe/Paris")


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
    with time_machine.travel(dt.datetime(2018, 7, 5, 10, 0, tzinfo=dt.UTC), tick=False):
        subject, body = outbox.render(MessageEvent.SELECTED, challenge, language="en", reason="Great.")
        _subject, french = outbox.render(MessageEvent.SELECTED, challenge, language="fr", reason="Bravo.")
    assert subject == "[EIG] Congratulations: “Datafin” is selected"
    assert (
        "The call for applications that will recruit the EIGs opens on Thursday 13 September 2018 at 09:00."
        in body
    )
    assert (
        "L’appel à candidatures qui recrutera les EIG ouvrira le jeudi 13 septembre 2018 à 09:00." in french
    )


@pytest.mark.parametrize(
    ("moment", "sentence"),
    [
        (
            dt.datetime(2020, 4, 1, 12, 0),
            "L’appel à candidatures qui recrutera les EIG ouvrira le mercredi 15 avril 2020 à 10:00.",
        ),
        (
            dt.datetime(2020, 6, 11, 18, 0),
            "L’appel à candidatures qui recrute les EIG est ouvert jusqu’au vendredi 31 juillet 2020 "
            "à 23:59 incluse.",
        ),
        (
            dt.datetime(2020, 8, 3, 10, 0),
            "L’appel à candidatures public est clos depuis le vendredi 31 juillet 2020 à 23:59 incluse.",
        ),
    ],
)
def test_the_selection_message_says_where_the_candidates_call_stands(db, moment, sentence):
    challenge = ChallengeFactory(name="Datafin")
    call = challenge.promotion.call
    call.recruitment_opens_at = dt.datetime(2020, 4, 15, 10, 0, tzinfo=PARIS)
    call.recruitment_closes_at = dt.datetime(2020, 7, 31, 23, 59, tzinfo=PARIS)
    call.max_pitch_slides, call.duration_months = 15, 11
    call.save()
    with time_machine.travel(moment.replace(tzinfo=PARIS), tick=False):
        _subject, selected = outbox.render(MessageEvent.SELECTED, challenge, language="fr", reason="Bravo.")
        _subject, pitch = outbox.render(MessageEvent.INVITED_TO_PITCH, challenge, language="fr")
        _subject, running = outbox.render(MessageEvent.RUNNING, challenge, language="fr")
    assert sentence in selected
    assert "Votre présentation de synthèse compte 15 diapositives au plus." in pitch
    assert "pour 11 mois." in running


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
