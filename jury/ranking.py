"""The jury's ranking: per heard challenge its scores per criterion and weighted total, the
members' opinions (favourable, mean preference rank, coups de coeur), a flag where the members
disagree widely, ties, and a calibrated score that puts the sub-juries on one scale.

The arithmetic (`calibrate`, `disagree`, `ties`) works on plain numbers, so that tests check it on
hand-computed cases; `ranking(jury)` reads the rows in a constant number of queries. The method
and why it was chosen: docs/jury.md.
"""

from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from statistics import fmean

from jury.models import PitchSlot, Score
from jury.services import counted_opinions, unscored
from lifecycle import criteria

# Members disagree widely when the minority of their opinions (favourable or not) is at least this share.
DISAGREEMENT_SHARE = Decimal(1) / Decimal(3)
TWO_PLACES = Decimal("0.01")


def calibrate(groups: dict) -> dict:
    """Each group's (sub-jury's) offset: how much higher than the others it scores, shrunk by how
    much of its difference chance alone would explain (a one-way random-effects estimate).

    `groups` maps a group to its challenges' mean scores. With N challenges in J groups, m_j the
    group's mean and M the mean of all challenges:
      within variance  s_w² = Σ (x − m_j)² / (N − J)
      between variance s_b² = Σ (m_j − M)² / (J − 1)
      leniency variance τ² = max(0, s_b² − s_w² / n̄), n̄ = N / J
      offset_j = τ² / (τ² + s_w² / n_j) × (m_j − M)
    A calibrated score is the raw score minus its group's offset. With one group, or no challenge
    beside each group's first, there is nothing to calibrate on: every offset is 0."""
    groups = {group: list(values) for group, values in groups.items() if values}
    everything = [value for values in groups.values() for value in values]
    count, group_count = len(everything), len(groups)
    if group_count < 2 or count - group_count < 1:
        return {group: 0.0 for group in groups}
    means = {group: fmean(values) for group, values in groups.items()}
    grand = fmean(everything)
    within = sum((value - means[group]) ** 2 for group, values in groups.items() for value in values) / (
        count - group_count
    )
    between = sum((mean - grand) ** 2 for mean in means.values()) / (group_count - 1)
    leniency = max(0.0, between - within / (count / group_count))
    offsets = {}
    for group, values in groups.items():
        if leniency == 0:
            offsets[group] = 0.0
            continue
        weight = leniency / (leniency + within / len(values))
        offsets[group] = weight * (means[group] - grand)
    return offsets


def disagree(favourable: int, unfavourable: int) -> bool:
    """The members split: at least a third of the opinions on the minority side."""
    total = favourable + unfavourable
    return total >= 2 and Decimal(min(favourable, unfavourable)) / Decimal(total) >= DISAGREEMENT_SHARE


def ties(keys: list) -> list[bool]:
    """For sorted keys, whether each shares its key with a neighbour (shown "ex aequo")."""
    return [
        (index > 0 and key == keys[index - 1]) or (index + 1 < len(keys) and key == keys[index + 1])
        for index, key in enumerate(keys)
    ]


