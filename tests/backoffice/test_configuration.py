"""The promotions' pages: a programme manager configures a promotion and its call in the back
office; what is posted is what the database holds, audited; a refusal writes nothing."""

import datetime as dt
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from backoffice.promotion_forms import CALL_FIELDS
from jury.models import Score
from lifecycle import criteria
from lifecycle.enums import AdministrationKind, AuditKind, ChallengeState, CofinancingKind
from lifecycle.models import (
    AuditEvent,
    Call,
    EigPosition,
    PayLevel,
    Promotion,
    SelectionCriterion,
    SoughtProfile,
)
from tests.factories import (
    AdministrationFactory,
    ChallengeFactory,
    PromotionFactory,
    administration_contact,
    heard,
)
from tests.html_forms import form_data

PARIS = ZoneInfo("Europe/Paris")
LIST = reverse("backoffice:promotions")
CREATE = reverse("backoffice:promotion")
FORM = "promotion-form"


def page_of(promotion) -> str:
    return f"{CREATE}?promotion={promotion.pk}"


def paris(*args):
    return dt.datetime(*args, tzinfo=PARIS)


def rows(call):
    return {
        "profiles": list(call.profiles.values_list("code", "label", "rank")),
        "pay_levels": list(call.pay_levels.values_list("name", "net_monthly_pay", "rank")),
    }


def summary(html) -> list[str]:
    """The error summary's lines, tags removed."""
    block = re.search(
        r'<div class="fr-alert fr-alert--error fr-mb-4w" role="alert" id="form-errors">(.*?)</div>',
        html,
        re.S,
    )
    assert block, "the page has an error summary"
    return [
        re.sub(r"<[^>]+>", "", item).strip() for item in re.findall(r"<li>(.*?)</li>", block.group(1), re.S)
    ]


def written():
    return (
        Promotion.objects.count(),
        Call.objects.count(),
        SoughtProfile.objects.count(),
        SelectionCriterion.objects.count(),
        AuditEvent.objects.count(),
    )


def criteria_of(call):
    return list(call.criteria.values_list("name", "description", "weight", "rank"))


def shown_criteria(data) -> list[tuple]:
    return [
        (data[f"criteres-{i}-name"], data[f"criteres-{i}-description"], data[f"criteres-{i}-weight"])
        for i in range(int(data["criteres-TOTAL_FORMS"]))
    ]


SCALE_OF_2018 = "Pas du tout satisfaisant\nPeu satisfaisant\nSatisfaisant\nExcellent"


# The new promotion of the scenario: its call opens in June, closes at 23:59 on 30 September, its
# candidates' call opens on 1 October, before the jury (14-16 October), co-financed by months.
NEW_CALL = {
    "title": "Appel à défis EIG 4",
    "information_event_at": "2019-05-20T18:30",
    "submission_opens_at": "2019-06-03T09:00",
    "submission_deadline": "2019-09-30T23:59",
    "submission_reminder_days": "14, 7, 1",
    "submission_reminder_time": "10:00",
    "jury_starts_on": "2019-10-14",
    "jury_ends_on": "2019-10-16",
    "recruitment_opens_at": "2019-10-01T10:00",
    "recruitment_closes_at": "2019-11-15T18:00",
    "candidate_preselection_ends_on": "2019-11-22",
    "candidate_interviews_start_on": "2019-11-25",
    "candidate_interviews_end_on": "2019-11-29",
    "candidate_jury_on": "2019-12-05",
    "starts_on": "2020-01-06",
    "onboarding_ends_on": "2020-01-17",
    "work_starts_on": "2020-01-20",
    "duration_months": "10",
    "cofinancing_funder": "Fonds de transformation",
    "cofinancing_envelope": "2000000.00",
    "cofinancing_kind": "months",
    "cofinancing_months": "3",
    "cofinancing_eligible_kinds": ["ministry", "territorial_authority"],
    "cofinancing_needs_budget_programme": "on",
    "net_monthly_pay": "4000.00",
    "max_pitch_slides": "10",
    "min_team_members": "2",
    "line_limit__problem": "15",
    "line_limit__mission": "4",
}
PROFILES = [
    ("development", "Développement"),
    ("data_science", "Data science"),
    ("design", "Design de service ou d’expérience utilisateur"),
    ("juriste", "Juriste du numérique"),
]
PAY_LEVELS = [("Junior", "3500.00"), ("Confirmé", "4500.00")]


