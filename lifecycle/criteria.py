"""The criteria a call's jury scores pitched challenges on (`SelectionCriterion`, a list per
call) and its scale (`Call.jury_scale`, one label per level): data, never constants."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import ProtectedError
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

# The five criteria of the 2018 call (promotion 3), what a new call offers until a manager sets its own.
DEFAULT_CRITERIA = [
    (
        "Impact du défi proposé",
        "Impact pour une politique publique ou un service public, modernisation de l’action publique, "
        "mutualisation d’outils, valorisation des données, inclusion numérique.",
    ),
    (
        "Qualité de l’équipe d’agents publics impliquée dans le projet",
        "Temps consacré au projet, niveaux hiérarchiques impliqués (notamment le mentor stratégique), "
        "diversité des profils, accueil des EIG anticipé (données, logiciels, matériel).",
    ),
    (
        "Caractère innovant de la solution envisagée pour résoudre le défi",
        "Technologies numériques ou nouveaux usages susceptibles de transformer un processus ou un "
        "métier ; enjeux éthiques pris en compte.",
    ),
    (
        "Qualité et précision de la définition du défi et cohérence de l’équipe (agents, EIG) envisagée",
        "Périmètre réaliste en dix mois, profils d’EIG complémentaires, obstacles identifiés et "
        "moyens de les surmonter.",
    ),
    (
        "Adéquation avec les valeurs portées par le programme",
        "Qualité de l’accueil des EIG, travail en équipe, travail hors les murs, open source, "
        "participation au programme d’accompagnement de la promotion.",
    ),
]


def of_call(call) -> list:
    """The call's criteria in their order (read once per call object)."""
    cached = getattr(call, "_criteria_cache", None)
    if cached is None:
        cached = list(call.criteria.all()) if call.pk else []
        call._criteria_cache = cached
    return cached


def forget(call):
    call.__dict__.pop("_criteria_cache", None)


def scale(call) -> list[tuple[int, str]]:
    """The levels of the call's scale, [(1, "Pas du tout satisfaisant"), …, (4, "Excellent")]."""
    return scale_of(call.jury_scale)


def scale_of(text) -> list[tuple[int, str]]:
    labels = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return list(enumerate(labels, start=1))


def top_of_scale(call) -> int:
    return len(scale(call))


# What freezes a call's criteria and scale, asked by its dotted path so that the lifecycle does not
# import the apps above it: the jury, once closed (its ranking was read on them).
FREEZERS = ("jury.services.criteria_frozen",)


def frozen_problem(call) -> str:
    """Why the call's criteria and scale can no longer change ("" when they can)."""
    for path in FREEZERS:
        if problem := import_string(path)(call):
            return problem
    return ""


def weight_total(call) -> Decimal:
    return sum((criterion.weight for criterion in of_call(call)), Decimal("0"))


def ensure_defaults(call):
    from lifecycle.models import SelectionCriterion

    if call.criteria.exists():
        return
    SelectionCriterion.objects.bulk_create(
        SelectionCriterion(call=call, name=name, description=description, rank=rank)
        for rank, (name, description) in enumerate(DEFAULT_CRITERIA, start=1)
    )
    forget(call)


def new_call_gets_default_criteria(sender, instance, created, raw=False, **kwargs):
    """A new call scores on the 2018 call's five criteria until a manager (or an import) sets its own."""
    if created and not raw:
        ensure_defaults(instance)


def set_criteria(call, wanted: list[tuple], *, by):
    """Make the call's criteria `wanted`, in order; audited. Each row is (name, description,
    weight), or (name, description, weight, pk) to name the criterion it changes: a renamed
    criterion keeps its scores. A criterion the jury has already scored cannot be removed (its
    scores keep it), and the scale cannot shrink below a score already given."""
    from lifecycle import configuration
    from lifecycle.models import SelectionCriterion

    rows = [tuple(row) + (None,) * (4 - len(row)) for row in wanted]
    names = [name for name, _description, _weight, _pk in rows]
    if len(set(names)) != len(names):
        raise ValidationError(_("Chaque critère a un nom distinct."))
    if not names:
        raise ValidationError(_("Le jury note sur au moins un critère."))
    frozen = frozen_problem(call)
    existing = {criterion.pk: criterion for criterion in call.criteria.all()}
    by_name = {criterion.name: criterion for criterion in existing.values()}
    chosen = [existing.get(pk) or by_name.get(name) for name, _description, _weight, pk in rows]
    kept = {criterion.pk for criterion in chosen if criterion is not None}
    for criterion in existing.values():
        if criterion.pk not in kept:
            if frozen:
                raise ValidationError(frozen)
            try:
                configuration.delete(criterion, by=by)
            except ProtectedError:
                raise ValidationError(
                    _("Le critère « %(name)s » a déjà des notes du jury : il ne peut être retiré.")
                    % {"name": criterion.name}
                ) from None
    for rank, ((name, description, weight, _pk), criterion) in enumerate(
        zip(rows, chosen, strict=True), start=1
    ):
        criterion = criterion or SelectionCriterion(call=call)
        weight = Decimal(str(weight))
        values = (name, description, weight, rank)
        if (
            criterion.pk
            and (criterion.name, criterion.description, criterion.weight, criterion.rank) == values
        ):
            continue
        if frozen:
            raise ValidationError(frozen)
        criterion.name, criterion.description, criterion.weight, criterion.rank = values
        configuration.save(criterion, by=by)
    forget(call)


def scale_problem(call) -> str:
    """Why the call's scale cannot be what it is now: changed once the jury is closed, or fewer
    levels than a score already given."""
    from django.db.models import Max

    if call.pk and (frozen := frozen_problem(call)):
        stored = type(call).objects.filter(pk=call.pk).values_list("jury_scale", flat=True).first()
        if scale_of(stored) != scale_of(call.jury_scale):
            return frozen
    highest = call.criteria.aggregate(highest=Max("scores__value"))["highest"] if call.pk else None
    if highest and highest > top_of_scale(call):
        return _(
            "Le jury a déjà donné des notes jusqu’à %(highest)s : le barème en garde au moins autant."
        ) % {"highest": highest}
    return ""
