"""Bulk moves from the challenge list: a confirmation page first (nothing moves before it), the
whole page or every challenge matching the filter, and one held review for the whole act."""

import pytest
from django.urls import reverse

from lifecycle.enums import AuditKind, ChallengeState
from lifecycle.models import AuditEvent, Challenge
from notifications.enums import DeliveryStatus
from notifications.models import Batch
from tests.backoffice.page_text import text_of
from tests.factories import ChallengeFactory, PromotionFactory, heard
from tests.html_forms import form_data

S = ChallengeState
LIST = reverse("backoffice:challenges")
BULK = reverse("backoffice:bulk_transition")


@pytest.fixture
def cases(db):
    promotion = PromotionFactory(number=7)
    submitted = [
        ChallengeFactory(promotion=promotion, state=S.SUBMITTED, name=name, dossier_rows=False)
        for name in ("Archives ouvertes", "Budget vert", "Cadastre solaire")
    ]
    others = [
        ChallengeFactory(promotion=promotion, state=S.RUNNING, name="Déclic", dossier_rows=False),
        ChallengeFactory(promotion=promotion, state=S.SUBMITTED, name="Zeste", dossier_rows=False),
    ]
    return {"submitted": submitted, "others": others}


def moved():
    return set(AuditEvent.objects.filter(kind=AuditKind.TRANSITION).values_list("challenge__name", flat=True))


def test_nothing_moves_before_the_confirmation(manager_client, cases):
    chosen = cases["submitted"][:2]
    page = manager_client.post(BULK, {"transition": "reject", "challenges": [c.pk for c in chosen]})
    html = page.content.decode()
    assert page.status_code == 200
    assert "<h1>Confirmer : « Ne pas présélectionner »</h1>" in html
    assert "« Ne pas présélectionner » s’appliquera aux 2 défis sélectionnés." in html
    for challenge in chosen:
        assert f'">{challenge.name}</a></th>' in html
    assert '<textarea class="fr-input" id="bulk-reason" name="reason" rows="3" required>' in html
    assert "Je confirme : « Ne pas présélectionner » pour ces 2 défis" in html
    assert 'for="bulk-hold-mail">Retenir les e-mails pour relecture' in html
    assert moved() == set()

    data = form_data(html, "bulk-confirm")
    data["reason"] = "Hors du périmètre de l’appel"
    unconfirmed = manager_client.post(BULK, data)  # the box left unticked
    html = unconfirmed.content.decode()
    assert "Cochez « Je confirme » pour appliquer l’action : rien n’a encore été fait." in html
    assert ">Hors du périmètre de l’appel</textarea>" in html  # the typed reason is kept
    assert moved() == set()

    done = manager_client.post(BULK, {**data, "confirm": "1"}, follow=True)
    assert "« Ne pas présélectionner » : 2 défis modifiés." in done.content.decode()
    assert moved() == {"Archives ouvertes", "Budget vert"}


def test_select_all_matching_moves_exactly_the_filtered_set(manager_client, cases):
    query = "q=e&state=submitted&tri=nom"  # "Zeste" and the three others submitted, not "Déclic"
    page = manager_client.post(
        BULK, {"transition": "preselect", "all_matching": "1", "query": query, "challenges": []}
    )
    html = page.content.decode()
    expected = {"Archives ouvertes", "Budget vert", "Cadastre solaire", "Zeste"}
    assert "« Présélectionner » s’appliquera aux 4 défis qui correspondent au filtre de la liste." in html
    assert "Déclic" not in html

    # A case created meanwhile matches the filter too: the confirmation moves what it showed.
    ChallengeFactory(promotion=cases["submitted"][0].promotion, state=S.SUBMITTED, name="Éole")
    data = form_data(html, "bulk-confirm")
    data.update(reason="Comité du 3 juillet", confirm="1")
    response = manager_client.post(BULK, data, follow=True)

    assert "« Présélectionner » : 4 défis modifiés." in response.content.decode()
    assert moved() == expected
    assert set(Challenge.objects.filter(state=S.PRESELECTED).values_list("name", flat=True)) == expected