def the_new_promotion_posted(client):
    """The "Nouvelle promotion" page as a browser posts it once filled in."""
    data = form_data(client.get(CREATE).content.decode(), FORM)
    data |= NEW_CALL
    data["name"] = "EIG 4 — 2020"
    data["year"] = "2019"
    for index, (code, label) in enumerate(PROFILES):
        data |= {f"profils-{index}-code": code, f"profils-{index}-label": label}
    for index, (name, pay) in enumerate(PAY_LEVELS):
        data |= {f"niveaux-{index}-name": name, f"niveaux-{index}-net_monthly_pay": pay}
    return data


def test_the_new_promotion_page_offers_the_next_number_and_the_models_defaults(manager_client):
    PromotionFactory(number=3, name="EIG 3")

    data = form_data(manager_client.get(CREATE).content.decode(), FORM)

    assert (data["number"], data["name"]) == ("4", "EIG 4")
    assert data["duration_months"] == "10"
    assert data["cofinancing_funder"] == "PIA"
    assert data["cofinancing_kind"] == "rate"
    assert data["cofinancing_rate"] == "0.70"
    assert data["cofinancing_eligible_kinds"] == ["ministry", "ministry_operator"]
    assert data["submission_reminder_days"] == "7, 1"
    assert data["cohort_session_starts_at"] == "14:00"
    assert data["cohort_session_place"] == "Etalab, 20 avenue de Ségur, 75007 Paris"
    assert data["line_limit__problem"] == ""  # blank: the official form's 10 lines
    assert [(data[f"profils-{i}-code"], data[f"profils-{i}-label"]) for i in range(3)] == PROFILES[:3]
    assert data["profils-TOTAL_FORMS"] == "5"  # the three profiles of 2018 and two blank rows
    assert data["niveaux-TOTAL_FORMS"] == "2"
    assert data["submission_deadline"] == ""


