"""The jury's ranking and the applications through the API: for managers only, as the pages."""

import pytest
from django.urls import reverse

from accounts.enums import Role
from api import tokens
from jury.services import jury_of
from lifecycle.enums import ChallengeState
from recruitment import retention
from recruitment.models import Application
from tests.api.test_api import bearer
from tests.factories import (
    AdministrationFactory,
    ChallengeFactory,
    PromotionFactory,
    administration_contact,
    heard,
    open_candidates_call,
    programme_manager,
    recruiting_challenge,
    submitted_candidate,
    two_criteria,
    user_with_role,
)


@pytest.fixture
def jury_world(db):
    promotion = PromotionFactory(number=3, name="EIG 3")
    call = promotion.call
    first, second = two_criteria(call)
    jury = jury_of(promotion)
    lenient, strict = jury.sub_juries.create(name="Sous-jury A"), jury.sub_juries.create(name="Sous-jury B")
    dinum = AdministrationFactory(name="Direction interministérielle du numérique")
    challenges = {
        name: ChallengeFactory(
            promotion=promotion, administration=dinum, name=name, state=ChallengeState.PITCHED
        )
        for name in ["Alpha", "Bêta", "Gamma", "Delta"]
    }
    heard(challenges["Alpha"], [4, 4], sub_jury=lenient)  # 12
    heard(challenges["Bêta"], [3, 4], sub_jury=lenient)  # 11
    heard(challenges["Gamma"], [3, 4], sub_jury=strict)  # 11
    heard(challenges["Delta"], [2, 2], sub_jury=strict)  # 6
    return {"promotion": promotion, "criteria": [first, second], "dinum": dinum, "challenges": challenges}


def test_a_manager_reads_the_ranking_in_each_order_of_the_page(client, jury_world):
    _token, secret = tokens.create(programme_manager(), name="Tableau de bord du jury")
    url = reverse("api:ranking", args=[3])

    raw = client.get(url, {"tri": "brut"}, **bearer(secret)).json()
    calibrated = client.get(url, **bearer(secret)).json()

    first, second = jury_world["criteria"]
    assert raw["order"] == "brut" and raw["promotion"] == 3 and raw["closed_at"] is None
    assert raw["criteria"] == [
        {"id": first.pk, "name": first.name, "weight": "1.00"},
        {"id": second.pk, "name": "Équipe", "weight": "2.00"},
    ]
    assert [(row["challenge_name"], row["position"], row["tied"], row["total"]) for row in raw["rows"]] == [
        ("Alpha", 1, False, "12.00"),
        ("Bêta", 2, True, "11.00"),
        ("Gamma", 2, True, "11.00"),
        ("Delta", 4, False, "6.00"),
    ]
    alpha = raw["rows"][0]
    assert alpha["scores"] == [{"criterion": first.pk, "value": 4}, {"criterion": second.pk, "value": 4}]
    assert (alpha["sub_jury"], alpha["administration"]) == (
        "Sous-jury A",
        "Direction interministérielle du numérique",
    )
    assert (alpha["calibrated"], alpha["offset"], alpha["complete"]) == ("3.86", "0.14", True)
    # Calibrated (the default order), the strict sub-jury's Gamma passes Bêta, as on the page.
    assert [row["challenge_name"] for row in calibrated["rows"]] == ["Alpha", "Gamma", "Bêta", "Delta"]
    assert calibrated["rows"][1]["calibrated_total"] == "11.42"


def test_the_ranking_refuses_an_unknown_order_and_a_promotion_without_jury_is_empty(client, jury_world):
    PromotionFactory(number=4, name="EIG 4")
    _token, secret = tokens.create(programme_manager(), name="Tableau de bord du jury")

    unknown = client.get(reverse("api:ranking", args=[3]), {"tri": "hasard"}, **bearer(secret))
    empty = client.get(reverse("api:ranking", args=[4]), **bearer(secret))

    assert (unknown.status_code, unknown.json()) == (
        400,
        {"tri": ["Tri inconnu : choisissez calibre, brut ou avis."]},
    )
    assert (empty.status_code, empty.json()["rows"]) == (200, [])
    assert client.get(reverse("api:ranking", args=[9]), **bearer(secret)).status_code == 404


