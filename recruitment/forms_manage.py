"""The forms of the mentors' and managers' pages of the candidates' call: the lists' filters, an
assessor's grid and comment, a move's reason, the interview, the rank, a bulk decision, an offer
of another challenge. They read what a person typed; `recruitment.moves` and
`recruitment.assessment` decide, and check it all again.

Choices are built from lists the view has already read, so that a page runs a fixed number of
queries."""

import datetime as dt
from collections import namedtuple
from zoneinfo import ZoneInfo

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lifecycle.enums import ChallengeState
from lifecycle.models import Challenge, Promotion, SoughtProfile
from lifecycle.validators import validate_single_line
from recruitment import call_rules, queries
from recruitment.enums import ApplicationMoveName, ApplicationState
from web.forms import DsfrMixin
from web.widgets import QuickSelect

PARIS = ZoneInfo("Europe/Paris")
# The challenges' states from which they recruit, or recruited.
RECRUITED_STATES = [ChallengeState.RECRUITING, ChallengeState.RUNNING, ChallengeState.COMPLETED]
# The decisions a manager applies to several applications at once.
BULK_MOVES = [ApplicationMoveName.PRESELECT, ApplicationMoveName.REJECT, ApplicationMoveName.OFFER]


# A challenge the filters offer: what its option shows, read as values (sixty model instances
# would cost the page more than its rows).
ChallengeChoice = namedtuple("ChallengeChoice", "pk name promotion_name")


def _challenge_label(challenge: ChallengeChoice, promotions: bool) -> str:
    if promotions:
        return f"{challenge.name} ({challenge.promotion_name})"
    return challenge.name


class FilterForm(DsfrMixin, forms.Form):
    """The lists' filters; a value no longer offered (a stale link) is an error on its field, and
    the list is then shown whole. `challenges`: those the person may filter on."""

    q = forms.CharField(
        label=gettext_lazy("Rechercher un·e candidat·e"),
        required=False,
        max_length=100,
        help_text=gettext_lazy("Nom, prénom, e-mail ou numéro"),
    )
    promotion = forms.ChoiceField(label=gettext_lazy("Promotion"), required=False, widget=QuickSelect)
    challenge = forms.ChoiceField(label=gettext_lazy("Défi"), required=False, widget=QuickSelect)
    profile = forms.ChoiceField(label=gettext_lazy("Profil"), required=False, widget=QuickSelect)
    state = forms.ChoiceField(label=gettext_lazy("État"), required=False, widget=QuickSelect)

    def __init__(self, data=None, *, challenges, promotions=None, profiles=(), **kwargs):
        super().__init__(data, **kwargs)
        self.fields["q"].widget.input_type = "search"
        many = promotions is not None and len(promotions) > 1
        if promotions is None:
            del self.fields["promotion"]
        else:
            self.fields["promotion"].choices = [("", _("Toutes"))] + [
                (str(promotion.pk), promotion.name) for promotion in promotions
            ]
        self.fields["challenge"].choices = [("", _("Tous"))] + [
            (str(challenge.pk), _challenge_label(challenge, many)) for challenge in challenges
        ]
        self.fields["profile"].choices = [("", _("Tous")), *profiles]
        self.fields["state"].choices = [("", _("Tous"))] + [
            (state.value, state.label) for state in queries.LISTED_STATES
        ]

    def filters(self) -> dict:
        """The valid filters (the others dropped): what `queries` takes."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: value for name, value in getattr(self, "cleaned_data", {}).items() if value}


def filter_choices(*, challenge_ids=None):
    """(challenges, promotions, profiles) for the filters: the challenges that recruit or have
    applications (among `challenge_ids` when given), the promotions with a call, the profiles
    of their calls (one per code)."""
    challenges = Challenge.objects.all()
    if challenge_ids is not None:
        challenges = challenges.filter(pk__in=sorted(challenge_ids))
    else:
        applied = queries.Application.objects.exclude(state=ApplicationState.DRAFT).values("challenge_id")
        challenges = challenges.filter(Q(state__in=RECRUITED_STATES) | Q(pk__in=applied))
    challenges = [
        ChallengeChoice(*values)
        for values in challenges.order_by("-promotion__number", "name", "pk").values_list(
            "pk", "name", "promotion__name"
        )
    ]
    promotions = list(Promotion.objects.filter(call__isnull=False).order_by("-number"))
    seen, profiles = set(), []
    for code, label in (
        SoughtProfile.objects.filter(call__promotion__in=promotions)
        .order_by("-call__promotion__number", "rank", "pk")
        .values_list("code", "label")
    ):
        if code not in seen:
            seen.add(code)
            profiles.append((code, label))
    return challenges, promotions, profiles


class GridForm(forms.Form):
    """An assessor's grid: a level of the scale (or none) per criterion of the call."""

    def __init__(self, *args, criteria, scores=None, prefix="grille", **kwargs):
        self.criteria = list(criteria)
        initial = {f"criterion_{pk}": value for pk, value in (scores or {}).items()}
        super().__init__(*args, initial=initial, prefix=prefix, **kwargs)
        choices = [("", _("Pas de note"))] + [
            (str(value), f"{value} — {label}") for value, label in call_rules.scale()
        ]
        for criterion in self.criteria:
            self.fields[f"criterion_{criterion.pk}"] = forms.ChoiceField(
                label=criterion.name,
                choices=choices,
                required=False,
                widget=forms.RadioSelect,
                help_text=criterion.description,
            )

    def blocks(self) -> list:
        return [(criterion, self[f"criterion_{criterion.pk}"]) for criterion in self.criteria]

    def values(self) -> dict:
        """{criterion pk: value or None}, as `assessment.save_grid` takes them."""
        return {
            criterion.pk: (
                int(value) if (value := self.cleaned_data.get(f"criterion_{criterion.pk}")) else None
            )
            for criterion in self.criteria
        }