def test_a_manager_creates_a_promotion_and_its_call_as_posted(manager_client, manager):
    PromotionFactory(number=3, name="EIG 3")
    events_before = AuditEvent.objects.count()

    response = manager_client.post(CREATE, the_new_promotion_posted(manager_client))

    promotion = Promotion.objects.get(number=4)
    assert response.status_code == 302
    assert response["Location"] == page_of(promotion)
    assert (promotion.name, promotion.year) == ("EIG 4 — 2020", 2019)
    call = Call.objects.get(promotion=promotion)
    assert call.title == "Appel à défis EIG 4"
    assert call.information_event_at == paris(2019, 5, 20, 18, 30)
    assert call.submission_opens_at == paris(2019, 6, 3, 9, 0)
    assert call.submission_deadline == paris(2019, 9, 30, 23, 59)
    assert call.submission_closes_at == paris(2019, 10, 1, 0, 0)  # 23:59 includes its minute
    assert call.reminder_days == [14, 7, 1]
    assert call.submission_reminder_time == dt.time(10, 0)
    assert (call.jury_starts_on, call.jury_ends_on) == (dt.date(2019, 10, 14), dt.date(2019, 10, 16))
    assert call.recruitment_opens_at == paris(2019, 10, 1, 10, 0)  # before the jury
    assert call.recruitment_closes_at == paris(2019, 11, 15, 18, 0)
    assert call.candidate_preselection_ends_on == dt.date(2019, 11, 22)
    assert call.candidate_interviews_start_on == dt.date(2019, 11, 25)
    assert call.candidate_interviews_end_on == dt.date(2019, 11, 29)
    assert call.candidate_jury_on == dt.date(2019, 12, 5)
    assert (call.starts_on, call.onboarding_ends_on, call.work_starts_on) == (
        dt.date(2020, 1, 6),
        dt.date(2020, 1, 17),
        dt.date(2020, 1, 20),
    )
    assert call.ends_on == dt.date(2020, 11, 20)
    assert call.cofinancing_funder == "Fonds de transformation"
    assert call.cofinancing_envelope == Decimal("2000000.00")
    assert (call.cofinancing_kind, call.cofinancing_months) == (CofinancingKind.MONTHS, 3)
    assert call.cofinancing_eligible_kinds == [
        AdministrationKind.MINISTRY,
        AdministrationKind.TERRITORIAL_AUTHORITY,
    ]
    assert call.cofinancing_needs_budget_programme is True
    assert call.cofinancing_through_administrative_carrier is False
    assert (call.max_pitch_slides, call.min_team_members) == (10, 2)
    assert call.line_limits == {"problem": 15, "mission": 4}
    # What was not changed keeps the model's defaults.
    assert (call.cofinancing_rate, call.min_eigs_per_challenge, call.max_eigs_per_challenge) == (
        Decimal("0.700"),
        2,
        3,
    )
    assert rows(call) == {
        "profiles": [(code, label, rank) for rank, (code, label) in enumerate(PROFILES, start=1)],
        "pay_levels": [("Junior", Decimal("3500.00"), 1), ("Confirmé", Decimal("4500.00"), 2)],
    }

    events = AuditEvent.objects.order_by("id")[events_before:]
    assert {event.kind for event in events} == {AuditKind.SETTINGS_CHANGED}
    assert all(event.actor == manager for event in events)
    call_event = AuditEvent.objects.get(kind=AuditKind.SETTINGS_CHANGED, subject=f"call:{call.pk}")
    assert call_event.changes["submission_deadline"] == [None, "2019-09-30T21:59:00+00:00"]
    assert call_event.changes["cofinancing_kind"] == [None, "months"]
    assert call_event.changes["cofinancing_funder"] == [None, "Fonds de transformation"]
    juriste = SoughtProfile.objects.get(call=call, code="juriste")
    assert AuditEvent.objects.get(subject=f"soughtprofile:{juriste.pk}").changes["label"] == [
        None,
        "Juriste du numérique",
    ]

    page = manager_client.get(response["Location"]).content.decode()
    assert "La promotion EIG 4 — 2020 est créée avec son appel." in page
    shown = form_data(page, FORM)
    assert shown["submission_deadline"] == "2019-09-30T23:59"  # Paris time, as entered
    assert shown["recruitment_opens_at"] == "2019-10-01T10:00"
    assert shown["cofinancing_eligible_kinds"] == ["ministry", "territorial_authority"]
    assert (shown["line_limit__problem"], shown["line_limit__solution"]) == ("15", "")


def test_the_list_shows_each_promotion_with_its_key_dates(manager_client):
    PromotionFactory(number=3, name="EIG 3")
    manager_client.post(CREATE, the_new_promotion_posted(manager_client))
    promotion = Promotion.objects.get(number=4)

    html = manager_client.get(LIST).content.decode()

    row = re.search(r'<tr data-number="4">(.*?)</tr>', html, re.S).group(1)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
    assert text == (
        "4 EIG 4 — 2020 2019 ouverture le lundi 3 juin 2019 à 09:00 "
        "date limite le lundi 30 septembre 2019 à 23:59 incluse "
        "du 14 octobre 2019 au 16 octobre 2019 "
        "du mardi 1 octobre 2019 à 10:00 au vendredi 15 novembre 2019 à 18:00 "
        "6 janvier 2020 Configurer la promotion EIG 4 — 2020"
    )
    assert f'href="{page_of(promotion)}"' in row
    assert f'href="{CREATE}"' in html
    assert html.index('data-number="4"') < html.index('data-number="3"')


