"""The jury members' forms: the collective grid (the managers' page types a paper grid through
the same `GridForm`), the general grid and a conflict's declaration.

Each reads what a person typed and says, field by field and in French, what is missing, so that
the page can show it beside the field; `jury.services` decides (and checks it all again)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jury import services
from lifecycle import criteria
from lifecycle.models import Challenge

FAVOURABLE, UNFAVOURABLE = "favorable", "defavorable"


class LevelField(forms.TypedChoiceField):
    """A level of the call's scale; a value off the scale is refused with `refusal` (no
    placeholders left in it: a criterion's name may hold a "%")."""

    def __init__(self, *, refusal: str, **kwargs):
        self.refusal = refusal
        super().__init__(coerce=int, empty_value=None, required=False, **kwargs)

    def validate(self, value):
        if value not in self.empty_values and not self.valid_value(value):
            raise ValidationError(self.refusal, code="invalid_choice")


# --- The collective grid --------------------------------------------------------------------


class GridForm(forms.Form):
    """One block per criterion of the call: a level of the scale and a comment. A criterion left
    blank (neither) is kept as it is; a level needs its comment, and a comment its level."""

    def __init__(self, *args, call, scores=(), **kwargs):
        self.criteria = criteria.of_call(call)
        self.levels = criteria.scale(call)
        self.top = len(self.levels)
        initial = {}
        for score in scores:
            initial[f"value_{score.criterion_id}"] = score.value
            initial[f"comment_{score.criterion_id}"] = score.comment
        super().__init__(*args, initial=initial, **kwargs)
        choices = [(number, f"{number} — {label}") for number, label in self.levels]
        for criterion in self.criteria:
            self.fields[f"value_{criterion.pk}"] = LevelField(
                label=criterion.name,
                choices=choices,
                widget=forms.RadioSelect,
                refusal=self._off_scale(criterion),
            )
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=gettext_lazy("Commentaire"),
                required=False,
                strip=True,
                widget=forms.Textarea(attrs={"rows": 3, "class": "fr-input"}),
            )

    def _off_scale(self, criterion) -> str:
        return _("« %(criterion)s » : une note de 1 à %(top)s.") % {
            "criterion": criterion.name,
            "top": self.top,
        }

    def blocks(self) -> list[dict]:
        """The template's blocks: the criterion, its two fields."""
        return [
            {
                "criterion": criterion,
                "weighted": criterion.weight != 1,
                "value": self[f"value_{criterion.pk}"],
                "comment": self[f"comment_{criterion.pk}"],
            }
            for criterion in self.criteria
        ]

    def clean(self):
        cleaned = super().clean()
        given = 0
        for criterion in self.criteria:
            value_name, comment_name = f"value_{criterion.pk}", f"comment_{criterion.pk}"
            if value_name in self.errors:
                given += 1
                continue
            value, comment = cleaned.get(value_name), cleaned.get(comment_name) or ""
            if value is None and comment:
                self.add_error(value_name, self._off_scale(criterion))
            elif value is not None and not comment:
                self.add_error(
                    comment_name,
                    _("« %(criterion)s » : un commentaire accompagne la note.")
                    % {"criterion": criterion.name},
                )
            given += value is not None or bool(comment)
        if not given:
            raise ValidationError(_("Notez au moins un critère, avec son commentaire."))
        return cleaned

    def marks(self) -> list[services.Mark]:
        """The criteria given a level, as `services.save_grid` takes them."""
        marks = []
        for criterion in self.criteria:
            value = self.cleaned_data.get(f"value_{criterion.pk}")
            if value is not None:
                marks.append(
                    services.Mark(
                        criterion_id=criterion.pk,
                        value=value,
                        comment=self.cleaned_data.get(f"comment_{criterion.pk}") or "",
                    )
                )
        return marks


# --- The general grid -----------------------------------------------------------------------


