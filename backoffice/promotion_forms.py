"""The forms of a promotion and its call, in the back office: fields, labels, help texts and
validators come from the models; the views save through `lifecycle.promotions`, never directly.

The call's fields are grouped as a programme manager reads the calendar (`GROUPS`, in order):
a test checks that every field of `Call` is in one group.
"""

import datetime as dt
from decimal import Decimal

from django import forms
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.forms.models import fields_for_model
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from lifecycle import criteria
from lifecycle.enums import AdministrationKind
from lifecycle.models import (
    Call,
    Challenge,
    EigPosition,
    PayLevel,
    Promotion,
    SelectionCriterion,
    SoughtProfile,
)
from lifecycle.models.challenge import CHARACTERS_PER_LINE, LIMITED_TEXT_FIELDS
from lifecycle.validators import validate_single_line
from web.forms import DsfrMixin

# (slug, title, introduction, fields): the page's fieldsets, in the order of the calendar.
GROUPS = [
    (
        "promotion",
        _("Promotion"),
        _("Le numéro identifie la promotion ; il ne change plus une fois la promotion créée."),
        ["number", "name", "year", "title"],
    ),
    (
        "appel-a-defis",
        _("Appel à défis"),
        _("Le dépôt des dossiers par les administrations, et les rappels envoyés aux brouillons."),
        [
            "information_event_at",
            "submission_opens_at",
            "submission_deadline",
            "submission_reminder_days",
            "submission_reminder_time",
        ],
    ),
    (
        "jury",
        _("Jury"),
        _(
            "Les jours où les défis présélectionnés sont présentés au jury, et le barème de ses notes ; "
            "ses critères sont dans la liste qui suit."
        ),
        [
            "jury_starts_on",
            "jury_ends_on",
            "jury_scale",
        ],
    ),
    (
        "appel-a-candidatures",
        _("Appel à candidatures"),
        _(
            "Il peut s’ouvrir avant le jury : un défi sélectionné pendant qu’il est ouvert est publié "
            "aux candidats aussitôt ; après sa clôture, seul·e un·e chargé·e de programme le publie, "
            "par une décision motivée."
        ),
        [
            "recruitment_opens_at",
            "recruitment_closes_at",
            "candidate_preselection_ends_on",
            "candidate_interviews_start_on",
            "candidate_interviews_end_on",
            "candidate_jury_on",
            "candidate_max_challenges",
            "candidate_data_retention_days",
        ],
    ),
    (
        "periode-des-eig",
        _("Période des EIG"),
        _("L’arrivée des EIG, leur intégration, puis les travaux sur les défis et leur durée."),
        ["starts_on", "onboarding_ends_on", "work_starts_on", "duration_months"],
    ),
    (
        "co-financement",
        _("Co-financement et rémunération"),
        _(
            "Le co-financement se calcule soit par un taux du coût total employeur, soit par un "
            "nombre de mois de ce coût ; seules les natures d’administration cochées y ont droit."
        ),
        [
            "cofinancing_funder",
            "cofinancing_envelope",
            "cofinancing_kind",
            "cofinancing_rate",
            "cofinancing_months",
            "cofinancing_eligible_kinds",
            "cofinancing_needs_budget_programme",
            "cofinancing_through_administrative_carrier",
            "net_monthly_pay",
            "employee_contribution_rate",
            "employer_contribution_rate",
            "employer_cost_tolerance",
        ],
    ),
    (
        "dossier",
        _("Dossier"),
        _("Ce que le dossier d’un défi doit contenir, et la longueur de ses réponses."),
        ["max_pitch_slides", "min_eigs_per_challenge", "max_eigs_per_challenge", "min_team_members"],
    ),
    (
        "mentors-et-sessions",
        _("Mentors et sessions de promotion"),
        _("La relance des mentors, et le rythme, les horaires et le lieu des sessions de la promotion."),
        [
            "mentor_task_reminder_days",
            "cohort_planning_lead_days",
            "cohort_session_every_days",
            "cohort_session_starts_at",
            "cohort_session_ends_at",
            "cohort_session_place",
            "cohort_session_reminder_days",
            "cohort_session_reminder_time",
        ],
    ),
]
PROMOTION_FIELDS = ["number", "name", "year"]
CALL_FIELDS = [
    name for _slug, _title, _intro, names in GROUPS for name in names if name not in PROMOTION_FIELDS
]
# `line_limits` (a JSON {field: lines}) is a table of one input per limited answer, named so.
LINE_LIMIT_PREFIX = "line_limit__"

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def _widgets():
    widgets = {}
    for field in Call._meta.concrete_fields:
        internal = field.get_internal_type()
        if internal == "DateTimeField":
            widgets[field.name] = forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format=DATETIME_FORMAT
            )
        elif internal == "DateField":
            widgets[field.name] = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        elif internal == "TimeField":
            widgets[field.name] = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    widgets["cofinancing_kind"] = forms.RadioSelect
    widgets["jury_scale"] = forms.Textarea(attrs={"rows": 5})
    return widgets