def test_an_invalid_calendar_is_refused_in_french_and_writes_nothing(manager_client):
    PromotionFactory(number=3, name="EIG 3")
    data = the_new_promotion_posted(manager_client)
    data["recruitment_closes_at"] = "2019-09-20T18:00"  # before its opening on 1 October
    data["submission_deadline"] = "2019-06-01T23:59"  # before the opening of submissions
    before = written()

    response = manager_client.post(CREATE, data)

    assert response.status_code == 200
    assert written() == before
    assert not Promotion.objects.filter(number=4).exists()
    html = response.content.decode()
    assert "Le formulaire contient 2 erreurs : rien n’a été enregistré" in html
    assert summary(html) == [
        "Date limite de dépôt des dossiers : La date limite doit suivre l’ouverture du dépôt.",
        "Clôture de l’appel à candidatures : La clôture doit suivre l’ouverture.",
    ]
    assert '<a href="#id_recruitment_closes_at">' in html
    assert 'id="id_recruitment_closes_at-error"' in html
    # What was posted is shown again, for correction.
    assert form_data(html, FORM)["recruitment_closes_at"] == "2019-09-20T18:00"
    assert form_data(html, FORM)["profils-3-code"] == "juriste"


def test_months_of_cofinancing_beyond_the_duration_are_refused(manager_client):
    data = the_new_promotion_posted(manager_client)
    data["cofinancing_months"] = "12"
    before = written()

    html = manager_client.post(CREATE, data).content.decode()

    assert written() == before
    assert summary(html) == ["Mois co-financés : Les mois co-financés dépassent la durée du défi."]


def test_an_existing_number_is_not_taken_again(manager_client):
    PromotionFactory(number=3, name="EIG 3")
    data = the_new_promotion_posted(manager_client) | {"number": "3"}
    before = written()

    html = manager_client.post(CREATE, data).content.decode()

    assert written() == before
    assert Promotion.objects.get(number=3).name == "EIG 3"
    assert summary(html) == ["Numéro : La promotion n°3 existe déjà : modifiez-la."]


def test_removing_a_profile_a_position_asks_for_is_refused_and_nothing_is_saved(manager_client):
    challenge = ChallengeFactory(promotion=PromotionFactory(number=3, name="EIG 3"))
    promotion, call = challenge.promotion, challenge.promotion.call
    assert EigPosition.objects.filter(challenge=challenge, profile="development").exists()
    url = page_of(promotion)
    data = form_data(manager_client.get(url).content.decode(), FORM)
    assert data["profils-0-code"] == "development"
    data |= {
        "profils-0-DELETE": "on",
        "name": "EIG 3 renommée",
        "cofinancing_funder": "Fonds de transformation",
    }
    lists_before, before = rows(call), written()

    response = manager_client.post(url, data)

    assert response.status_code == 200
    html = response.content.decode()
    refusal = "Le profil « Développement » est demandé par des défis de l’appel : il ne peut être retiré."
    assert summary(html) == [f"Profils d’EIG recherchés : {refusal}"]
    assert '<div class="fr-alert fr-alert--error fr-alert--sm" id="profils-recherches-refusal">' in html
    assert written() == before
    assert rows(call) == lists_before
    promotion.refresh_from_db()
    call.refresh_from_db()
    assert (promotion.name, call.cofinancing_funder) == ("EIG 3", "PIA")


def test_removing_a_pay_level_a_position_names_is_refused(manager_client, manager):
    challenge = ChallengeFactory(promotion=PromotionFactory(number=3, name="EIG 3"))
    call = challenge.promotion.call
    from lifecycle.promotions import set_pay_levels

    set_pay_levels(call, [("Junior", "3500"), ("Confirmé", "4500")], by=manager)
    EigPosition.objects.filter(challenge=challenge, rank=1).update(
        pay_level=PayLevel.objects.get(name="Junior")
    )
    url = page_of(challenge.promotion)
    data = form_data(manager_client.get(url).content.decode(), FORM) | {"niveaux-0-DELETE": "on"}
    before = written()

    html = manager_client.post(url, data).content.decode()

    assert written() == before
    assert summary(html) == [
        "Niveaux de rémunération : Le niveau « Junior » est celui de missions de l’appel : "
        "il ne peut être retiré."
    ]
    assert rows(call)["pay_levels"] == [
        ("Junior", Decimal("3500.00"), 1),
        ("Confirmé", Decimal("4500.00"), 2),
    ]


