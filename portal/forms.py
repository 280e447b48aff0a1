"""The portal's forms: one per step of the dossier, in the design system's markup.

Fields come from the models (labels, length limits and validators are theirs); the views save
them through `lifecycle.services`, never directly.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from lifecycle import financing, profiles
from lifecycle.dossier.rules import access_steps_problem
from lifecycle.dossier.sections import section
from lifecycle.models import Administration, Challenge, EigPosition, Mentor, TeamMember
from lifecycle.models.challenge import LIMITED_TEXT_FIELDS, character_limit, limit_help

YES_NO = [(True, _("Oui")), (False, _("Non"))]


class DsfrFormMixin:
    """Design-system classes on widgets, and help texts and errors tied to their field."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.FileInput):
                widget.attrs.setdefault("class", "fr-upload")
            elif isinstance(widget, forms.RadioSelect | forms.CheckboxInput):
                pass
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                widget.attrs.setdefault("class", "fr-select")
            else:
                widget.attrs.setdefault("class", "fr-input")
        self._describe()

    def _describe(self):
        for name, field in self.fields.items():
            # Not self[name]: a bound field made now would keep a label changed later.
            auto_id = self.auto_id % self.add_prefix(name) if "%s" in str(self.auto_id) else name
            described_by = []
            if field.help_text:
                described_by.append(f"{auto_id}-help")
            if self.is_bound and self._errors is not None and name in self._errors:
                described_by.append(f"{auto_id}-error")
                field.widget.attrs["aria-invalid"] = "true"
            if described_by and not isinstance(field.widget, forms.RadioSelect):
                field.widget.attrs["aria-describedby"] = " ".join(described_by)
            else:
                field.widget.attrs.pop("aria-describedby", None)

    def full_clean(self):
        super().full_clean()
        self._describe()


