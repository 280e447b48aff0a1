"""The managers' ranking of a promotion's jury (`?promotion=<number>`, the latest without it, as
every managers' jury page: `jury.views.manage`) and its exports: the ranking and every raw score,
in CSV, XLSX or ODS.

The page shows, per heard challenge, the figures of `jury.ranking.ranking` (raw and calibrated
totals side by side, opinions, ties, disagreements) and lets managers select or not select the
pitched ones: the ticked challenges go to the back office's bulk move confirmation
(`backoffice:bulk_transition`), which asks the reason and moves each through
`lifecycle.services.transition`. Every page and export reads in a constant number of queries.
"""

from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

from django.http import Http404, HttpResponse
from django.utils.formats import get_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jury import exports
from jury import ranking as jury_ranking
from jury.views import manage
from lifecycle import criteria, guards
from lifecycle.enums import ChallengeState, TransitionName
from lifecycle.financing import format_euros
from web.access import manager_required

ORDER_LABELS = {
    "calibre": gettext_lazy("Total calibré"),
    "brut": gettext_lazy("Total brut"),
    "avis": gettext_lazy("Avis favorables, puis préférence"),
}


def _order(request) -> str:
    order = request.GET.get("tri", "")
    return order if order in jury_ranking.ORDERS else "calibre"


EMPTY = "—"


class Figures:
    """Numbers as the page writes them, in the active language ("14,85" in French, "14.85" in
    English): the decimal separator read once per page, not once per cell."""

    def __init__(self):
        self.separator = get_format("DECIMAL_SEPARATOR")

    def fixed(self, value, places: int = 2) -> str:
        return EMPTY if value is None else f"{value:.{places}f}".replace(".", self.separator)

    def total(self, value) -> str:
        """A total: without decimals when it is whole ("14"), else two ("13,50")."""
        if value is not None and value == value.to_integral_value():
            return str(int(value))
        return self.fixed(value)

    def signed(self, value: Decimal) -> str:
        """An offset with its sign: "+0,85", "-0,85", "0,00"."""
        text = self.fixed(value)
        return f"+{text}" if value > 0 else text


@dataclass(frozen=True)
class Line:
    """A row of the ranking as the page shows it: `jury.ranking.Row`'s figures, written."""

    challenge: object
    sub_jury: object
    position: int
    tied: bool
    scores: list  # per criterion of the call, in order
    total: str
    calibrated: str
    offset: str
    opinions: str  # "favourable/given"
    preference: str
    favourites: int
    disagreement: bool
    complete: bool
    state: str
    selectable: bool  # pitched: the selection form offers it


def _line(row: jury_ranking.Row, call_criteria, figures: Figures) -> Line:
    challenge = row.challenge
    return Line(
        challenge=challenge,
        sub_jury=row.sub_jury,
        position=row.position,
        tied=row.tied,
        scores=[row.scores.get(criterion.pk, EMPTY) for criterion in call_criteria],
        total=figures.total(row.total),
        calibrated=figures.fixed(row.calibrated_total),
        offset=figures.signed(row.offset_total),
        opinions=f"{row.favourable}/{row.opinions}" if row.opinions else EMPTY,
        preference=figures.fixed(row.mean_preference),
        favourites=row.favourites,
        disagreement=row.disagreement,
        complete=row.complete,
        state=ChallengeState(challenge.state).label,
        selectable=challenge.state == ChallengeState.PITCHED,
    )


def _envelope(promotion) -> dict:
    call = promotion.call
    committed = guards.committed_cofinancing(promotion)
    envelope = call.cofinancing_envelope
    percent = int(committed * 100 / envelope) if envelope else 0
    return {
        "funder": call.cofinancing_funder,
        "committed": format_euros(committed),
        "envelope": format_euros(envelope),
        "left": format_euros(envelope - committed),
        "over": committed > envelope,
        "percent": percent,
        "bar": min(percent, 100),
    }


@manager_required
def ranking(request):
    """The ranking in the order `?tri=` asks (calibre, brut, avis), the envelope above it, and the
    form that takes the ticked pitched challenges to the bulk move's confirmation."""
    page = manage._page(request)
    if page is None:
        return manage._no_promotion(request)
    call = page.call
    order = _order(request)
    call_criteria = criteria.of_call(call)
    figures = Figures()
    lines = [_line(row, call_criteria, figures) for row in jury_ranking.ranking(page.jury, order=order)]
    top = criteria.top_of_scale(call)
    return manage._render(
        request,
        "jury/ranking/ranking.html",
        page,
        current="jury:ranking",
        title=_("Classement du jury, promotion %(promotion)s") % {"promotion": page.promotion.name},
        order=order,
        orders=list(ORDER_LABELS.items()),
        criteria=[
            {
                "name": criterion.name,
                "weight": None if criterion.weight == 1 else exports.weight_label(criterion.weight),
            }
            for criterion in call_criteria
        ],
        top=top,
        maximum=exports.weight_label(criteria.weight_total(call) * top),
        lines=lines,
        selectable=any(line.selectable for line in lines),
        envelope=_envelope(page.promotion),
        select=TransitionName.SELECT.value,
        not_select=TransitionName.NOT_SELECT.value,
        next_url=request.get_full_path(),
        export_query=urlencode({"promotion": page.promotion.number, "tri": order}),
    )


def _attachment(content: bytes, file_format: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=exports.FORMATS[file_format])
    response["Content-Disposition"] = f'attachment; filename="{name}.{file_format}"'
    return response


def _export_page(request, file_format):
    if file_format not in exports.FORMATS:
        raise Http404
    page = manage._page(request)
    if page is None:
        raise Http404
    return page


@manager_required
def ranking_export(request, file_format):
    page = _export_page(request, file_format)
    content = exports.ranking_table(page.jury, file_format, order=_order(request))
    return _attachment(content, file_format, f"classement-jury-{page.promotion.number}")


@manager_required
def scores_export(request, file_format):
    page = _export_page(request, file_format)
    content = exports.scores_table(page.jury, file_format)
    return _attachment(content, file_format, f"notes-jury-{page.promotion.number}")