def test_a_manager_changes_a_call_and_removes_an_unused_profile(manager_client, manager):
    promotion = PromotionFactory(number=3, name="EIG 3")
    call = promotion.call
    url = page_of(promotion)
    data = form_data(manager_client.get(url).content.decode(), FORM)
    data |= {
        "number": "9",  # disabled: the number of a promotion does not change
        "submission_deadline": "2018-10-01T23:59",
        "cofinancing_kind": "rate",
        "cofinancing_rate": "0.5",
        "profils-2-DELETE": "on",  # design
        "profils-3-code": "juriste",
        "profils-3-label": "Juriste",
    }

    response = manager_client.post(url, data, follow=True)

    assert response.redirect_chain == [(url, 302)]
    assert "La promotion EIG 3 et son appel sont enregistrés." in response.content.decode()
    promotion.refresh_from_db()
    call.refresh_from_db()
    assert promotion.number == 3
    assert call.submission_deadline == paris(2018, 10, 1, 23, 59)
    assert call.cofinancing_rate == Decimal("0.500")
    assert rows(call)["profiles"] == [
        ("development", "Développement", 1),
        ("data_science", "Data science", 2),
        ("juriste", "Juriste", 3),
    ]
    event = AuditEvent.objects.filter(kind=AuditKind.SETTINGS_CHANGED, subject=f"call:{call.pk}").latest("id")
    assert event.changes["cofinancing_rate"] == ["0.700", "0.500"]
    assert event.actor == manager


def test_saving_the_page_unchanged_records_nothing(manager_client):
    promotion = PromotionFactory(number=3, name="EIG 3")
    url = page_of(promotion)
    data = form_data(manager_client.get(url).content.decode(), FORM)
    before = written()

    assert manager_client.post(url, data).status_code == 302
    assert written() == before


def test_every_field_of_the_call_is_on_the_page():
    handled_apart = {"id", "promotion", "line_limits"}
    assert set(CALL_FIELDS) == {field.name for field in Call._meta.concrete_fields} - handled_apart
    assert len(CALL_FIELDS) == len(set(CALL_FIELDS))


def test_the_managers_menu_leads_to_the_promotions(manager_client):
    html = manager_client.get(LIST).content.decode()
    assert f'<a class="fr-nav__link" href="{LIST}" aria-current="page">Promotions</a>' in html


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_contact_sees_none_of_these_pages(client, db, method):
    promotion = PromotionFactory(number=3, name="EIG 3")
    client.force_login(administration_contact(AdministrationFactory()))
    before = written()

    for url in [LIST, CREATE, page_of(promotion)]:
        data = {"number": "4", "name": "EIG 4", "year": "2019"} if method == "post" else None
        response = getattr(client, method)(url, data)
        assert response.status_code == 404, url  # the back office's rule: no hint that it exists

    assert written() == before


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    response = client.get(LIST)
    assert (response.status_code, response["Location"]) == (302, f"{reverse('login')}?next={LIST}")


def test_an_unknown_promotion_is_not_found(manager_client):
    assert manager_client.get(f"{CREATE}?promotion=999999").status_code == 404
    assert manager_client.get(f"{CREATE}?promotion=trois").status_code == 404


# The jury's criteria and scale.


