"""The ranking's arithmetic on hand-computed cases: calibration, disagreement, ties, totals."""

from decimal import Decimal

import pytest

from jury import ranking
from jury.models import Opinion
from jury.services import jury_of
from lifecycle.enums import ChallengeState
from tests.factories import ChallengeFactory, PromotionFactory, heard, jury_member, two_criteria


def test_a_lenient_sub_jury_is_brought_back_by_its_shrunk_offset():
    # A: 3.0, 3.4 (mean 3.2); B: 2.0, 2.4 (mean 2.2); all: 2.7.
    # within = (0.04 × 4) / (4 − 2) = 0.08; between = (0.5² + 0.5²) / 1 = 0.5;
    # leniency = 0.5 − 0.08 / 2 = 0.46; weight = 0.46 / (0.46 + 0.08 / 2) = 0.92;
    # offsets: A +0.92 × 0.5 = +0.46, B −0.46.
    offsets = ranking.calibrate({"A": [3.0, 3.4], "B": [2.0, 2.4]})
    assert offsets == pytest.approx({"A": 0.46, "B": -0.46})


def test_differences_chance_explains_are_not_calibrated_away():
    # Means 2.5 and 2.6, but within each sub-jury the scores spread widely:
    # within = (2 × 1.5² + 2 × 1.4²) / 2 = 4.21; between = 2 × 0.05² = 0.005 < 4.21 / 2.
    assert ranking.calibrate({"A": [1.0, 4.0], "B": [1.2, 4.0]}) == {"A": 0.0, "B": 0.0}


def test_one_sub_jury_or_one_challenge_each_gives_nothing_to_calibrate_on():
    assert ranking.calibrate({"A": [3.0, 2.0, 4.0]}) == {"A": 0.0}
    assert ranking.calibrate({"A": [3.0], "B": [2.0]}) == {"A": 0.0, "B": 0.0}
    assert ranking.calibrate({}) == {}


def test_identical_scores_within_each_sub_jury_take_the_whole_difference():
    # within = 0: nothing but the sub-jury explains the difference (weight 1).
    assert ranking.calibrate({"A": [3.0, 3.0], "B": [2.0, 2.0]}) == pytest.approx({"A": 0.5, "B": -0.5})


@pytest.mark.parametrize(
    ("favourable", "unfavourable", "flagged"),
    [(2, 1, True), (1, 2, True), (3, 0, False), (4, 1, False), (1, 1, True), (1, 0, False), (0, 0, False)],
)
def test_members_disagree_when_a_third_or_more_stand_on_the_minority_side(favourable, unfavourable, flagged):
    assert ranking.disagree(favourable, unfavourable) is flagged


def test_ties_mark_every_member_of_a_group_of_equal_keys():
    assert ranking.ties([(1,), (2,), (2,), (3,), (4,), (4,)]) == [False, True, True, False, True, True]
    assert ranking.ties([]) == []


