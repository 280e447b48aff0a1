"""The jury's guard of the lifecycle's table (`lifecycle.workflow`: select names it)."""

from django.utils.translation import gettext as _

from jury.models import PitchSlot
from jury.services import missing_criteria


def grid_complete(challenge, ctx):
    """A challenge is selected on its complete collective grid: every criterion of the call scored."""
    if not PitchSlot.objects.filter(challenge=challenge).exists():
        return [_("Le défi n’a pas été auditionné par un sous-jury : sa grille collective est vide.")]
    missing = missing_criteria(challenge)
    if missing:
        return [
            _("La grille collective du jury n’est pas complète : il manque %(criteria)s.")
            % {"criteria": ", ".join(f"« {name} »" for name in missing)}
        ]
    return []