def test_the_page_shows_the_calls_five_criteria_and_its_scale(manager_client):
    promotion = PromotionFactory(number=3, name="EIG 3")

    html = manager_client.get(page_of(promotion)).content.decode()

    data = form_data(html, FORM)
    assert data["criteres-TOTAL_FORMS"] == "7"  # the five of 2018 and two blank rows
    assert data["criteres-INITIAL_FORMS"] == "5"
    assert shown_criteria(data) == [
        *[(name, description, "1") for name, description in criteria.DEFAULT_CRITERIA],
        ("", "", "1"),
        ("", "", "1"),
    ]
    assert data["jury_scale"] == SCALE_OF_2018
    assert '<fieldset class="fr-fieldset fr-mb-4w" id="criteres-du-jury"' in html
    assert '<a class="fr-sidemenu__link" href="#criteres-du-jury">Critères du jury</a>' in html
    assert html.index('id="jury"') < html.index('id="criteres-du-jury"') < html.index('id="co-financement"')
    assert '<textarea name="jury_scale" cols="40" rows="5" class="fr-input"' in html
    assert "Un libellé par ligne, du plus bas (1) au plus haut ; au moins deux niveaux." in html


def test_a_new_promotion_offers_the_five_criteria_of_2018_and_saves_them_as_posted(manager_client):
    PromotionFactory(number=3, name="EIG 3")
    data = the_new_promotion_posted(manager_client)
    assert shown_criteria(data)[:5] == [(name, text, "1") for name, text in criteria.DEFAULT_CRITERIA]
    data["criteres-0-weight"] = "2"

    assert manager_client.post(CREATE, data).status_code == 302

    call = Promotion.objects.get(number=4).call
    assert criteria_of(call) == [
        (name, description, Decimal("2.00") if rank == 1 else Decimal("1.00"), rank)
        for rank, (name, description) in enumerate(criteria.DEFAULT_CRITERIA, start=1)
    ]
    assert call.jury_scale == SCALE_OF_2018


def test_a_manager_weighs_renames_and_adds_criteria_in_order_audited(manager_client, manager):
    promotion = PromotionFactory(number=3, name="EIG 3")
    call = promotion.call
    impact, team, innovation, definition, values = call.criteria.all()
    url = page_of(promotion)
    data = form_data(manager_client.get(url).content.decode(), FORM)
    data |= {
        "criteres-0-weight": "2",
        "criteres-2-name": "Caractère innovant de la solution",
        "criteres-5-name": "Faisabilité en dix mois",
        "criteres-5-description": "Les données sont-elles accessibles ?\r\nL’équipe est-elle prête ?",
        "criteres-5-weight": "1.5",
    }
    events_before = AuditEvent.objects.count()

    response = manager_client.post(url, data, follow=True)

    assert response.redirect_chain == [(url, 302)]
    assert "La promotion EIG 3 et son appel sont enregistrés." in response.content.decode()
    descriptions = dict(criteria.DEFAULT_CRITERIA)
    assert criteria_of(call) == [
        (impact.name, descriptions[impact.name], Decimal("2.00"), 1),
        (team.name, descriptions[team.name], Decimal("1.00"), 2),
        ("Caractère innovant de la solution", descriptions[innovation.name], Decimal("1.00"), 3),
        (definition.name, descriptions[definition.name], Decimal("1.00"), 4),
        (values.name, descriptions[values.name], Decimal("1.00"), 5),
        (
            "Faisabilité en dix mois",
            "Les données sont-elles accessibles ?\nL’équipe est-elle prête ?",
            Decimal("1.50"),
            6,
        ),
    ]
    events = list(AuditEvent.objects.order_by("id")[events_before:])
    assert {(event.kind, event.actor) for event in events} == {(AuditKind.SETTINGS_CHANGED, manager)}
    changes = {event.subject: event.changes for event in events}
    assert changes[f"selectioncriterion:{impact.pk}"] == {"weight": ["1.00", "2.00"]}
    # A renamed criterion is the same row (its scores stay with it), audited with both names.
    assert changes[f"selectioncriterion:{innovation.pk}"] == {
        "name": [innovation.name, "Caractère innovant de la solution"]
    }
    added = SelectionCriterion.objects.get(call=call, name="Faisabilité en dix mois")
    assert changes[f"selectioncriterion:{added.pk}"]["weight"] == [None, "1.50"]
    assert changes[f"selectioncriterion:{added.pk}"]["rank"] == [None, 6]
    assert set(changes) == {f"selectioncriterion:{pk}" for pk in (impact.pk, innovation.pk, added.pk)}
    shown = form_data(response.content.decode(), FORM)
    assert shown_criteria(shown)[:6] == [
        (impact.name, descriptions[impact.name], "2"),
        (team.name, descriptions[team.name], "1"),
        ("Caractère innovant de la solution", descriptions[innovation.name], "1"),
        (definition.name, descriptions[definition.name], "1"),
        (values.name, descriptions[values.name], "1"),
        ("Faisabilité en dix mois", "Les données sont-elles accessibles ?\nL’équipe est-elle prête ?", "1.5"),
    ]


