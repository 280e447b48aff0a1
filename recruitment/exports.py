"""The managers' list of applications, exported as CSV, XLSX or ODS (`web.tables.write_table`):
the rows of the filtered list, never a CV nor a motivation. An erased candidate is named by
their number only ("Candidat·e n°12 (données effacées)")."""

from django.utils import timezone
from django.utils.translation import gettext as _

from recruitment import queries
from recruitment.enums import ApplicationState
from web.tables import FORMATS, write_table

__all__ = ["FORMATS", "applications_table", "headers"]

FIGURE = "0.00"
MOMENT = "dd/mm/yyyy hh:mm"


def headers() -> list[str]:
    return [
        _("Candidat·e"),
        _("E-mail"),
        _("Profil"),
        _("Défi"),
        _("État"),
        _("Note moyenne"),
        _("Entretien (heure de Paris)"),
        _("Rang"),
    ]


def _paris(moment):
    return timezone.localtime(moment).replace(tzinfo=None, microsecond=0) if moment else None


def values(row) -> list:
    """One application with typed values: the mean a number, the interview a moment, empty cells
    where there is none."""
    return [
        row.candidate.full_name,
        row.candidate.email,
        row.profile_label,
        row.challenge.name,
        str(ApplicationState(row.state).label),
        round(row.mean_score, 2) if row.mean_score is not None else None,
        _paris(row.interview_at),
        row.rank,
    ]


def applications_table(rows, file_format: str) -> bytes:
    """`rows`: the list's queryset (`queries.for_managers`), read with their profiles' labels in
    a fixed number of queries."""
    labelled = queries.label_rows(rows, queries.profile_labels())
    return write_table(
        file_format,
        headers(),
        (values(row) for row in labelled),
        title=_("Candidatures"),
        formats={5: FIGURE, 6: MOMENT},
    )