class CommentForm(DsfrMixin, forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Votre commentaire"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=3000,
        help_text=gettext_lazy(
            "Lu par l’équipe du programme et les mentors du défi, jamais par le·la candidat·e."
        ),
        error_messages={"required": gettext_lazy("Écrivez le commentaire.")},
    )


class InterviewForm(DsfrMixin, forms.Form):
    """The interview's day and time (Paris time), its length and its place or link."""

    day = forms.DateField(
        label=gettext_lazy("Jour"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    time = forms.TimeField(
        label=gettext_lazy("Heure (heure de Paris)"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    minutes = forms.IntegerField(
        label=gettext_lazy("Durée (minutes)"), min_value=10, max_value=240, initial=45
    )
    place = forms.CharField(
        label=gettext_lazy("Lieu ou lien de visioconférence"),
        max_length=300,
        validators=[validate_single_line],
        help_text=gettext_lazy("Une adresse, ou un lien qui commence par https://"),
    )

    @classmethod
    def initial_of(cls, application) -> dict:
        if application.interview_at is None:
            return {"minutes": application.interview_minutes or 45}
        local = timezone.localtime(application.interview_at, PARIS)
        return {
            "day": local.date(),
            "time": local.time().replace(second=0, microsecond=0),
            "minutes": application.interview_minutes,
            "place": application.interview_place,
        }

    def moment(self):
        data = self.cleaned_data
        return dt.datetime.combine(data["day"], data["time"], tzinfo=PARIS)


class RankForm(DsfrMixin, forms.Form):
    rank = forms.IntegerField(
        label=gettext_lazy("Rang dans le classement du défi (1 : premier·e)"), min_value=1, max_value=999
    )
    reason = forms.CharField(
        label=gettext_lazy("Motif (facultatif)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Reste interne au programme."),
    )


class BulkForm(forms.Form):
    """The list's bulk decision (the ticked applications are read by the view, among those the
    list shows); nothing moves at this step."""

    move = forms.ChoiceField(choices=[(move.value, move.label) for move in BULK_MOVES])


class OfferElsewhereForm(DsfrMixin, forms.Form):
    candidate = forms.ChoiceField(label=gettext_lazy("Candidat·e auditionné·e pour un autre défi"))
    reason = forms.CharField(
        label=gettext_lazy("Motif (facultatif)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy(
            "Reste interne au programme ; le·la candidat·e reçoit la proposition par e-mail."
        ),
    )

    confirm = forms.BooleanField(
        label=gettext_lazy("Je confirme la proposition : le·la candidat·e la reçoit par e-mail"),
        error_messages={"required": gettext_lazy("Cochez la case pour confirmer la proposition.")},
    )

    def __init__(self, *args, candidates, labels, **kwargs):
        super().__init__(*args, **kwargs)
        self._candidates = {str(candidate.pk): candidate for candidate in candidates}
        self.fields["candidate"].choices = [("", _("— Choisir un·e candidat·e —"))] + [
            (str(candidate.pk), labels.get(candidate.pk, str(candidate))) for candidate in candidates
        ]

    @property
    def chosen(self):
        return self._candidates[self.cleaned_data["candidate"]]