def test_removing_a_criterion_the_jury_has_scored_is_refused_and_nothing_is_saved(manager_client):
    challenge = ChallengeFactory(
        promotion=PromotionFactory(number=3, name="EIG 3"), state=ChallengeState.PITCHED
    )
    promotion, call = challenge.promotion, challenge.promotion.call
    heard(challenge, [4, 3, 2, 3, 4])
    assert Score.objects.filter(challenge=challenge).count() == 5
    team = call.criteria.get(rank=2)
    url = page_of(promotion)
    data = form_data(manager_client.get(url).content.decode(), FORM)
    data |= {
        "name": "EIG 3 renommée",
        "jury_scale": "Insuffisant\nCorrect\nBien\nExcellent",
        "criteres-0-weight": "2",
        "criteres-1-DELETE": "on",  # scored
        "criteres-5-name": "Faisabilité en dix mois",
    }
    lists_before, criteria_before, before = rows(call), criteria_of(call), written()

    response = manager_client.post(url, data)

    assert response.status_code == 200
    html = response.content.decode()
    refusal = f"Le critère « {team.name} » a déjà des notes du jury : il ne peut être retiré."
    assert summary(html) == [f"Critères du jury : {refusal}"]
    assert '<div class="fr-alert fr-alert--error fr-alert--sm" id="criteres-du-jury-refusal">' in html
    assert written() == before
    assert criteria_of(call) == criteria_before
    assert rows(call) == lists_before
    promotion.refresh_from_db()
    call.refresh_from_db()
    assert (promotion.name, call.jury_scale) == ("EIG 3", SCALE_OF_2018)
    # What was posted is shown again, for correction.
    shown = form_data(html, FORM)
    assert (shown["criteres-1-DELETE"], shown["criteres-0-weight"]) == ("on", "2")
    assert shown["criteres-5-name"] == "Faisabilité en dix mois"
    assert shown["jury_scale"] == "Insuffisant\nCorrect\nBien\nExcellent"


def test_a_scale_of_one_level_is_refused_in_french(manager_client):
    promotion = PromotionFactory(number=3, name="EIG 3")
    url = page_of(promotion)
    data = form_data(manager_client.get(url).content.decode(), FORM)
    data |= {"jury_scale": "Satisfaisant\r\n\r\n", "name": "EIG 3 renommée"}
    before = written()

    html = manager_client.post(url, data).content.decode()

    assert written() == before
    assert summary(html) == ["Barème du jury : Le barème du jury a au moins deux niveaux, un par ligne."]
    assert '<a href="#id_jury_scale">' in html
    assert 'id="id_jury_scale-error"' in html
    assert Promotion.objects.get(pk=promotion.pk).name == "EIG 3"


