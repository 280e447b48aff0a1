"""The REST API through Django's test client: tokens, what each person reads, moves, limits."""

import datetime as dt

import pytest
from django.urls import reverse

from accounts.enums import Role
from api import tokens
from api.models import ApiToken, Scope
from lifecycle import clock
from lifecycle.enums import AuditKind, ChallengeState
from lifecycle.models import AuditEvent
from tests.factories import (
    AdministrationFactory,
    ChallengeFactory,
    PromotionFactory,
    administration_contact,
    programme_manager,
    user_with_role,
)


@pytest.fixture
def world(db):
    promotion = PromotionFactory(number=3, name="EIG 3")
    other = PromotionFactory(number=4, name="EIG 4")
    dinum = AdministrationFactory(name="Direction interministérielle du numérique")
    culture = AdministrationFactory(name="Ministère de la Culture")
    ours = ChallengeFactory(
        promotion=promotion,
        administration=dinum,
        name="Démarches accessibles",
        state=ChallengeState.SUBMITTED,
    )
    theirs = ChallengeFactory(promotion=promotion, administration=culture, name="Inventaire des orgues")
    later = ChallengeFactory(promotion=other, administration=dinum, name="Données de santé")
    return {
        "promotion": promotion,
        "other": other,
        "dinum": dinum,
        "ours": ours,
        "theirs": theirs,
        "later": later,
    }


def bearer(secret):
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def names(response):
    return [row["name"] for row in response.json()["results"]]


def test_a_token_is_shown_once_stored_hashed_and_its_creation_audited(world):
    manager = programme_manager()
    token, secret = tokens.create(manager, name="Tableau de bord de la DINUM", scope=Scope.READ)
    assert secret.startswith("eig_") and len(secret) > 40
    assert token.digest == tokens.digest_of(secret) and secret not in (token.digest, token.prefix)
    assert secret.startswith(token.prefix)
    event = AuditEvent.objects.get(kind=AuditKind.API_TOKEN_CREATED)
    assert event.subject == f"apitoken:{token.pk}" and secret not in event.reason


def test_without_a_valid_token_nothing(client, world):
    url = reverse("api:challenges")
    assert client.get(url).status_code == 401
    response = client.get(url, **bearer("eig_faux"))
    assert (response.status_code, response.json()) == (
        401,
        {"detail": "Jeton d’API invalide, expiré ou révoqué."},
    )


def test_a_manager_reads_every_challenge_a_contact_its_administrations(client, world):
    _token, manager_secret = tokens.create(programme_manager(), name="Tout")
    contact = administration_contact(world["dinum"])
    _token, contact_secret = tokens.create(contact, name="SI de la DINUM")
    url = reverse("api:challenges")
    assert names(client.get(url, **bearer(manager_secret))) == [
        "Démarches accessibles",
        "Inventaire des orgues",
        "Données de santé",
    ]
    assert names(client.get(url, **bearer(contact_secret))) == ["Démarches accessibles", "Données de santé"]
    theirs = reverse("api:challenge", args=[world["theirs"].pk])
    assert client.get(theirs, **bearer(contact_secret)).status_code == 404


def test_a_token_of_one_promotion_reads_that_promotion_only(client, world):
    _token, secret = tokens.create(programme_manager(), name="EIG 3", promotion=world["promotion"])
    assert names(client.get(reverse("api:challenges"), **bearer(secret))) == [
        "Démarches accessibles",
        "Inventaire des orgues",
    ]
    promotions = client.get(reverse("api:promotions"), **bearer(secret)).json()["results"]
    assert [p["number"] for p in promotions] == [3]


def test_the_lists_filter_as_the_back_office_and_go_by_cursor(client, world):
    _token, secret = tokens.create(programme_manager(), name="Tout")
    url = reverse("api:challenges")
    assert names(client.get(url, {"state": "submitted"}, **bearer(secret))) == ["Démarches accessibles"]
    assert names(client.get(url, {"q": "orgues"}, **bearer(secret))) == ["Inventaire des orgues"]
    first = client.get(url, {"taille": 2}, **bearer(secret)).json()
    assert len(first["results"]) == 2 and first["next"] and "cursor=" in first["next"]
    rest = client.get(first["next"], **bearer(secret)).json()
    assert [row["name"] for row in rest["results"]] == ["Données de santé"]
    response = client.get(url, {"state": "inconnu"}, **bearer(secret))
    assert response.status_code == 400


def test_a_challenge_has_its_dossier_and_history(client, world):
    manager = programme_manager()
    _token, secret = tokens.create(manager, name="Tout")
    data = client.get(reverse("api:challenge", args=[world["ours"].pk]), **bearer(secret)).json()
    assert (data["name"], data["state"], data["state_label"]) == (
        "Démarches accessibles",
        "submitted",
        "Déposé",
    )
    assert data["dossier"]["administration"] == "Direction interministérielle du numérique"
    assert data["history"] == []