class NewDossierForm(DsfrFormMixin, forms.Form):
    name = forms.CharField(
        label=_("Nom du défi"),
        max_length=Challenge._meta.get_field("name").max_length,
        help_text=_("Un titre court qui dit le problème à résoudre."),
    )
    promotion = forms.ModelChoiceField(queryset=None, label=_("Promotion"), empty_label=None)

    def __init__(self, *args, promotions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["promotion"].queryset = promotions
        if len(promotions) == 1:
            self.fields["promotion"].widget = forms.HiddenInput()
        self.fields["promotion"].initial = promotions[0].pk

    def clean(self):
        cleaned = super().clean()
        promotion, name = cleaned.get("promotion"), cleaned.get("name")
        if promotion and name and Challenge.objects.filter(promotion=promotion, name=name).exists():
            self.add_error("name", _("Un défi de ce nom existe déjà dans cette promotion."))
        return cleaned


# The steps on the challenge's own fields -------------------------------------------------------


def apply_line_limits(form, call):
    """The call's line limits on the form's limited answers: help text, maxlength, a clear error."""
    for name, field in form.fields.items():
        if name in LIMITED_TEXT_FIELDS:
            limit = character_limit(call, name)
            field.max_length = limit
            field.validators = [*field.validators, MaxLengthValidator(limit)]
            field.widget.attrs["maxlength"] = str(limit)
            field.help_text = limit_help(call, name)


class ChallengeStepForm(DsfrFormMixin, forms.ModelForm):
    """A step that edits fields of the challenge (those of its section); `changes()` is what
    `edits.update_dossier` receives. Line limits are those of the case's call."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.promotion_id:
            apply_line_limits(self, self.instance.promotion.call)
            self._describe()

    def changes(self) -> dict:
        return dict(self.cleaned_data)


class AdministrativeForm(ChallengeStepForm):
    class Meta:
        model = Challenge
        fields = section("administration").fields
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "administrative_carrier": _(
                "À renseigner si le porteur administratif diffère du porteur opérationnel."
            ),
            "partner_administrations": _("Maintenez Ctrl (ou Cmd) pour en choisir plusieurs."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        administrations = Administration.objects.exclude(pk=self.instance.administration_id)
        self.fields["administrative_carrier"].queryset = administrations
        self.fields["administrative_carrier"].empty_label = _("Le même que le porteur opérationnel")
        self.fields["partner_administrations"].queryset = administrations
        self.fields["partner_administrations"].widget.attrs["size"] = 6

    def clean_name(self):
        name = self.cleaned_data["name"]
        others = Challenge.objects.filter(promotion_id=self.instance.promotion_id, name=name)
        if others.exclude(pk=self.instance.pk).exists():
            raise ValidationError(_("Un défi de ce nom existe déjà dans cette promotion."), code="unique")
        return name


class DescriptionForm(ChallengeStepForm):
    class Meta:
        model = Challenge
        fields = section("description").fields
        help_texts = {
            "public_description": _(
                "Le texte publié aux candidats de l’appel à candidatures si le défi est retenu."
            ),
        }


class ResourcesForm(ChallengeStepForm):
    datasets_accessible = forms.NullBooleanField(
        label=_("Ces jeux de données sont-ils déjà accessibles ?"),
        required=False,
        widget=forms.RadioSelect(choices=YES_NO),
    )

    class Meta:
        model = Challenge
        fields = section("ressources").fields
        help_texts = {
            "datasets_access_steps": _("Si les données ne sont pas encore accessibles."),
            "source_code_url": _("Adresse d’un dépôt de code existant, le cas échéant."),
        }

    attestations = section("ressources").attestations

    def clean(self):
        cleaned = super().clean()
        problem = access_steps_problem(
            cleaned.get("datasets_accessible"), cleaned.get("datasets_access_steps")
        )
        if problem:
            self.add_error("datasets_access_steps", problem)
        return cleaned


class FinancingForm(ChallengeStepForm):
    cofinancing_requested = forms.TypedChoiceField(
        label=_("Demandez-vous le co-financement ?"),
        choices=YES_NO,
        coerce=lambda value: value in (True, "True"),
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        call = self.instance.promotion.call
        # The funder's name and the rule are the call's (never "PIA" written here).
        self.fields["cofinancing_requested"].label = _("Demandez-vous le co-financement %(funder)s ?") % {
            "funder": call.cofinancing_funder
        }
        self.fields["cofinancing_requested"].help_text = financing.rule_text(call)
        self.fields["cofinancing_amount"].label = _("Montant du co-financement %(funder)s envisagé (€)") % {
            "funder": call.cofinancing_funder
        }
        self.fields["cofinancing_amount"].help_text = _(
            "La règle de l’appel (%(rule)s) appliquée au coût total employeur."
        ) % {"rule": financing.rule_label(call)}
        self._describe()

    def clean(self):
        cleaned = super().clean()
        # No co-financing asked: no amount kept from an earlier answer (it would block the dossier).
        if cleaned.get("cofinancing_requested") is False:
            cleaned["cofinancing_amount"] = None
        return cleaned

    class Meta:
        model = Challenge
        fields = section("financement").fields
        help_texts = {
            "total_employer_cost": _("Pour l’ensemble des EIG, sur toute la durée du programme."),
        }


# The steps on child rows ------------------------------------------------------------------------


def _model_field(model, name, **kwargs):
    return model._meta.get_field(name).formfield(required=False, **kwargs)


class RowForm(DsfrFormMixin, forms.Form):
    """A row of the dossier (an EIG mission, a mentor…): all blank means no row."""

    required_when_filled: tuple[str, ...] = ()

    def is_blank(self) -> bool:
        return not any(value not in (None, "") for value in (self.cleaned_data or {}).values())

    def clean(self):
        cleaned = super().clean()
        if not self.is_blank():
            for name in self.required_when_filled:
                if cleaned.get(name) in (None, "") and name not in self.errors:
                    self.add_error(name, ValidationError(_("Ce champ est obligatoire."), code="required"))
        return cleaned


class EigPositionForm(RowForm):
    """One EIG sought: the profile among the call's, its pay level when the call has several."""

    mission = _model_field(EigPosition, "mission", widget=forms.Textarea(attrs={"rows": 4}))
    profile = forms.ChoiceField(label=_("Profil"), required=False)
    expertise = _model_field(EigPosition, "expertise", widget=forms.Textarea(attrs={"rows": 3}))
    pay_level = forms.ModelChoiceField(
        label=_("Niveau de rémunération"), queryset=None, required=False, empty_label=_("Choisir un niveau")
    )
    required_when_filled = ("mission", "profile")

    def __init__(self, *args, call, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["profile"].choices = [("", _("Choisir un profil")), *profiles.choices(call)]
        levels = call.pay_levels.all()
        if levels:
            self.fields["pay_level"].queryset = levels
            self.required_when_filled = (*self.required_when_filled, "pay_level")
        else:
            del self.fields["pay_level"]
        apply_line_limits(self, call)
        self._describe()


class PersonForm(RowForm):
    first_name = _model_field(Mentor, "first_name")
    last_name = _model_field(Mentor, "last_name")
    email = _model_field(Mentor, "email")
    phone = _model_field(Mentor, "phone")
    required_when_filled = ("first_name", "last_name", "email")

    def __init__(self, *args, with_function=False, **kwargs):
        super().__init__(*args, **kwargs)
        if with_function:
            self.fields["function"] = _model_field(Mentor, "function")
            self._describe()


class TeamMemberForm(DsfrFormMixin, forms.ModelForm):
    class Meta:
        model = TeamMember
        fields = ["name", "function", "status", "involvement_percent", "contribution"]
        widgets = {"contribution": forms.Textarea(attrs={"rows": 3})}


class BaseTeamFormSet(forms.BaseInlineFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Retirer ce membre de l’équipe")


TeamFormSet = forms.inlineformset_factory(
    Challenge,
    TeamMember,
    form=TeamMemberForm,
    formset=BaseTeamFormSet,
    extra=2,
    can_delete=True,
    max_num=20,
    validate_max=True,
)


class PitchDeckForm(DsfrFormMixin, forms.Form):
    pitch_deck = forms.FileField(
        label=_("Présentation de synthèse (PDF)"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def __init__(self, *args, max_slides, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pitch_deck"].help_text = _(
            "Un fichier PDF au format pitch, de %(max)d diapositives au plus, 20 Mo au plus."
        ) % {"max": max_slides}
        self._describe()