def test_a_scale_is_saved_one_level_per_line_audited(manager_client, manager):
    promotion = PromotionFactory(number=3, name="EIG 3")
    call = promotion.call
    url = page_of(promotion)
    data = form_data(manager_client.get(url).content.decode(), FORM)
    data["jury_scale"] = " Insuffisant\r\n\r\nCorrect\r\nExcellent \r\n"

    assert manager_client.post(url, data).status_code == 302

    call.refresh_from_db()
    assert criteria.scale(call) == [(1, "Insuffisant"), (2, "Correct"), (3, "Excellent")]
    assert call.jury_scale == "Insuffisant\nCorrect\nExcellent"
    event = AuditEvent.objects.filter(kind=AuditKind.SETTINGS_CHANGED, subject=f"call:{call.pk}").latest("id")
    assert event.changes == {"jury_scale": [SCALE_OF_2018, "Insuffisant\nCorrect\nExcellent"]}
    assert event.actor == manager


@pytest.mark.parametrize("weight", ["0", "10.5"])
def test_a_weight_beyond_its_range_is_refused(manager_client, weight):
    promotion = PromotionFactory(number=3, name="EIG 3")
    url = page_of(promotion)
    data = form_data(manager_client.get(url).content.decode(), FORM) | {"criteres-0-weight": weight}
    criteria_before, before = criteria_of(promotion.call), written()

    html = manager_client.post(url, data).content.decode()

    assert written() == before
    assert criteria_of(promotion.call) == criteria_before
    assert summary(html) == ["Critères du jury, ligne 1 — Poids : Un poids va de 0,01 à 10."]
    assert '<a href="#id_criteres-0-weight">' in html
    assert 'id="id_criteres-0-weight-error"' in html
    assert form_data(html, FORM)["criteres-0-weight"] == weight


def test_a_criterion_needs_a_name_and_a_distinct_one(manager_client):
    promotion = PromotionFactory(number=3, name="EIG 3")
    url = page_of(promotion)
    data = form_data(manager_client.get(url).content.decode(), FORM)
    before = written()

    nameless = manager_client.post(url, data | {"criteres-5-description": "Sans nom"}).content.decode()
    twice = manager_client.post(url, data | {"criteres-1-name": data["criteres-0-name"]}).content.decode()

    assert written() == before
    assert summary(nameless) == ["Critères du jury, ligne 6 — Nom : Ce champ est obligatoire."]
    assert summary(twice) == [
        "Critères du jury, ligne 2 — Nom : Cette valeur figure déjà sur une autre ligne."
    ]


def test_renaming_a_criterion_the_jury_has_scored_keeps_its_scores(manager_client, manager):
    challenge = ChallengeFactory(
        promotion=PromotionFactory(number=3, name="EIG 3"), state=ChallengeState.PITCHED
    )
    heard(challenge, [4, 3, 2, 3, 4])
    call = challenge.promotion.call
    impact = call.criteria.get(rank=1)
    url = page_of(challenge.promotion)
    data = form_data(manager_client.get(url).content.decode(), FORM) | {"criteres-0-name": "Impact"}

    response = manager_client.post(url, data)

    assert response.status_code == 302
    impact.refresh_from_db()
    assert (impact.name, list(impact.scores.values_list("value", flat=True))) == ("Impact", [4])
    event = AuditEvent.objects.filter(subject=f"selectioncriterion:{impact.pk}").latest("id")
    assert (event.changes, event.actor) == ({"name": [criteria.DEFAULT_CRITERIA[0][0], "Impact"]}, manager)


def test_the_scale_never_shrinks_below_a_score_given(manager_client):
    challenge = ChallengeFactory(
        promotion=PromotionFactory(number=3, name="EIG 3"), state=ChallengeState.PITCHED
    )
    heard(challenge, [4, 3, 2, 3, 4])
    url = page_of(challenge.promotion)
    data = form_data(manager_client.get(url).content.decode(), FORM) | {"jury_scale": "Faible\nMoyen\nBon"}
    before = written()

    html = manager_client.post(url, data).content.decode()

    assert written() == before
    assert "Le jury a déjà donné des notes jusqu’à 4 : le barème en garde au moins autant." in html
