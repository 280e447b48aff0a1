"""The jury's ranking and every raw score, exported as CSV, XLSX or ODS (`backoffice.exports.write_table`).

The ranking: one row per heard challenge in the order asked (`jury.ranking.ORDERS`), with the same
figures as the managers' page. The scores: every criterion of every collective grid as the
sub-jury gave it, with its comment, who wrote it and when (Paris time). Both read their rows in a
constant number of queries, whatever the number of challenges.
"""

from decimal import Decimal

from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.translation import gettext as _

from jury import ranking as jury_ranking
from jury.models import Score
from lifecycle import criteria
from lifecycle.enums import ChallengeState
from web.tables import FORMATS, write_table

__all__ = ["FORMATS", "criterion_label", "ranking_table", "scores_table"]

# XLSX: figures with two decimals, moments to the minute.
FIGURE = "0.00"
MOMENT = "dd/mm/yyyy hh:mm"


def _yes_no(value: bool) -> str:
    return _("Oui") if value else _("Non")


def weight_label(weight: Decimal) -> str:
    """A weight as people read it: "2", "1,5"."""
    return floatformat(weight, -2)


def criterion_label(criterion) -> str:
    """A criterion's column: its name, its weight beside it when it is not 1."""
    if criterion.weight == 1:
        return criterion.name
    return _("%(criterion)s (poids %(weight)s)") % {
        "criterion": criterion.name,
        "weight": weight_label(criterion.weight),
    }


def _paris(moment):
    return timezone.localtime(moment).replace(tzinfo=None, microsecond=0) if moment else None


# The ranking ------------------------------------------------------------------------------------


def ranking_headers(call_criteria) -> list[str]:
    return [
        _("Rang"),
        _("Ex aequo"),
        _("Défi"),
        _("Administration"),
        _("Sous-jury"),
        *[criterion_label(criterion) for criterion in call_criteria],
        _("Total brut"),
        _("Total calibré"),
        _("Décalage du sous-jury"),
        _("Avis favorables"),
        _("Avis défavorables"),
        _("Rang de préférence moyen"),
        _("Coups de cœur"),
        _("Désaccord"),
        _("État"),
    ]


def ranking_values(row, call_criteria) -> list:
    """One row with typed values: scores and figures stay numbers, an empty cell where none."""
    return [
        row.position,
        _yes_no(row.tied),
        row.challenge.name,
        row.challenge.administration.name,
        row.sub_jury.name,
        *[row.scores.get(criterion.pk) for criterion in call_criteria],
        row.total,
        row.calibrated_total,
        row.offset_total,
        row.favourable,
        row.unfavourable,
        row.mean_preference,
        row.favourites,
        _yes_no(row.disagreement),
        str(ChallengeState(row.challenge.state).label),
    ]


def ranking_table(jury, file_format: str, *, order: str = "calibre") -> bytes:
    call_criteria = criteria.of_call(jury.promotion.call)
    rows = jury_ranking.ranking(jury, order=order)
    first_figure = 5 + len(call_criteria)  # the raw total, the calibrated total, the offset
    formats = {column: FIGURE for column in range(first_figure, first_figure + 3)}
    formats[first_figure + 5] = FIGURE  # the mean preference rank
    return write_table(
        file_format,
        ranking_headers(call_criteria),
        (ranking_values(row, call_criteria) for row in rows),
        title=_("Classement"),
        formats=formats,
    )


# Every raw score --------------------------------------------------------------------------------


def scores_headers() -> list[str]:
    return [
        _("Défi"),
        _("Administration"),
        _("Sous-jury"),
        _("Critère"),
        _("Poids"),
        _("Note"),
        _("Commentaire"),
        _("Noté par"),
        _("Noté le (heure de Paris)"),
    ]


SCORE_FIELDS = (
    "challenge__name",
    "challenge__administration__name",
    "challenge__pitch_slot__sub_jury__name",
    "criterion__name",
    "criterion__weight",
    "value",
    "comment",
    "updated_by__first_name",
    "updated_by__last_name",
    "updated_by__username",
    "updated_at",
)


def scores_of(jury):
    """Every score of the jury's collective grids, by sub-jury, challenge and criterion, as plain
    values (one query, no model instances: a jury of 60 challenges has 300 of them)."""
    return (
        Score.objects.filter(challenge__pitch_slot__sub_jury__jury=jury)
        .order_by(
            "challenge__pitch_slot__sub_jury__name",
            "challenge__name",
            "challenge__pk",
            "criterion__rank",
            "criterion__pk",
        )
        .values_list(*SCORE_FIELDS)
    )


def score_values(score) -> list:
    challenge, administration, sub_jury, criterion, weight, value, comment, first, last, username, at = score
    return [
        challenge,
        administration,
        sub_jury,
        criterion,
        weight,
        value,
        comment,
        f"{first} {last}".strip() or username,
        _paris(at),
    ]


def scores_table(jury, file_format: str) -> bytes:
    return write_table(
        file_format,
        scores_headers(),
        (score_values(score) for score in scores_of(jury)),
        title=_("Notes du jury"),
        formats={4: FIGURE, 8: MOMENT},
    )