def test_the_whole_page_box_works_without_a_script(manager_client, cases):
    html = manager_client.get(LIST).content.decode()
    data = form_data(html, "bulk-form")
    assert "challenges" not in data  # no row ticked
    data.update(transition="withdraw", whole_page="1")
    page = manager_client.post(BULK, data)
    assert "s’appliquera aux 5 défis sélectionnés." in page.content.decode()


def test_the_list_loads_the_selection_script_with_the_nonce(manager_client, cases):
    response = manager_client.get(LIST)
    html = response.content.decode()
    assert '<input type="checkbox" name="whole_page" value="1" id="select-page" data-select-page>' in html
    assert '<script src="/static/backoffice/decisions.js" nonce="' in html
    nonce = html.split('<script src="/static/backoffice/decisions.js" nonce="')[1].split('"')[0]
    assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]


def test_a_bulk_of_three_holds_one_review_with_every_message(manager_client, cases, manager):
    chosen = cases["submitted"]
    page = manager_client.post(BULK, {"transition": "reject", "challenges": [c.pk for c in chosen]})
    data = form_data(page.content.decode(), "bulk-confirm")
    data.update(reason="Hors périmètre", hold_mail="1", confirm="1")
    response = manager_client.post(BULK, data, follow=True)

    review = Batch.objects.get()
    assert review.label.startswith("Ne pas présélectionner — 3 défis — ")
    assert (review.transition, review.created_by) == ("reject", manager)
    assert {n.challenge_id for n in review.notifications.all()} == {c.pk for c in chosen}
    # Without mentors nor contacts (dossier_rows=False): the team's copy, and the problem reported.
    assert sorted(review.notifications.values_list("status", flat=True)) == sorted(
        [DeliveryStatus.HELD, DeliveryStatus.INVALID_RECIPIENT] * 3
    )
    assert review.audit_events.count() == 3
    html = response.content.decode()
    assert "Les e-mails de cette décision sont retenus" in html
    assert (
        f'<a href="{reverse("backoffice:held_mails")}?lot={review.pk}">Relire les e-mails retenus</a>' in html
    )


def test_partial_refusals_are_reported_per_challenge(manager_client, cases):
    chosen = [cases["submitted"][0], cases["others"][0]]
    page = manager_client.post(BULK, {"transition": "preselect", "challenges": [c.pk for c in chosen]})
    html = page.content.decode()
    assert "1 défi sur 2 peut faire cette transition depuis son état" in html
    # The confirmation and the button count the challenges that will move, not those chosen.
    confirm = "Je confirme : « Présélectionner » pour le défi qui le peut (1 sur 2)"
    assert f'for="bulk-confirm-box">{confirm}</label>' in html
    assert '<button class="fr-btn" type="submit">Présélectionner : 1 défi</button>' in html
    assert "2 défis</button>" not in html and "pour ces 2 défis" not in html
    data = form_data(html, "bulk-confirm")
    data.update(reason="Comité", confirm="1")
    done = manager_client.post(BULK, data, follow=True).content.decode()
    assert "« Présélectionner » : 1 défi modifié." in done
    assert "« Déclic » : « Présélectionner » n’est pas possible depuis l’état « En cours »." in done
    assert moved() == {"Archives ouvertes"}


def test_the_confirmation_says_whether_the_reason_is_sent_and_previews_the_mail(manager_client, cases):
    chosen = cases["submitted"][1]
    html = manager_client.post(BULK, {"transition": "reject", "challenges": [chosen.pk]}).content.decode()
    assert "Le motif sera cité dans l’e-mail envoyé à l’administration et aux mentors." in html
    assert "Aperçu de l’e-mail (pour « Budget vert » ; chaque défi reçoit le sien)" in html
    assert (
        'Motif : <mark class="reason-mark" data-reason-of="bulk-reason" '
        'data-empty="[le motif que vous saisirez]">[le motif que vous saisirez]</mark>' in html
    )

    data = form_data(html, "bulk-confirm")
    data.update(reason="Budget insuffisant", preview="1")
    preview = manager_client.post(BULK, data).content.decode()
    assert '<details class="fr-mb-2w" id="preview-bulk" open>' in preview
    assert 'data-empty="[le motif que vous saisirez]">Budget insuffisant</mark>' in preview
    assert moved() == set()