def stored(model, name: str, value):
    """A decimal with the model field's places (a rate 0.5 → 0.500), as the database gives it
    back: the audit then compares like with like."""
    field = model._meta.get_field(name)
    if isinstance(value, Decimal) and getattr(field, "decimal_places", None) is not None:
        return value.quantize(Decimal(1).scaleb(-field.decimal_places))
    return value


def _to_the_minute(moment):
    if isinstance(moment, dt.datetime):
        return (
            timezone.localtime(moment).replace(second=0, microsecond=0) if timezone.is_aware(moment) else None
        )
    if isinstance(moment, dt.time):
        return moment.replace(second=0, microsecond=0)
    return None


def _limited_label(name: str) -> str:
    """The answer's label as the dossier names it (an EIG's mission is asked per EIG)."""
    for model, prefix in ((Challenge, ""), (EigPosition, _("EIG : "))):
        try:
            return capfirst(f"{prefix}{model._meta.get_field(name).verbose_name}")
        except FieldDoesNotExist:
            continue
    return name


class PromotionForm(DsfrMixin, forms.Form):
    """A promotion and its call, as one form (grouped in the template by `GROUPS`)."""

    cofinancing_eligible_kinds = forms.MultipleChoiceField(
        label=capfirst(Call._meta.get_field("cofinancing_eligible_kinds").verbose_name),
        choices=AdministrationKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Aucune case cochée : aucune administration n’a droit au co-financement."),
    )

    def __init__(self, *args, editing=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.editing = editing  # the promotion being changed, None for a new one
        self.line_limits_problems = []
        if editing is not None:
            number = self.fields["number"]
            number.disabled = True
            number.help_text = _("Le numéro d’une promotion ne change pas.")
        self.line_limit_rows = []
        for name, lines in LIMITED_TEXT_FIELDS.items():
            key = LINE_LIMIT_PREFIX + name
            self.fields[key] = forms.IntegerField(
                label=_limited_label(name),
                required=False,
                min_value=1,
                max_value=100,
                widget=forms.NumberInput(attrs={"class": "fr-input", "placeholder": str(lines)}),
            )
            self.line_limit_rows.append(
                {"name": name, "key": key, "default": lines, "characters": lines * CHARACTERS_PER_LINE}
            )

    @classmethod
    def base(cls):
        fields = fields_for_model(Promotion, fields=PROMOTION_FIELDS)
        fields |= {
            name: field
            for name, field in fields_for_model(Call, fields=CALL_FIELDS, widgets=_widgets()).items()
            if name not in cls.declared_fields
        }
        return fields

    def clean_number(self):
        number = self.cleaned_data["number"]
        if self.editing is None and Promotion.objects.filter(number=number).exists():
            raise ValidationError(
                _("La promotion n°%(number)s existe déjà : modifiez-la."), params={"number": number}
            )
        return number

    def clean_jury_scale(self):
        """One level per line, as typed, the blank lines and the spaces around a label left out
        (a browser sends its line ends as CR LF: the stored scale keeps plain line ends)."""
        return "\n".join(
            line.strip() for line in self.cleaned_data["jury_scale"].splitlines() if line.strip()
        )

    def groups(self):
        """The fieldsets of the page: their bound fields, in order; choices take a whole line."""
        wide = (forms.CheckboxInput, forms.RadioSelect, forms.CheckboxSelectMultiple, forms.Textarea)
        return [
            {
                "slug": slug,
                "title": title,
                "intro": intro,
                "fields": [
                    {"field": self[name], "wide": isinstance(self.fields[name].widget, wide)}
                    for name in names
                ],
            }
            for slug, title, intro, names in GROUPS
        ]

    def line_limits_rows(self):
        return [{**row, "field": self[row["key"]]} for row in self.line_limit_rows]

    def promotion_values(self) -> dict:
        return {name: self.cleaned_data[name] for name in PROMOTION_FIELDS}

    def call_values(self) -> dict:
        """The call's values as the model stores them. A moment shown to the minute and posted
        back unchanged keeps its seconds (a deadline set elsewhere at 23:59:30 stays so)."""
        values = {}
        for name in CALL_FIELDS:
            value, initial = self.cleaned_data[name], self.initial.get(name)
            if isinstance(value, dt.datetime | dt.time) and _to_the_minute(initial) == value:
                value = initial
            values[name] = stored(Call, name, value)
        values["cofinancing_eligible_kinds"] = [
            kind
            for kind in AdministrationKind.values
            if kind in self.cleaned_data["cofinancing_eligible_kinds"]
        ]
        values["line_limits"] = {
            row["name"]: self.cleaned_data[row["key"]]
            for row in self.line_limit_rows
            if self.cleaned_data.get(row["key"]) is not None
        }
        return values

    def add_domain_errors(self, error):
        # The line limits' problem is shown on their table (they are a field of the call only).
        if hasattr(error, "error_dict") and "line_limits" in error.error_dict:
            self.line_limits_problems = ValidationError(error.error_dict.pop("line_limits")).messages
        return super().add_domain_errors(error)


PromotionForm.base_fields = {**PromotionForm.base(), **PromotionForm.base_fields}


def initial_for(promotion) -> dict:
    """The form's values of an existing promotion and its call."""
    initial = {name: getattr(promotion, name) for name in PROMOTION_FIELDS}
    call = getattr(promotion, "call", None)
    if call is not None:
        initial |= {name: getattr(call, name) for name in CALL_FIELDS}
        initial["cofinancing_eligible_kinds"] = list(call.cofinancing_eligible_kinds or [])
        for name, lines in (call.line_limits or {}).items():
            initial[LINE_LIMIT_PREFIX + name] = lines
    return initial


def initial_for_new() -> dict:
    """A new promotion: the next number, this year, and the call's defaults (the model's)."""
    from django.db.models import Max
    from django.utils import timezone

    from lifecycle.enums import default_cofinancing_eligible_kinds

    number = (Promotion.objects.aggregate(highest=Max("number"))["highest"] or 0) + 1
    initial = {"number": number, "name": f"EIG {number}", "year": timezone.localdate().year}
    for name in CALL_FIELDS:
        field = Call._meta.get_field(name)
        if field.has_default():
            initial[name] = field.get_default()
    initial["cofinancing_eligible_kinds"] = default_cofinancing_eligible_kinds()
    return initial


class RowForm(DsfrMixin, forms.Form):
    """A row of a small list: blank rows are ignored, a ticked "Retirer" removes the row. Each
    of `row_fields` is required on a row kept, but those of `optional_fields`."""

    optional_fields = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False

    def is_blank(self) -> bool:
        return not any(self.cleaned_data.get(name) not in (None, "") for name in self.row_fields)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("DELETE") or self.is_blank():
            return cleaned
        for name in self.row_fields:
            if name in self.optional_fields:
                continue
            if cleaned.get(name) in (None, "") and name not in self.errors:
                self.add_error(name, _("Ce champ est obligatoire."))
        return cleaned


class ProfileForm(RowForm):
    row_fields = ["code", "label"]
    code = SoughtProfile._meta.get_field("code").formfield()
    label = SoughtProfile._meta.get_field("label").formfield()


class PayLevelForm(RowForm):
    row_fields = ["name", "net_monthly_pay"]
    name = PayLevel._meta.get_field("name").formfield()
    net_monthly_pay = PayLevel._meta.get_field("net_monthly_pay").formfield()

    def clean_net_monthly_pay(self):
        return stored(PayLevel, "net_monthly_pay", self.cleaned_data["net_monthly_pay"])


class CriterionForm(RowForm):
    """A criterion of the jury's grid: its name, what the jury looks at, its weight (1 unless
    changed: a blank row offers 1, and stays blank until a name is typed)."""

    row_fields = ["name", "description", "weight"]
    optional_fields = ("description",)
    # The criterion the row shows (none on a new row): a renamed criterion keeps its scores.
    criterion = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = SelectionCriterion._meta.get_field("name").formfield(
        label=_("Nom"), validators=[validate_single_line]
    )
    description = SelectionCriterion._meta.get_field("description").formfield(
        widget=forms.Textarea(attrs={"rows": 3})
    )
    weight = SelectionCriterion._meta.get_field("weight").formfield(
        min_value=Decimal("0.01"),
        max_value=Decimal("10"),
        error_messages={
            "min_value": _("Un poids va de 0,01 à 10."),
            "max_value": _("Un poids va de 0,01 à 10."),
        },
    )

    def clean_description(self):
        return self.cleaned_data["description"].replace("\r\n", "\n").replace("\r", "\n")

    def clean_weight(self):
        return stored(SelectionCriterion, "weight", self.cleaned_data["weight"])


class RowFormSet(forms.BaseFormSet):
    key = ""  # the field whose values are distinct
    refusals = ()  # the domain's refusal of the list (a row still used), set by the view
    widths = {}  # the columns of a fixed width (the others share the rest)

    def columns(self) -> list[dict]:
        form = self.form
        return [
            {"label": form.base_fields[name].label, "width": self.widths.get(name, "")}
            for name in form.row_fields
        ]

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Retirer cette ligne")

    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            if form.cleaned_data.get("DELETE") or form.is_blank():
                continue
            value = form.cleaned_data[self.key]
            if value in seen:
                form.add_error(self.key, _("Cette valeur figure déjà sur une autre ligne."))
            seen.add(value)

    def rows(self) -> list[tuple]:
        """The rows kept, in order, as (key, value) pairs."""
        return [
            tuple(form.cleaned_data[name] for name in form.row_fields)
            for form in self.forms
            if not form.cleaned_data.get("DELETE") and not form.is_blank()
        ]


class ProfileFormSet(RowFormSet):
    key = "code"
    widths = {"code": "14rem"}


class PayLevelFormSet(RowFormSet):
    key = "name"
    widths = {"net_monthly_pay": "16rem"}


class CriterionFormSet(RowFormSet):
    """Shown as blocks, one per criterion (templates/backoffice/promotion/_criteria.html)."""

    key = "name"

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Retirer ce critère")

    def rows(self) -> list[tuple]:
        """(name, description, weight, the criterion's pk or None), as `criteria.set_criteria` reads them."""
        return [
            (*row, form.cleaned_data.get("criterion"))
            for row, form in zip(super().rows(), self._kept_forms(), strict=True)
        ]

    def _kept_forms(self):
        return [form for form in self.forms if not form.cleaned_data.get("DELETE") and not form.is_blank()]


EXTRA_ROWS = 2
Profiles = forms.formset_factory(
    ProfileForm, formset=ProfileFormSet, extra=EXTRA_ROWS, can_delete=True, can_delete_extra=False
)
PayLevels = forms.formset_factory(
    PayLevelForm, formset=PayLevelFormSet, extra=EXTRA_ROWS, can_delete=True, can_delete_extra=False
)
Criteria = forms.formset_factory(
    CriterionForm, formset=CriterionFormSet, extra=EXTRA_ROWS, can_delete=True, can_delete_extra=False
)


def profile_rows(call) -> list[dict]:
    return [{"code": p.code, "label": p.label} for p in call.profiles.all()] if call else []


def pay_level_rows(call) -> list[dict]:
    return (
        [{"name": p.name, "net_monthly_pay": p.net_monthly_pay} for p in call.pay_levels.all()]
        if call
        else []
    )


def _shown_weight(weight: Decimal) -> Decimal:
    """A weight as a manager types it: 1, 1.5, 0.25 (not 1.00)."""
    return weight.quantize(Decimal(1)) if weight == weight.to_integral_value() else weight.normalize()


def criterion_rows(call) -> list[dict]:
    """The call's criteria, in order; a new promotion's: the 2018 call's five, weight 1."""
    if call is None:
        return [
            {"name": name, "description": description, "weight": Decimal(1)}
            for name, description in criteria.DEFAULT_CRITERIA
        ]
    return [
        {"name": c.name, "description": c.description, "weight": _shown_weight(c.weight), "criterion": c.pk}
        for c in criteria.of_call(call)
    ]