def test_a_move_goes_through_the_transition_with_its_reasons_in_the_request_language(client, world):
    manager = programme_manager()
    _token, secret = tokens.create(manager, name="Écriture", scope=Scope.WRITE)
    url = reverse("api:move", args=[world["ours"].pk])
    refused = client.post(url, {"transition": "preselect"}, content_type="application/json", **bearer(secret))
    assert refused.status_code == 409
    assert refused.json()["reasons"] == ["Cette décision doit être motivée : indiquez un motif."]
    english = client.post(
        url,
        {"transition": "preselect"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
        **bearer(secret),
    )
    assert english.json()["reasons"] == ["This decision must be justified: give a reason."]
    moved = client.post(
        url,
        {"transition": "preselect", "reason": "Un défi solide"},
        content_type="application/json",
        **bearer(secret),
    )
    assert moved.status_code == 200
    assert (moved.json()["state"], moved.json()["history"][0]["reason"]) == ("preselected", "Un défi solide")
    event = AuditEvent.objects.get(kind=AuditKind.TRANSITION)
    assert (event.actor_id, event.transition) == (manager.pk, "preselect")


def test_a_read_token_cannot_move(client, world):
    _token, secret = tokens.create(programme_manager(), name="Lecture")
    url = reverse("api:move", args=[world["ours"].pk])
    response = client.post(
        url, {"transition": "preselect", "reason": "x"}, content_type="application/json", **bearer(secret)
    )
    assert response.status_code == 403
    assert world["ours"].__class__.objects.get(pk=world["ours"].pk).state == ChallengeState.SUBMITTED


def test_every_use_is_recorded_and_a_revoked_or_expired_token_refused(client, world):
    manager = programme_manager()
    token, secret = tokens.create(manager, name="Tout", days=1)
    for _ in range(3):
        client.get(reverse("api:promotions"), **bearer(secret))
    token.refresh_from_db()
    assert token.use_count == 3 and token.last_used_at is not None
    with clock.at(token.expires_at + dt.timedelta(seconds=1)):
        assert client.get(reverse("api:promotions"), **bearer(secret)).status_code == 401
    tokens.revoke(token, by=manager)
    assert client.get(reverse("api:promotions"), **bearer(secret)).status_code == 401
    assert AuditEvent.objects.filter(
        kind=AuditKind.API_TOKEN_REVOKED, subject=f"apitoken:{token.pk}"
    ).exists()


def test_a_token_is_limited_in_rate_with_a_clear_429(client, world, settings):
    from rest_framework.settings import api_settings
    from rest_framework.throttling import SimpleRateThrottle

    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"token": "3/min"}}
    api_settings.reload()
    SimpleRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
    try:
        _token, secret = tokens.create(programme_manager(), name="Tout")
        codes = [client.get(reverse("api:promotions"), **bearer(secret)).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        response = client.get(reverse("api:promotions"), **bearer(secret))
        assert int(response["Retry-After"]) > 0
        assert response.json()["detail"].startswith("Trop de requêtes pour ce jeton : réessayez dans ")
    finally:
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"token": "120/min"}}
        api_settings.reload()
        SimpleRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES


def test_the_trail_is_for_managers_and_auditors(client, world):
    _token, auditor_secret = tokens.create(
        user_with_role(Role.AUDITOR, username="auditrice"), name="Contrôle"
    )
    _token, contact_secret = tokens.create(administration_contact(world["dinum"]), name="SI")
    assert client.get(reverse("api:audit"), **bearer(auditor_secret)).status_code == 200
    assert client.get(reverse("api:audit"), **bearer(contact_secret)).status_code == 403


def test_a_candidate_gets_no_token(world):
    with pytest.raises(tokens.TokenRefused, match=r"Votre rôle ne donne pas accès à l’API\."):
        tokens.create(user_with_role(Role.CANDIDATE, username="cand"), name="x")
    with pytest.raises(tokens.TokenRefused, match=r"Votre rôle ne permet qu’un jeton de lecture\."):
        tokens.create(user_with_role(Role.AUDITOR, username="aud"), name="x", scope=Scope.WRITE)


def test_the_openapi_document_is_served_and_browsable(client, db):
    schema = client.get(reverse("api:schema"), HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert {"/api/v1/challenges/", "/api/v1/challenges/{id}/", "/api/v1/challenges/{id}/moves/"} <= set(paths)
    assert client.get(reverse("api:docs")).status_code == 200


def test_the_account_page_creates_shows_once_and_revokes(client, world):
    manager = programme_manager()
    client.force_login(manager)
    response = client.post(
        reverse("api_tokens"),
        {"name": "Tableau", "scope": "read", "promotion": "", "days": "30"},
        follow=True,
    )
    page = response.content.decode()
    token = ApiToken.objects.get()
    assert response.redirect_chain == [(reverse("api_tokens"), 302)]  # a reload creates no second token
    assert 'id="new-secret"' in page and token.prefix in page
    assert 'id="new-secret"' not in client.get(reverse("api_tokens")).content.decode()
    client.post(reverse("api_token_revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_a_promotion_s_call_is_read_as_configured_within_the_token_s_promotion(client, world):
    from lifecycle.models import SelectionCriterion, SoughtProfile

    call = world["promotion"].call
    SelectionCriterion.objects.filter(call=call).delete()
    SelectionCriterion.objects.create(call=call, name="Impact pour les usagers", weight="2", rank=1)
    SoughtProfile.objects.filter(call=call).delete()
    SoughtProfile.objects.create(call=call, code="juriste", label="Juriste du numérique", rank=1)
    _token, secret = tokens.create(administration_contact(world["dinum"]), name="SI")
    _token, other_secret = tokens.create(programme_manager(), name="EIG 4", promotion=world["other"])

    body = client.get(reverse("api:promotion", args=[3]), **bearer(secret)).json()

    assert (body["number"], body["name"]) == (3, "EIG 3")
    assert body["call"]["criteria"] == [
        {"id": call.criteria.get().pk, "name": "Impact pour les usagers", "weight": "2.00"}
    ]
    assert body["call"]["profiles"] == [{"code": "juriste", "label": "Juriste du numérique"}]
    assert body["call"]["submission_deadline"] == body["submission_deadline"] is not None
    assert client.get(reverse("api:promotion", args=[3]), **bearer(other_secret)).status_code == 404