@pytest.mark.django_db
def test_the_ranking_of_a_jury_weighs_calibrates_ties_and_counts_opinions():
    promotion = PromotionFactory()
    call = promotion.call
    first, second = two_criteria(call)
    jury = jury_of(promotion)
    lenient, strict = jury.sub_juries.create(name="Sous-jury A"), jury.sub_juries.create(name="Sous-jury B")
    names = ["Alpha", "Bêta", "Gamma", "Delta"]
    challenges = {
        name: ChallengeFactory(promotion=promotion, name=name, state=ChallengeState.PITCHED) for name in names
    }
    heard(challenges["Alpha"], [4, 4], sub_jury=lenient)  # 4 + 2 × 4 = 12, mean 4
    heard(challenges["Bêta"], [3, 4], sub_jury=lenient)  # 3 + 8 = 11, mean 11/3
    heard(challenges["Gamma"], [3, 4], sub_jury=strict)  # 11
    heard(challenges["Delta"], [2, 2], sub_jury=strict)  # 6, mean 2
    members = [jury_member(jury, last_name=f"Juré {n}", username=f"jure{n}") for n in range(3)]
    strict.members.set(members)
    outsider = jury_member(jury, last_name="Ailleurs", username="ailleurs")  # not in Gamma's sub-jury
    Opinion.objects.create(
        member=outsider,
        challenge=challenges["Gamma"],
        favourable=False,
        preference=1,
        explanation="Hors de son sous-jury : ne compte pas.",
        updated_at=challenges["Gamma"].pitch_slot.ends_at,
    )
    for member, (favourable, preference) in zip(members, [(True, 1), (True, 2), (False, 2)], strict=True):
        Opinion.objects.create(
            member=member,
            challenge=challenges["Gamma"],
            favourable=favourable,
            preference=preference,
            explanation="Avis motivé.",
            favourite=member is members[0],
            updated_at=challenges["Gamma"].pitch_slot.ends_at,
        )

    rows = {row.challenge.name: row for row in ranking.ranking(jury, order="brut")}

    assert [(row.challenge.name, row.position, row.tied) for row in ranking.ranking(jury, order="brut")] == [
        ("Alpha", 1, False),
        ("Bêta", 2, True),
        ("Gamma", 2, True),
        ("Delta", 4, False),
    ]
    assert rows["Alpha"].scores == {first.pk: 4, second.pk: 4}
    assert (rows["Alpha"].total, rows["Bêta"].total, rows["Delta"].total) == (12, 11, 6)
    assert rows["Gamma"].mean == Decimal(11) / Decimal(3)
    # Means: A 4 and 3.667 (3.833), B 3.667 and 2 (2.833), all 3.333. within = (2 × 0.1667² +
    # 2 × 0.8333²) / 2 = 0.7222; between = 2 × 0.5² = 0.5; leniency = 0.5 − 0.7222 / 2 = 0.1389;
    # weight = 0.1389 / (0.1389 + 0.3611) = 0.2778; offsets ±0.2778 × 0.5 = ±0.1389.
    assert float(rows["Alpha"].offset) == pytest.approx(0.138889, abs=1e-6)
    assert float(rows["Delta"].offset) == pytest.approx(-0.138889, abs=1e-6)
    assert rows["Alpha"].calibrated == Decimal("3.86")  # 4 − 0.1389
    assert rows["Gamma"].calibrated == Decimal("3.81")  # 3.6667 + 0.1389
    assert rows["Gamma"].calibrated_total == Decimal("11.42")  # 3.8056 × 3
    assert rows["Bêta"].calibrated == Decimal("3.53")
    assert (rows["Gamma"].favourable, rows["Gamma"].unfavourable, rows["Gamma"].favourites) == (2, 1, 1)
    assert rows["Gamma"].mean_preference == Decimal("1.67")
    assert rows["Gamma"].disagreement is True
    assert rows["Alpha"].disagreement is False
    # Calibrated, the strict sub-jury's Gamma passes the lenient one's Bêta: their tie is broken.
    assert [row.challenge.name for row in ranking.ranking(jury)] == ["Alpha", "Gamma", "Bêta", "Delta"]
    assert not any(row.tied for row in ranking.ranking(jury))


@pytest.mark.django_db
def test_an_incomplete_grid_has_no_total_and_comes_last():
    promotion = PromotionFactory()
    complete = ChallengeFactory(promotion=promotion, name="Complet", state=ChallengeState.PITCHED)
    partial = ChallengeFactory(promotion=promotion, name="Partiel", state=ChallengeState.PITCHED)
    heard(complete)
    heard(partial)
    partial.jury_scores.first().delete()

    rows = ranking.ranking(jury_of(promotion))

    assert [(row.challenge.name, row.complete, row.total) for row in rows] == [
        ("Complet", True, Decimal("15")),
        ("Partiel", False, None),
    ]
    assert rows[1].calibrated is None


@pytest.mark.django_db
def test_the_opinions_order_puts_preferences_on_one_scale_and_breaks_ties_with_the_scores():
    promotion = PromotionFactory()
    jury = jury_of(promotion)
    pair, trio = (
        jury.sub_juries.create(name="Sous-jury à deux"),
        jury.sub_juries.create(name="Sous-jury à trois"),
    )
    names = {"P1": pair, "P2": pair, "T1": trio, "T2": trio, "T3": trio}
    cases = {
        name: ChallengeFactory(promotion=promotion, name=name, state=ChallengeState.PITCHED) for name in names
    }
    values = {"P1": [2] * 5, "P2": [4] * 5, "T1": [3] * 5, "T2": [4] * 5, "T3": [3] * 5}
    for name, sub_jury in names.items():
        heard(cases[name], values[name], sub_jury=sub_jury)
    one, other = jury_member(jury, username="un"), jury_member(jury, username="autre")
    pair.members.add(one)
    trio.members.add(other)
    # Everyone favourable; "un" ranks P1 first of two (0), P2 last (1); "autre" T2 first (0), T1
    # second of three (0.5), T3 last (1).
    for member, name, rank in [
        (one, "P1", 1),
        (one, "P2", 2),
        (other, "T2", 1),
        (other, "T1", 2),
        (other, "T3", 3),
    ]:
        Opinion.objects.create(
            member=member,
            challenge=cases[name],
            favourable=True,
            preference=rank,
            explanation="Favorable.",
            updated_at=cases[name].pitch_slot.ends_at,
        )

    rows = ranking.ranking(jury, order="avis")

    # P1 and T2 tie on the opinions (all favourable, first choice): T2's higher score breaks it.
    assert [row.challenge.name for row in rows] == ["T2", "P1", "T1", "P2", "T3"]
    assert [row.position for row in rows] == [1, 2, 3, 4, 5]