def _two_places(value) -> Decimal:
    return Decimal(str(value)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


@dataclass
class Row:
    challenge: object
    sub_jury: object
    scores: dict = field(default_factory=dict)  # criterion pk -> value
    total: Decimal | None = None  # Σ weight × score, None while the grid is incomplete
    mean: Decimal | None = None  # total / Σ weights, on the call's scale
    offset: Decimal = Decimal("0")  # the sub-jury's, on the scale (calibrate)
    favourable: int = 0
    unfavourable: int = 0
    preferences: list = field(default_factory=list)  # the members' ranks, 1 = preferred
    # The same on one scale whatever the number of challenges a member ranked: 0 first, 1 last.
    relative_preferences: list = field(default_factory=list)
    favourites: int = 0
    position: int = 0
    tied: bool = False
    weight_total: Decimal = Decimal("1")  # Σ weights of the call's criteria

    @property
    def complete(self) -> bool:
        return self.total is not None

    @property
    def calibrated(self) -> Decimal | None:
        return None if self.mean is None else _two_places(self.mean - self.offset)

    @property
    def calibrated_total(self) -> Decimal | None:
        """The calibrated score on the total's scale (× Σ weights), beside the raw total."""
        return None if self.mean is None else _two_places((self.mean - self.offset) * self.weight_total)

    @property
    def offset_total(self) -> Decimal:
        """The sub-jury's offset on the total's scale: raw total − offset_total = calibrated total."""
        return _two_places(self.offset * self.weight_total)

    @property
    def opinions(self) -> int:
        return self.favourable + self.unfavourable

    @property
    def mean_preference(self) -> Decimal | None:
        return _two_places(fmean(self.preferences)) if self.preferences else None

    @property
    def favourable_share(self) -> Decimal:
        return Decimal(self.favourable) / Decimal(self.opinions) if self.opinions else Decimal("0")

    @property
    def mean_relative_preference(self) -> float:
        return fmean(self.relative_preferences) if self.relative_preferences else 1.0

    @property
    def disagreement(self) -> bool:
        return disagree(self.favourable, self.unfavourable)


# The orders a manager may read the ranking in, each a sort key (smaller first); rows with equal
# keys are tied. "avis" follows the jury's guide: the general grids rank (the share of favourable
# opinions, then the preference on one scale, then the coups de cœur), the scores break ties.
ORDERS = {
    "calibre": lambda row: (row.calibrated is None, -(row.calibrated_total or 0), -(row.total or 0)),
    "brut": lambda row: (row.total is None, -(row.total or 0)),
    "avis": lambda row: (
        -row.favourable_share,
        row.mean_relative_preference,
        -row.favourites,
        -(row.calibrated_total or 0),
    ),
}


def ranking(jury, *, order: str = "calibre") -> list[Row]:
    """Every heard challenge of the jury, in `order`, in five queries whatever their number."""
    call = jury.promotion.call
    weights = {criterion.pk: criterion.weight for criterion in criteria.of_call(call)}
    weight_total = sum(weights.values(), Decimal("0")) or Decimal("1")
    slots = PitchSlot.objects.filter(sub_jury__jury=jury).select_related(
        "challenge__administration", "sub_jury"
    )
    rows = {
        slot.challenge_id: Row(challenge=slot.challenge, sub_jury=slot.sub_jury, weight_total=weight_total)
        for slot in slots
    }
    scores = Score.objects.filter(challenge_id__in=rows).order_by()
    for challenge_id, criterion_id, value in scores.values_list("challenge_id", "criterion_id", "value"):
        rows[challenge_id].scores[criterion_id] = value
    opinions = counted_opinions().filter(member__jury=jury, challenge_id__in=rows).order_by()
    given = list(opinions.values_list("member_id", "challenge_id", "favourable", "preference", "favourite"))
    ranked_by = Counter(member_id for member_id, *_rest in given)  # how many challenges each ranked
    for member_id, challenge_id, favourable, preference, favourite in given:
        row = rows[challenge_id]
        row.favourable += favourable
        row.unfavourable += not favourable
        row.preferences.append(preference)
        count = ranked_by[member_id]
        row.relative_preferences.append((preference - 1) / (count - 1) if count > 1 else 0.0)
        row.favourites += favourite
    for row in rows.values():
        if weights and not unscored(call, set(row.scores)):
            row.total = sum((weights[pk] * row.scores[pk] for pk in weights), Decimal("0"))
            row.mean = row.total / weight_total
    groups: dict = {}
    for row in rows.values():
        if row.complete:
            groups.setdefault(row.sub_jury.pk, []).append(float(row.mean))
    offsets = calibrate(groups)
    for row in rows.values():
        row.offset = Decimal(str(offsets.get(row.sub_jury.pk, 0.0)))
    key = ORDERS.get(order, ORDERS["calibre"])
    ordered = sorted(rows.values(), key=lambda row: (*key(row), row.challenge.name))
    keys = [key(row) for row in ordered]
    for position, (row, tied) in enumerate(zip(ordered, ties(keys), strict=True), start=1):
        row.position, row.tied = position, tied
    # Tied rows share the first position of their group, as "ex aequo" reads.
    for index in range(1, len(ordered)):
        if keys[index] == keys[index - 1]:
            ordered[index].position = ordered[index - 1].position
    return ordered
