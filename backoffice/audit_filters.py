import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lifecycle.enums import AuditKind
from lifecycle.models import AuditEvent

DATE = forms.DateInput(attrs={"type": "date", "class": "fr-input"})


class AuditEventFilter(django_filters.FilterSet):
    challenge = django_filters.CharFilter(label=_("Défi (nom ou numéro)"), method="filter_challenge")
    actor = django_filters.CharFilter(label=_("Auteur"), field_name="actor_label", lookup_expr="icontains")
    kind = django_filters.ChoiceFilter(label=_("Nature"), choices=AuditKind.choices, empty_label=_("Toutes"))
    since = django_filters.DateFilter(
        label=_("Depuis le"), field_name="created_at", lookup_expr="date__gte", widget=DATE
    )
    until = django_filters.DateFilter(
        label=_("Jusqu’au"), field_name="created_at", lookup_expr="date__lte", widget=DATE
    )

    class Meta:
        model = AuditEvent
        fields = []

    def filter_challenge(self, queryset, name, value):
        value = value.strip()
        if value.isdigit():
            return queryset.filter(Q(challenge_id=int(value)) | Q(challenge__name__icontains=value))
        return queryset.filter(challenge__name__icontains=value)