def test_the_confirmation_counts_the_challenges_that_can_move(manager_client, cases):
    chosen = [*cases["submitted"][:2], cases["others"][0]]
    page = manager_client.post(BULK, {"transition": "preselect", "challenges": [c.pk for c in chosen]})
    html = page.content.decode()
    assert "2 défis sur 3 peuvent faire cette transition depuis leur état" in html
    assert "Je confirme : « Présélectionner » pour les défis qui le peuvent (2 sur 3)</label>" in html
    assert '<button class="fr-btn" type="submit">Présélectionner : 2 défis</button>' in html

    everyone = manager_client.post(
        BULK, {"transition": "preselect", "challenges": [c.pk for c in cases["submitted"]]}
    ).content.decode()
    assert "Je confirme : « Présélectionner » pour ces 3 défis</label>" in everyone
    assert '<button class="fr-btn" type="submit">Présélectionner : 3 défis</button>' in everyone


def test_when_no_challenge_can_move_there_is_nothing_to_confirm(manager_client, cases):
    running = cases["others"][0]
    back = f"{LIST}?state=running"
    page = manager_client.post(BULK, {"transition": "preselect", "challenges": [running.pk], "next": back})
    html = page.content.decode()
    assert page.status_code == 200
    assert "Ce défi ne peut pas faire « Présélectionner » depuis son état" in html
    assert 'id="bulk-confirm"' not in html and 'name="confirm"' not in html
    assert f'fr-icon-arrow-left-line" href="{back}" id="bulk-back">Revenir à la liste des défis</a>' in html
    assert "s’appliquera" not in html
    assert f'">{running.name}</a></th>' in html  # the challenge, with why it cannot move
    assert "impossible depuis cet état" in html

    several = manager_client.post(
        BULK, {"transition": "start", "challenges": [c.pk for c in cases["submitted"]]}
    ).content.decode()
    assert "Aucun des 3 défis ne peut faire « " in several
    assert 'id="bulk-confirm"' not in several

    # A confirmation forged anyway moves nothing, and says why for each challenge.
    done = manager_client.post(
        BULK,
        {"transition": "preselect", "challenges": [running.pk], "step": "confirm", "confirm": "1"},
        follow=True,
    ).content.decode()
    assert "« Déclic » : « Présélectionner » n’est pas possible depuis l’état « En cours »." in done
    assert moved() == set()


def test_the_selections_confirmation_says_what_each_lacks_and_what_the_envelope_keeps(manager_client):
    promotion = PromotionFactory()
    Call = type(promotion.call)
    Call.objects.filter(pk=promotion.call.pk).update(cofinancing_envelope="200000")
    heard_one = ChallengeFactory(promotion=promotion, name="Entendu", state=ChallengeState.PITCHED)
    heard(heard_one)
    heard_two = ChallengeFactory(promotion=promotion, name="Entendu aussi", state=ChallengeState.PITCHED)
    heard(heard_two)
    unheard = ChallengeFactory(promotion=promotion, name="Jamais entendu", state=ChallengeState.PITCHED)

    page = manager_client.post(
        BULK, {"transition": "select", "challenges": [heard_one.pk, heard_two.pk, unheard.pk]}
    ).content.decode()

    text = text_of(page)
    assert (
        "Co-financement PIA : 0,00 € déjà engagés, 315 000,00 € demandés par ces défis, soit 315 000,00 € "
        "sur une enveloppe de 200 000,00 €." in text
    )
    assert "Le tout dépasse l’enveloppe de 115 000,00 €" in text
    unheard_refusal = "Le défi n’a pas été auditionné par un sous-jury : sa grille collective est vide."
    assert f"refusée aujourd’hui {unheard_refusal}" in text
    assert text.index("Jamais entendu") < text.index(unheard_refusal)
    assert Challenge.objects.filter(state=ChallengeState.SELECTED).count() == 0
