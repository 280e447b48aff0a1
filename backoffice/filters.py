"""The challenge list's filters, search and sort, shared by the page and its exports."""

import django_filters
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.utils.translation import gettext_lazy as _

from lifecycle.enums import AdministrationKind, ChallengeState
from lifecycle.models import Administration, Challenge, Promotion

YES_NO = [("oui", _("Oui")), ("non", _("Non"))]

# Sort keys of the URL ("tri") and the columns they order by; "-key" reverses.
SORTS = {
    "nom": ["name", "pk"],
    "administration": ["administration__name", "name", "pk"],
    "etat": ["state_rank", "name", "pk"],
    "changement": ["state_changed_at", "name", "pk"],
}
SORT_CHOICES = [
    ("nom", _("Nom du défi (A → Z)")),
    ("-nom", _("Nom du défi (Z → A)")),
    ("administration", _("Administration (A → Z)")),
    ("-administration", _("Administration (Z → A)")),
    ("etat", _("État (ordre du parcours)")),
    ("-etat", _("État (ordre inverse)")),
    ("-changement", _("Dernier changement (récent d’abord)")),
    ("changement", _("Dernier changement (ancien d’abord)")),
]


def challenges_queryset():
    """The list's rows with what each row shows, in a fixed number of queries."""
    state_rank = Case(
        *[When(state=state.value, then=Value(rank)) for rank, state in enumerate(ChallengeState)],
        output_field=IntegerField(),
    )
    return Challenge.objects.select_related("administration", "promotion").annotate(state_rank=state_rank)


# The one column of a sort that may be empty: cases that never changed state come last either way.
NULLABLE = {"state_changed_at"}


def _ordering(key):
    """The ORDER BY of a sort key, as the list's indexes hold it (Challenge.Meta.indexes): NULLS
    LAST only where a column may be empty (elsewhere it would keep PostgreSQL off the index)."""
    descending = key.startswith("-")
    fields = SORTS.get(key.lstrip("-"), SORTS["nom"])
    return [
        (F(name).desc if descending else F(name).asc)(nulls_last=True if name in NULLABLE else None)
        for name in fields
    ]


class ChallengeFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Rechercher (défi ou administration)"), method="search")
    state = django_filters.ChoiceFilter(
        label=_("État"), choices=ChallengeState.choices, empty_label=_("Tous")
    )
    promotion = django_filters.ModelChoiceFilter(
        label=_("Promotion"), queryset=Promotion.objects.all(), empty_label=_("Toutes")
    )
    kind = django_filters.ChoiceFilter(
        label=_("Nature de l’administration"),
        field_name="administration__kind",
        choices=AdministrationKind.choices,
        empty_label=_("Toutes"),
    )
    cofinancement = django_filters.ChoiceFilter(
        label=_("Co-financement demandé"),
        choices=YES_NO,
        method="filter_cofinancing",
        empty_label=_("Indifférent"),
    )
    tri = django_filters.ChoiceFilter(
        label=_("Trier par"), choices=SORT_CHOICES, method="sort", empty_label=None
    )

    class Meta:
        model = Challenge
        fields = []

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and not data.get("tri"):
            data = data.copy()
            data["tri"] = "nom"
        super().__init__(data, *args, **kwargs)
        for name, field in self.form.fields.items():
            css = "fr-input" if name == "q" else "fr-select"
            field.widget.attrs["class"] = css
        self.form.fields["q"].widget.input_type = "search"

    @property
    def qs(self):
        queryset = super().qs
        if not queryset.query.order_by:
            queryset = queryset.order_by(*_ordering("nom"))
        return queryset

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        # The administrations matching, as a subquery rather than a join: the challenges are then
        # read in the list's order and filtered as they come, not all joined first (at 100,000
        # challenges, the API's search p95 went from 258 ms joined to 84 ms: bench/api_webhooks.py).
        administrations = Administration.objects.filter(name__icontains=value).values("pk")
        return queryset.filter(Q(name__icontains=value) | Q(administration_id__in=administrations))

    def filter_cofinancing(self, queryset, name, value):
        if value == "oui":
            return queryset.filter(cofinancing_requested=True)
        if value == "non":
            return queryset.filter(cofinancing_requested=False)
        return queryset

    def sort(self, queryset, name, value):
        return queryset.order_by(*_ordering(value or "nom"))


def filtered_challenges(data):
    """(filterset, queryset): the rows matching the list's query string, in its order."""
    filterset = ChallengeFilter(data, queryset=challenges_queryset())
    if not filterset.is_valid():
        # A stale or forged value: show everything rather than fail, the form shows the error.
        return filterset, challenges_queryset().order_by(*_ordering("nom"))
    return filterset, filterset.qs
