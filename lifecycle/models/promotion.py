import datetime as dt
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from lifecycle.validators import validate_single_line

RATE_VALIDATORS = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))]


def validate_day_list(value: str):
    """ "7, 1": whole numbers of days, separated by commas."""
    try:
        days = parse_day_list(value)
    except ValueError:
        raise ValidationError(
            _("Indiquez des nombres de jours séparés par des virgules (ex. : 7, 1).")
        ) from None
    if any(day < 1 or day > 365 for day in days):
        raise ValidationError(_("Chaque rappel est entre 1 et 365 jours avant la date."))


def parse_day_list(value: str) -> list[int]:
    return sorted(
        {int(part) for part in (value or "").replace(";", ",").split(",") if part.strip()}, reverse=True
    )


class Promotion(models.Model):
    """A yearly cohort of EIGs (e.g. EIG 3, who started in January 2019)."""

    number = models.PositiveSmallIntegerField(_("numéro"), unique=True)
    name = models.CharField(_("nom"), max_length=100, validators=[validate_single_line])
    year = models.PositiveSmallIntegerField(_("année de l’appel"))

    class Meta:
        ordering = ["-number"]
        verbose_name = _("promotion")
        verbose_name_plural = _("promotions")

    def __str__(self):
        return self.name


class Call(models.Model):
    """The call for challenges of a promotion: its whole calendar and its rules, as data."""

    promotion = models.OneToOneField(
        Promotion, on_delete=models.CASCADE, related_name="call", verbose_name=_("promotion")
    )
    title = models.CharField(_("intitulé"), max_length=300, blank=True)

    information_event_at = models.DateTimeField(_("événement d’information"), null=True, blank=True)
    submission_deadline = models.DateTimeField(_("date limite de dépôt des dossiers"), null=True, blank=True)
    jury_starts_on = models.DateField(_("premier jour du jury"), null=True, blank=True)
    jury_ends_on = models.DateField(_("dernier jour du jury"), null=True, blank=True)
    recruitment_opens_at = models.DateTimeField(
        _("ouverture de l’appel à candidatures"), null=True, blank=True
    )
    recruitment_closes_at = models.DateTimeField(
        _("clôture de l’appel à candidatures"), null=True, blank=True
    )
    starts_on = models.DateField(_("arrivée des EIG"), null=True, blank=True)
    duration_months = models.PositiveSmallIntegerField(_("durée (mois)"), default=10)

    pia_envelope = models.DecimalField(
        _("enveloppe PIA (€)"), max_digits=12, decimal_places=2, default=Decimal("1500000")
    )
    cofinancing_rate = models.DecimalField(
        _("taux de co-financement PIA"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.70"),
        validators=RATE_VALIDATORS,
    )
    net_monthly_pay = models.DecimalField(
        _("rémunération nette mensuelle (€)"), max_digits=8, decimal_places=2, default=Decimal("4000")
    )
    max_pitch_slides = models.PositiveSmallIntegerField(
        _("nombre maximal de diapositives du pitch"), default=12
    )
    min_eigs_per_challenge = models.PositiveSmallIntegerField(_("EIG par défi (minimum)"), default=2)
    max_eigs_per_challenge = models.PositiveSmallIntegerField(_("EIG par défi (maximum)"), default=3)

    # Rates of the employer-cost estimate the stated cost is compared with.
    employee_contribution_rate = models.DecimalField(
        _("taux de cotisations salariales (net → brut)"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.22"),
        validators=RATE_VALIDATORS,
    )
    employer_contribution_rate = models.DecimalField(
        _("taux de cotisations patronales"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.42"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("2"))],
    )
    employer_cost_tolerance = models.DecimalField(
        _("écart toléré avec l’estimation du coût employeur"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.25"),
        validators=RATE_VALIDATORS,
    )

    # The programme's rules of the calendar: reminders, mentor tasks, cohort sessions.
    submission_reminder_days = models.CharField(
        _("rappels avant la date limite de dépôt (jours)"),
        max_length=50,
        default="7, 1",
        blank=True,
        validators=[validate_day_list],
        help_text=_("Aux dossiers encore en brouillon ; ex. « 7, 1 ». Vide : aucun rappel."),
    )
    submission_reminder_time = models.TimeField(
        _("heure des rappels"),
        null=True,
        blank=True,
        help_text=_("Heure de Paris ; vide : l’heure de la date limite."),
    )
    mentor_task_reminder_days = models.PositiveSmallIntegerField(
        _("relance d’une confirmation de mentor en attente (jours)"), default=7
    )
    cohort_planning_lead_days = models.PositiveSmallIntegerField(
        _("planification des sessions de promotion (jours avant l’arrivée des EIG)"), default=14
    )
    cohort_session_every_days = models.PositiveSmallIntegerField(
        _("rythme des sessions de promotion (jours)"), default=14, validators=[MinValueValidator(1)]
    )
    cohort_session_starts_at = models.TimeField(_("début des sessions"), default=dt.time(14, 0))
    cohort_session_ends_at = models.TimeField(_("fin des sessions"), default=dt.time(17, 30))
    cohort_session_place = models.CharField(
        _("lieu des sessions"), max_length=300, blank=True, default="Etalab, 20 avenue de Ségur, 75007 Paris"
    )
    cohort_session_reminder_days = models.PositiveSmallIntegerField(
        _("rappel avant chaque session (jours)"), default=2
    )
    cohort_session_reminder_time = models.TimeField(
        _("heure du rappel d’une session"), default=dt.time(9, 0), help_text=_("Heure de Paris.")
    )

    class Meta:
        verbose_name = _("appel à projets")
        verbose_name_plural = _("appels à projets")

    def __str__(self):
        return self.title or str(_("Appel à projets de la promotion %(name)s") % {"name": self.promotion})

    @property
    def reminder_days(self) -> list[int]:
        """The submission reminders, in days before the deadline, the earliest first."""
        return parse_day_list(self.submission_reminder_days)

    @property
    def ends_on(self):
        if self.starts_on is None:
            return None
        return self.starts_on + relativedelta(months=self.duration_months)

    def clean(self):
        errors = {}
        if self.min_eigs_per_challenge > self.max_eigs_per_challenge:
            errors["max_eigs_per_challenge"] = _("Le maximum doit être au moins égal au minimum.")
        if (
            self.recruitment_opens_at
            and self.recruitment_closes_at
            and self.recruitment_closes_at <= self.recruitment_opens_at
        ):
            errors["recruitment_closes_at"] = _("La clôture doit suivre l’ouverture.")
        if self.jury_starts_on and self.jury_ends_on and self.jury_ends_on < self.jury_starts_on:
            errors["jury_ends_on"] = _("Le dernier jour du jury doit suivre le premier.")
        if (
            self.cohort_session_starts_at
            and self.cohort_session_ends_at
            and self.cohort_session_ends_at <= self.cohort_session_starts_at
        ):
            errors["cohort_session_ends_at"] = _("La fin des sessions doit suivre leur début.")
        if errors:
            raise ValidationError(errors)
