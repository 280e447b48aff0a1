import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q, Value
from django.db.models.functions import Concat
from django.utils.translation import gettext_lazy as _

from lifecycle.enums import AuditKind
from lifecycle.models import AuditEvent, Challenge

DATE = forms.DateInput(attrs={"type": "date", "class": "fr-input"})


class AuditEventFilter(django_filters.FilterSet):
    challenge = django_filters.CharFilter(label=_("Défi (nom ou numéro)"), method="filter_challenge")
    actor = django_filters.CharFilter(label=_("Auteur"), method="filter_actor")
    kind = django_filters.ChoiceFilter(label=_("Nature"), choices=AuditKind.choices, empty_label=_("Toutes"))
    since = django_filters.DateFilter(
        label=_("Depuis le"), field_name="created_at", lookup_expr="date__gte", widget=DATE
    )
    until = django_filters.DateFilter(
        label=_("Jusqu’au"), field_name="created_at", lookup_expr="date__lte", widget=DATE
    )

    # Up to this many challenges matched, their ids are given to the events' query.
    FEW_CHALLENGES = 500

    class Meta:
        model = AuditEvent
        fields = []

    def filter_challenge(self, queryset, name, value):
        """The events of the challenges named so (or numbered so). A few challenges: their
        events by the index on the challenge (PostgreSQL would otherwise walk the whole trail
        from the newest, testing each event's challenge); many: the newest events are theirs."""
        value = value.strip()
        named = Q(name__icontains=value)
        if value.isdigit():
            named |= Q(pk=int(value))
        challenges = Challenge.objects.filter(named).order_by().values_list("pk", flat=True)
        few = list(challenges[: self.FEW_CHALLENGES + 1])
        if len(few) <= self.FEW_CHALLENGES:
            return queryset.filter(challenge_id__in=few)
        return queryset.filter(challenge_id__in=challenges)

    def filter_actor(self, queryset, name, value):
        """The author as recorded (events written before personal data was kept apart), or the
        account named by reference since (docs/personal-data.md): by its name or username."""
        value = value.strip()
        accounts = (
            get_user_model()
            .objects.annotate(full_name=Concat("first_name", Value(" "), "last_name"))
            .filter(Q(full_name__icontains=value) | Q(username__icontains=value))
        )
        return queryset.filter(Q(actor_label__icontains=value) | Q(actor__in=accounts))