class GeneralGridForm(forms.Form):
    """Per challenge the member heard: favourable or not, a preference rank (1 to n, each once),
    a short explanation, a coup de coeur (one at most, among the favourable)."""

    def __init__(self, *args, challenges, opinions=(), **kwargs):
        self.challenges = list(challenges)
        count = len(self.challenges)
        initial = {}
        for opinion in opinions:
            key = opinion.challenge_id
            initial[f"favourable_{key}"] = FAVOURABLE if opinion.favourable else UNFAVOURABLE
            initial[f"preference_{key}"] = opinion.preference
            initial[f"explanation_{key}"] = opinion.explanation
            initial[f"favourite_{key}"] = opinion.favourite
        super().__init__(*args, initial=initial, **kwargs)
        ranks = [("", _("Choisissez un rang"))] + [(rank, str(rank)) for rank in range(1, count + 1)]
        for challenge in self.challenges:
            self.fields[f"favourable_{challenge.pk}"] = forms.ChoiceField(
                label=gettext_lazy("Votre avis"),
                choices=[
                    (FAVOURABLE, gettext_lazy("Favorable")),
                    (UNFAVOURABLE, gettext_lazy("Défavorable")),
                ],
                widget=forms.RadioSelect,
                required=False,
            )
            self.fields[f"preference_{challenge.pk}"] = LevelField(
                label=gettext_lazy("Rang de préférence"),
                help_text=_("1 : votre préféré ; %(count)s : le dernier.") % {"count": count},
                choices=ranks,
                widget=forms.Select(attrs={"class": "fr-select"}),
                refusal=self._ranks_message(),
            )
            self.fields[f"explanation_{challenge.pk}"] = forms.CharField(
                label=gettext_lazy("Explication"),
                help_text=_("Quelques phrases : %(max)s caractères au plus.")
                % {"max": services.EXPLANATION_MAX_LENGTH},
                required=False,
                strip=True,
                widget=forms.Textarea(
                    attrs={"rows": 4, "class": "fr-input", "maxlength": services.EXPLANATION_MAX_LENGTH}
                ),
            )
            self.fields[f"favourite_{challenge.pk}"] = forms.BooleanField(
                label=gettext_lazy("Coup de cœur"),
                help_text=_(
                    "Un seul coup de cœur, parmi vos avis favorables : le défi que vous tenez à voir "
                    "dans la promotion."
                ),
                required=False,
            )

    def _ranks_message(self) -> str:
        return _("Classez les défis de 1 (votre préféré) à %(n)s, chaque rang une seule fois.") % {
            "n": len(self.challenges)
        }

    def blocks(self) -> list[dict]:
        return [
            {
                "challenge": challenge,
                "favourable": self[f"favourable_{challenge.pk}"],
                "preference": self[f"preference_{challenge.pk}"],
                "explanation": self[f"explanation_{challenge.pk}"],
                "favourite": self[f"favourite_{challenge.pk}"],
            }
            for challenge in self.challenges
        ]

    def clean(self):
        cleaned = super().clean()
        ranked: dict[int, list] = {}
        favourites = []
        for challenge in self.challenges:
            names = {
                field: f"{field}_{challenge.pk}" for field in ("favourable", "preference", "explanation")
            }
            label = {"challenge": challenge.name}
            if not cleaned.get(names["favourable"]) and names["favourable"] not in self.errors:
                self.add_error(
                    names["favourable"], _("« %(challenge)s » : avis favorable ou défavorable ?") % label
                )
            rank = cleaned.get(names["preference"])
            if rank is None and names["preference"] not in self.errors:
                self.add_error(
                    names["preference"], _("« %(challenge)s » : choisissez son rang de préférence.") % label
                )
            elif rank is not None:
                ranked.setdefault(rank, []).append(challenge)
            explanation = cleaned.get(names["explanation"]) or ""
            if not explanation:
                self.add_error(
                    names["explanation"], _("« %(challenge)s » : expliquez brièvement votre avis.") % label
                )
            elif len(explanation) > services.EXPLANATION_MAX_LENGTH:
                self.add_error(
                    names["explanation"],
                    _("« %(challenge)s » : l’explication tient en %(max)s caractères.")
                    % {"challenge": challenge.name, "max": services.EXPLANATION_MAX_LENGTH},
                )
            if cleaned.get(f"favourite_{challenge.pk}"):
                favourites.append(challenge)
                if cleaned.get(names["favourable"]) == UNFAVOURABLE:
                    self.add_error(
                        f"favourite_{challenge.pk}",
                        _("« %(challenge)s » : un coup de cœur est un avis favorable.") % label,
                    )
        shared = {rank: given for rank, given in ranked.items() if len(given) > 1}
        if shared:
            self.add_error(None, self._ranks_message())
            for rank, given in shared.items():
                for challenge in given:
                    self.add_error(
                        f"preference_{challenge.pk}",
                        _("« %(challenge)s » : le rang %(rank)s est donné à plusieurs défis.")
                        % {"challenge": challenge.name, "rank": rank},
                    )
        if len(favourites) > 1:
            self.add_error(None, _("Un seul coup de cœur par membre."))
            for challenge in favourites:
                self.add_error(
                    f"favourite_{challenge.pk}",
                    _("« %(challenge)s » : un seul coup de cœur, décochez les autres.")
                    % {"challenge": challenge.name},
                )
        return cleaned

    def verdicts(self) -> list[services.Verdict]:
        data = self.cleaned_data
        return [
            services.Verdict(
                challenge_id=challenge.pk,
                favourable=data.get(f"favourable_{challenge.pk}") == FAVOURABLE,
                preference=data.get(f"preference_{challenge.pk}"),
                explanation=data.get(f"explanation_{challenge.pk}") or "",
                favourite=bool(data.get(f"favourite_{challenge.pk}")),
            )
            for challenge in self.challenges
        ]


# --- Conflicts of interest ------------------------------------------------------------------


class ChallengeChoice(forms.ModelChoiceField):
    """A challenge named by its name and administration only: never its dossier."""

    def label_from_instance(self, challenge):
        return f"{challenge.name} — {challenge.administration.name}"


def declarable(member):
    """The challenges a member may declare a conflict with: the promotion's preselected and
    pitched ones, less those already declared."""
    return (
        Challenge.objects.filter(
            promotion_id=member.jury.promotion_id,
            state__in=services.CONFLICT_STATES,
        )
        .exclude(jury_conflicts__member=member)
        .select_related("administration")
        .order_by("name", "pk")
    )


class ConflictForm(forms.Form):
    challenge = ChallengeChoice(
        queryset=Challenge.objects.none(),
        label=gettext_lazy("Défi concerné"),
        empty_label=gettext_lazy("Choisissez un défi"),
        widget=forms.Select(attrs={"class": "fr-select"}),
        error_messages={
            "required": gettext_lazy("Choisissez le défi concerné."),
            "invalid_choice": gettext_lazy("Choisissez un défi de la liste."),
        },
    )
    reason = forms.CharField(
        label=gettext_lazy("Nature du conflit d’intérêts"),
        help_text=gettext_lazy(
            "Par exemple : « J’ai travaillé dans cette administration jusqu’en 2017. » Ce motif est lu par "
            "l’équipe du programme et enregistré dans le journal d’audit."
        ),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "fr-input"}),
        error_messages={"required": gettext_lazy("Dites en quelques mots la nature du conflit d’intérêts.")},
    )

    def __init__(self, *args, member, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["challenge"].queryset = declarable(member)
