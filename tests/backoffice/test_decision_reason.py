"""The reason typed for a decision on the case page: whether the e-mail cites it, the e-mail's
preview with the case, a preview on the server without a script, and the reason kept on an error."""

from django.urls import reverse

from lifecycle.enums import ChallengeState
from lifecycle.models import AuditEvent
from notifications.models import Batch, MessageTemplate
from tests.factories import ChallengeFactory
from tests.html_forms import form_data

S = ChallengeState
SENT = "Le motif sera cité dans l’e-mail envoyé à l’administration et aux mentors."
INTERNAL = "Le motif reste interne : il est enregistré dans l’historique, l’e-mail ne le cite pas."
MARK = (
    '<mark class="reason-mark" data-reason-of="reason-preselect" data-empty="[le motif que vous saisirez]">'
)


def page(client, challenge):
    return client.get(reverse("backoffice:challenge", args=[challenge.pk])).content.decode()


def transition_url(challenge, name):
    return reverse("backoffice:challenge_transition", args=[challenge.pk, name])


def test_the_form_says_the_reason_is_sent_and_previews_the_mail_with_the_case(manager_client):
    challenge = ChallengeFactory(state=S.SUBMITTED, name="Signaux faibles")
    html = page(manager_client, challenge)

    assert f'<span class="fr-hint-text" id="reason-use-preselect">{SENT}</span>' in html
    assert '<details class="fr-mb-2w" id="preview-preselect">' in html
    subject = "[EIG] Votre défi « Signaux faibles » est présélectionné"
    assert f'<span id="preview-subject-preselect" translate="no">{subject}</span>' in html
    opening = 'id="preview-body-preselect" style="white-space: pre-wrap;" translate="no">'
    body = html.split(opening)[1].split("</div>")[0]
    assert body.startswith(
        "Bonjour,\n\nNous avons le plaisir de vous annoncer que le défi « Signaux faibles » est "
        "présélectionné"
    )
    assert f"\n\n{MARK}[le motif que vous saisirez]</mark>\n\n" in body
    assert f"/dossiers/{challenge.pk}/" in body
    assert "Alix Durand, Mentor opérationnel &lt;alix.durand@example.gouv.fr&gt;" in html
    assert '<script src="/static/backoffice/decisions.js" nonce="' in html


def test_a_template_without_the_reason_keeps_it_internal(manager_client):
    MessageTemplate.objects.update_or_create(
        event="preselected",
        language="fr",
        defaults={"subject": "[EIG] « {challenge} » présélectionné", "body": "Bonjour,\n\nBravo.\n"},
    )
    challenge = ChallengeFactory(state=S.SUBMITTED, name="Signaux faibles")
    html = page(manager_client, challenge)
    assert f'<span class="fr-hint-text" id="reason-use-preselect">{INTERNAL}</span>' in html
    assert f'<span class="fr-hint-text" id="reason-use-reject">{SENT}</span>' in html  # its own template
    assert "reason-preselect" in html and MARK not in html
    subject = "[EIG] « Signaux faibles » présélectionné"
    assert f'<span id="preview-subject-preselect" translate="no">{subject}</span>' in html


def test_the_server_previews_the_typed_reason_and_moves_nothing(manager_client):
    challenge = ChallengeFactory(state=S.SUBMITTED)
    data = form_data(page(manager_client, challenge), "transition-preselect")
    data.update(reason="Impact fort, équipe solide", preview="1")

    response = manager_client.post(transition_url(challenge, "preselect"), data)

    html = response.content.decode()
    assert response.status_code == 200
    assert '<details class="fr-mb-2w" id="preview-preselect" open>' in html
    assert f"{MARK}Impact fort, équipe solide</mark>" in html
    assert ">Impact fort, équipe solide</textarea>" in html
    challenge.refresh_from_db()
    assert challenge.state == S.SUBMITTED
    assert not AuditEvent.objects.filter(challenge=challenge, kind="transition").exists()


def test_a_typed_reason_is_never_lost_on_an_error(manager_client):
    challenge = ChallengeFactory(state=S.SUBMITTED)
    url = transition_url(challenge, "preselect")
    response = manager_client.post(url, {"reason": "Très bon dossier", "hold_mail": "1"})
    html = response.content.decode()
    assert "« Présélectionner » n’a pas été effectué : cochez « Je confirme » pour le faire." in html
    assert ">Très bon dossier</textarea>" in html
    assert '<input type="checkbox" id="hold-mail-preselect" name="hold_mail" value="1" checked>' in html
    assert "Cochez cette case pour faire « Présélectionner »." in html
    assert f"{MARK}Très bon dossier</mark>" in html

    refused = manager_client.post(transition_url(challenge, "reject"), {"reason": " ", "confirm": "1"})
    assert "Indiquez le motif de la décision : il est obligatoire." in refused.content.decode()


def test_a_single_held_move_says_where_its_mails_wait(manager_client):
    challenge = ChallengeFactory(state=S.SUBMITTED, name="Signaux faibles")
    response = manager_client.post(
        transition_url(challenge, "preselect"),
        {"reason": "Bon dossier", "hold_mail": "1", "confirm": "1"},
        follow=True,
    )
    review = Batch.objects.get()
    assert review.label.startswith("Présélectionner — Signaux faibles — ")
    link = f'<a href="{reverse("backoffice:held_mails")}?lot={review.pk}">Relire les e-mails retenus</a>'
    assert link in response.content.decode()


def test_a_reason_typed_for_a_move_no_longer_offered_is_shown_to_copy(manager_client):
    challenge = ChallengeFactory(state=S.RUNNING)
    response = manager_client.post(
        transition_url(challenge, "select"), {"reason": "Mon long motif", "confirm": "1"}
    )
    html = response.content.decode()
    assert "« Sélectionner » refusé : « Sélectionner » n’est pas possible depuis l’état « En cours »." in html
    assert "Le motif que vous aviez saisi, non enregistré : « Mon long motif »" in html