def test_a_token_of_another_promotion_does_not_read_this_ranking(client, jury_world):
    other = PromotionFactory(number=4, name="EIG 4")
    _token, secret = tokens.create(programme_manager(), name="EIG 4 seulement", promotion=other)
    assert client.get(reverse("api:ranking", args=[3]), **bearer(secret)).status_code == 404


@pytest.mark.parametrize("role", ["contact", "auditor"])
def test_the_ranking_and_the_applications_are_the_managers_only(client, jury_world, role):
    person = (
        administration_contact(jury_world["dinum"]) if role == "contact" else user_with_role(Role.AUDITOR)
    )
    _token, secret = tokens.create(person, name="Curieux")
    refused = {
        "detail": "Le classement du jury et les candidatures sont réservés aux chargé·es de programme."
    }
    for url in [reverse("api:ranking", args=[3]), reverse("api:applications")]:
        response = client.get(url, **bearer(secret))
        assert (response.status_code, response.json()) == (403, refused)


@pytest.fixture
def applications_world(db):
    call = open_candidates_call(PromotionFactory(number=3, name="EIG 3"))
    archives = recruiting_challenge(call, name="Archives ouvertes")
    orgues = recruiting_challenge(call, name="Inventaire des orgues")
    elise = submitted_candidate(call, [archives, orgues], first_name="Élise", last_name="Guérin")
    noe = submitted_candidate(call, [archives], first_name="Noé", last_name="Lefèvre")
    return {"call": call, "archives": archives, "orgues": orgues, "elise": elise, "noe": noe}


def test_a_manager_reads_the_applications_with_who_applies_filtered_and_by_cursor(client, applications_world):
    world = applications_world
    _token, secret = tokens.create(programme_manager(), name="Suivi du recrutement")
    url = reverse("api:applications")

    page = client.get(url, {"taille": 2}, **bearer(secret)).json()
    rest = client.get(page["next"], **bearer(secret)).json()
    archives = client.get(url, {"challenge": world["archives"].pk}, **bearer(secret)).json()["results"]

    rows = page["results"] + rest["results"]
    assert len(page["results"]) == 2 and rest["next"] is None
    assert [(row["challenge"], row["candidate"]["last_name"], row["state"]) for row in rows] == [
        (world["archives"].pk, "Guérin", "submitted"),
        (world["orgues"].pk, "Guérin", "submitted"),
        (world["archives"].pk, "Lefèvre", "submitted"),
    ]
    assert rows[0]["candidate"] == {
        "id": world["elise"].pk,
        "first_name": "Élise",
        "last_name": "Guérin",
        "email": world["elise"].email,
        "profile": world["elise"].profile,
        "erased": False,
    }
    assert rows[0]["state_label"] == "Déposée"
    assert [row["candidate"]["first_name"] for row in archives] == ["Élise", "Noé"]
    bad = client.get(url, {"state": "draft"}, **bearer(secret))
    assert bad.status_code == 400 and "state" in bad.json()


def test_a_draft_is_listed_nowhere_and_an_erased_candidate_has_no_identity(client, applications_world):
    world = applications_world
    Application.objects.filter(candidate=world["noe"]).update(state="draft")
    retention.request_erasure(world["elise"], by=programme_manager(username="effaceur"))
    _token, secret = tokens.create(programme_manager(), name="Suivi du recrutement")

    rows = client.get(reverse("api:applications"), **bearer(secret)).json()["results"]

    assert [row["candidate"]["id"] for row in rows] == [world["elise"].pk, world["elise"].pk]
    erased = {
        (row["candidate"]["last_name"], row["candidate"]["email"], row["candidate"]["erased"]) for row in rows
    }
    assert erased == {("", "", True)}
    assert [row["state"] for row in rows] == ["withdrawn", "withdrawn"]
