import datetime as dt
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lifecycle.enums import AdministrationKind, CofinancingKind, default_cofinancing_eligible_kinds
from lifecycle.validators import validate_single_line

# The form's positions are numbered 1 to this; a call asks for fewer.
MAX_EIGS_PER_CHALLENGE = 6
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
    submission_opens_at = models.DateTimeField(
        _("ouverture du dépôt des dossiers"),
        null=True,
        blank=True,
        help_text=_("Heure de Paris ; vide : le dépôt est ouvert dès la création de l’appel."),
    )
    submission_deadline = models.DateTimeField(
        _("date limite de dépôt des dossiers"),
        null=True,
        blank=True,
        help_text=_(
            "Heure de Paris. Une heure en :59 (ex. 23:59) comprend toute la minute : "
            "23:59:59 est encore dans les temps."
        ),
    )
    jury_starts_on = models.DateField(_("premier jour du jury"), null=True, blank=True)
    jury_ends_on = models.DateField(_("dernier jour du jury"), null=True, blank=True)
    # The jury's scale: one label per line, the first is 1 (the 2018 call: 1 to 4).
    jury_scale = models.TextField(
        _("barème du jury"),
        default="Pas du tout satisfaisant\nPeu satisfaisant\nSatisfaisant\nExcellent",
        help_text=_("Un libellé par ligne, du plus bas (1) au plus haut ; au moins deux niveaux."),
    )
    recruitment_opens_at = models.DateTimeField(
        _("ouverture de l’appel à candidatures"), null=True, blank=True
    )
    recruitment_closes_at = models.DateTimeField(
        _("clôture de l’appel à candidatures"), null=True, blank=True
    )
    # The candidates' call's own calendar after its closing (it may open before the jury).
    candidate_preselection_ends_on = models.DateField(
        _("fin de la présélection des candidats"), null=True, blank=True
    )
    candidate_interviews_start_on = models.DateField(
        _("premier jour des entretiens des candidats"), null=True, blank=True
    )
    candidate_interviews_end_on = models.DateField(
        _("dernier jour des entretiens des candidats"), null=True, blank=True
    )
    candidate_jury_on = models.DateField(_("jury des candidats"), null=True, blank=True)
    # The candidates' call's rules (recruitment/): how many challenges one application may name,
    # how long unsuccessful candidates' personal data is kept after their results.
    candidate_max_challenges = models.PositiveSmallIntegerField(
        _("défis par candidature (au plus)"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
    )
    candidate_data_retention_days = models.PositiveSmallIntegerField(
        _("conservation des données des candidats non retenus (jours après leurs résultats)"),
        default=180,
        validators=[MinValueValidator(1), MaxValueValidator(730)],
        help_text=_("Au plus deux ans (730 jours), durée maximale que recommande la CNIL."),
    )

    starts_on = models.DateField(_("arrivée des EIG"), null=True, blank=True)
    onboarding_ends_on = models.DateField(
        _("fin de la période d’intégration"),
        null=True,
        blank=True,
        help_text=_("Vide : pas de période d’intégration distincte."),
    )
    work_starts_on = models.DateField(
        _("début des travaux sur les défis"),
        null=True,
        blank=True,
        help_text=_("Vide : le jour de l’arrivée des EIG. La durée se compte à partir de ce jour."),
    )
    duration_months = models.PositiveSmallIntegerField(
        _("durée (mois)"), default=10, validators=[MinValueValidator(1), MaxValueValidator(36)]
    )

    # Co-financing: who pays, how much, for whom. Labels and messages read the funder's name.
    cofinancing_funder = models.CharField(
        _("financeur du co-financement"),
        max_length=100,
        default="PIA",
        validators=[validate_single_line],
        help_text=_("Le nom que lisent les administrations (ex. « PIA », « Fonds de transformation »)."),
    )
    cofinancing_envelope = models.DecimalField(
        _("enveloppe du co-financement (€)"), max_digits=12, decimal_places=2, default=Decimal("1500000")
    )
    cofinancing_kind = models.CharField(
        _("règle du co-financement"),
        max_length=10,
        choices=CofinancingKind.choices,
        default=CofinancingKind.RATE,
    )
    cofinancing_rate = models.DecimalField(
        _("taux de co-financement"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.70"),
        validators=RATE_VALIDATORS,
        help_text=_("Part du coût total employeur (0,70 = 70 %), pour la règle « taux »."),
    )
    cofinancing_months = models.PositiveSmallIntegerField(
        _("mois co-financés"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Nombre de mois du coût total employeur pris en charge, pour la règle « mois »."),
    )
    cofinancing_eligible_kinds = models.JSONField(
        _("natures d’administration éligibles au co-financement"),
        default=default_cofinancing_eligible_kinds,
        blank=True,
    )
    cofinancing_needs_budget_programme = models.BooleanField(
        _("le co-financement demande un programme budgétaire"),
        default=False,
        help_text=_("L’administration qui reçoit le co-financement doit porter un programme budgétaire."),
    )
    cofinancing_through_administrative_carrier = models.BooleanField(
        _("un opérateur est éligible par son porteur administratif"),
        default=False,
        help_text=_(
            "Un opérateur d’un ministère reçoit le co-financement par son porteur administratif "
            "(son ministère), qui doit être éligible."
        ),
    )
    net_monthly_pay = models.DecimalField(
        _("rémunération nette mensuelle par défaut (€)"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("4000"),
        help_text=_("Celle d’une mission sans niveau de rémunération, quand l’appel en définit."),
    )
    max_pitch_slides = models.PositiveSmallIntegerField(
        _("nombre maximal de diapositives du pitch"), default=12
    )
    min_eigs_per_challenge = models.PositiveSmallIntegerField(
        _("EIG par défi (minimum)"), default=2, validators=[MinValueValidator(1)]
    )
    max_eigs_per_challenge = models.PositiveSmallIntegerField(
        _("EIG par défi (maximum)"), default=3, validators=[MaxValueValidator(MAX_EIGS_PER_CHALLENGE)]
    )
    min_team_members = models.PositiveSmallIntegerField(
        _("membres de l’équipe projet (minimum)"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=_("Les porteurs du projet que le dossier doit présenter."),
    )
    line_limits = models.JSONField(
        _("limites des réponses (lignes)"),
        default=dict,
        blank=True,
        help_text=_(
            "Les limites qui diffèrent du formulaire officiel, en lignes de 120 caractères : "
            '{"problem": 15}. Vide : celles du formulaire.'
        ),
    )

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
        """The end of the work: the duration counted from its start (the arrival by default)."""
        start = self.work_starts_on or self.starts_on
        if start is None:
            return None
        return start + relativedelta(months=self.duration_months)

    @property
    def submission_closes_at(self):
        """The first moment a dossier is late (see `lifecycle.calendar.closing`)."""
        from lifecycle.calendar import closing

        return closing(self.submission_deadline)

    def clean(self):
        errors = {}
        if self.min_eigs_per_challenge > self.max_eigs_per_challenge:
            errors["max_eigs_per_challenge"] = _("Le maximum doit être au moins égal au minimum.")
        if (
            self.submission_opens_at
            and self.submission_deadline
            and self.submission_deadline <= self.submission_opens_at
        ):
            errors["submission_deadline"] = _("La date limite doit suivre l’ouverture du dépôt.")
        later_than = [
            ("candidate_preselection_ends_on", "recruitment_closes_at"),
            ("candidate_interviews_start_on", "recruitment_closes_at"),
            ("candidate_interviews_end_on", "candidate_interviews_start_on"),
            ("candidate_jury_on", "candidate_interviews_end_on"),
            ("onboarding_ends_on", "starts_on"),
            ("work_starts_on", "starts_on"),
        ]
        for field_name, earlier_name in later_than:
            value, earlier = getattr(self, field_name), getattr(self, earlier_name)
            if value is None or earlier is None:
                continue
            if isinstance(earlier, dt.datetime):
                earlier = timezone.localdate(earlier)
            if value < earlier:
                errors.setdefault(
                    field_name,
                    _("Cette date doit suivre : « %(earlier)s ».")
                    % {"earlier": self._meta.get_field(earlier_name).verbose_name},
                )
        if self.cofinancing_kind == CofinancingKind.MONTHS:
            if not self.cofinancing_months:
                errors["cofinancing_months"] = _("Indiquez le nombre de mois co-financés.")
            elif self.cofinancing_months > self.duration_months:
                errors["cofinancing_months"] = _("Les mois co-financés dépassent la durée du défi.")
        unknown = [
            kind for kind in self.cofinancing_eligible_kinds or [] if kind not in AdministrationKind.values
        ]
        if not isinstance(self.cofinancing_eligible_kinds, list) or unknown:
            errors["cofinancing_eligible_kinds"] = _(
                "Natures inconnues : %(unknown)s (connues : %(known)s)."
            ) % {
                "unknown": ", ".join(map(str, unknown)) or "—",
                "known": ", ".join(AdministrationKind.values),
            }
        if problem := line_limits_problem(self.line_limits):
            errors["line_limits"] = problem
        if (
            self.recruitment_opens_at
            and self.recruitment_closes_at
            and self.recruitment_closes_at <= self.recruitment_opens_at
        ):
            errors["recruitment_closes_at"] = _("La clôture doit suivre l’ouverture.")
        if len([line for line in (self.jury_scale or "").splitlines() if line.strip()]) < 2:
            errors["jury_scale"] = _("Le barème du jury a au moins deux niveaux, un par ligne.")
        else:
            from lifecycle.criteria import scale_problem

            if problem := scale_problem(self):
                errors["jury_scale"] = problem
        if self.pk and self.promotion_id:
            from lifecycle.financing import format_euros
            from lifecycle.guards import committed_cofinancing

            committed = committed_cofinancing(self.promotion)
            if self.cofinancing_envelope is not None and self.cofinancing_envelope < committed:
                errors["cofinancing_envelope"] = _(
                    "Les défis déjà sélectionnés engagent %(committed)s : "
                    "l’enveloppe ne peut être plus petite."
                ) % {"committed": format_euros(committed)}
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


def line_limits_problem(limits) -> str:
    """A call's line limits are whole numbers of lines, for the form's limited answers only."""
    from lifecycle.models.challenge import LIMITED_TEXT_FIELDS

    if not isinstance(limits, dict):
        return _('Indiquez les limites sous la forme {"champ": lignes}.')
    unknown = [name for name in limits if name not in LIMITED_TEXT_FIELDS]
    if unknown:
        return _("Champs inconnus : %(unknown)s (limités : %(known)s).") % {
            "unknown": ", ".join(unknown),
            "known": ", ".join(LIMITED_TEXT_FIELDS),
        }
    if any(
        isinstance(lines, bool) or not isinstance(lines, int) or not 1 <= lines <= 100
        for lines in limits.values()
    ):
        return _("Chaque limite est un nombre de lignes entre 1 et 100.")
    return ""


class PayLevel(models.Model):
    """A net monthly pay of the call (e.g. by experience); each EIG position may name one."""

    call = models.ForeignKey(
        Call, on_delete=models.CASCADE, related_name="pay_levels", verbose_name=_("appel")
    )
    name = models.CharField(_("niveau"), max_length=100, validators=[validate_single_line])
    net_monthly_pay = models.DecimalField(
        _("rémunération nette mensuelle (€)"),
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    rank = models.PositiveSmallIntegerField(_("ordre"), default=1)

    class Meta:
        ordering = ["call", "rank", "pk"]
        verbose_name = _("niveau de rémunération")
        verbose_name_plural = _("niveaux de rémunération")
        constraints = [
            models.UniqueConstraint(fields=["call", "name"], name="pay_level_name_unique_per_call")
        ]

    def __str__(self):
        from lifecycle.financing import format_euros

        return f"{self.name} ({format_euros(self.net_monthly_pay)} nets/mois)"


class SoughtProfile(models.Model):
    """A profile of EIG the call offers to seek (development, data science, design, law…)."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="profiles", verbose_name=_("appel"))
    code = models.SlugField(_("code"), max_length=40, help_text=_("Court et stable : « dev », « juriste »…"))
    label = models.CharField(_("libellé"), max_length=150, validators=[validate_single_line])
    rank = models.PositiveSmallIntegerField(_("ordre"), default=1)

    class Meta:
        ordering = ["call", "rank", "pk"]
        verbose_name = _("profil d’EIG")
        verbose_name_plural = _("profils d’EIG")
        constraints = [
            models.UniqueConstraint(fields=["call", "code"], name="sought_profile_code_unique_per_call")
        ]

    def __str__(self):
        return self.label


class SelectionCriterion(models.Model):
    """A criterion the jury scores each pitched challenge on (the 2018 call: five, 1 to 4), with
    its weight in the challenge's total."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("appel"))
    name = models.CharField(_("critère"), max_length=200, validators=[validate_single_line])
    description = models.TextField(_("ce que le jury regarde"), blank=True)
    weight = models.DecimalField(
        _("poids"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("10"))],
        help_text=_("1 : le poids ordinaire ; 2 : compte double dans le total."),
    )
    rank = models.PositiveSmallIntegerField(_("ordre"), default=1)

    class Meta:
        ordering = ["call", "rank", "pk"]
        verbose_name = _("critère de sélection")
        verbose_name_plural = _("critères de sélection")
        constraints = [
            models.UniqueConstraint(fields=["call", "name"], name="criterion_name_unique_per_call")
        ]

    def __str__(self):
        return self.name
