from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from lifecycle.enums import ChallengeState, label_of
from lifecycle.pitch_deck import stored_name
from lifecycle.validators import validate_single_line

# The official form limits its free-text answers in lines; a line of the form holds about this
# many characters.
CHARACTERS_PER_LINE = 120
# The limited answers and their lines in the official form (2018); a call may set others
# (`Call.line_limits`), so the limit is checked against the case's call, not by the column.
LIMITED_TEXT_FIELDS: dict[str, int] = {}


def limited_text(verbose_name, lines, *, name, **kwargs):
    LIMITED_TEXT_FIELDS[name] = lines
    return models.TextField(verbose_name, blank=True, **kwargs)


def line_limit(call, name) -> int:
    """The lines the call allows for answer `name` (the official form's unless it says otherwise)."""
    limits = (call.line_limits if call is not None else None) or {}
    return int(limits.get(name) or LIMITED_TEXT_FIELDS[name])


def character_limit(call, name) -> int:
    return line_limit(call, name) * CHARACTERS_PER_LINE


def limit_help(call, name) -> str:
    lines = line_limit(call, name)
    return _("%(lines)d lignes maximum (%(chars)d caractères).") % {
        "lines": lines,
        "chars": lines * CHARACTERS_PER_LINE,
    }


def line_limit_errors(instance, call) -> dict:
    """{field: message} for the answers of `instance` longer than its call allows."""
    errors = {}
    for field in instance._meta.concrete_fields:
        if field.name not in LIMITED_TEXT_FIELDS:
            continue
        value, limit = getattr(instance, field.name) or "", character_limit(call, field.name)
        if len(value) > limit:
            errors[field.name] = _("« %(field)s » dépasse %(limit)d caractères (%(length)d) : %(help)s") % {
                "field": field.verbose_name,
                "limit": limit,
                "length": len(value),
                "help": limit_help(call, field.name),
            }
    return errors


class Challenge(ConcurrentTransitionMixin, models.Model):
    """A challenge (défi) proposed by an administration: the dossier and its lifecycle state.

    The state changes only through `lifecycle.services.transition`; the methods decorated with
    `@transition` below declare the graph and are called by that function alone.
    """

    promotion = models.ForeignKey(
        "lifecycle.Promotion",
        on_delete=models.PROTECT,
        related_name="challenges",
        verbose_name=_("promotion"),
    )
    state = FSMField(
        _("état"),
        default=ChallengeState.DRAFT,
        choices=ChallengeState.choices,
        protected=True,
        db_index=True,
    )
    state_changed_at = models.DateTimeField(_("dernier changement d’état"), null=True, blank=True)
    # What a manager sent back for correction (lifecycle/corrections.py): the form's sections open
    # again to the administration, and the last day it may submit the corrected dossier.
    corrections_sections = models.JSONField(_("parties à corriger"), default=list, blank=True)
    corrections_due_on = models.DateField(_("date limite des corrections"), null=True, blank=True)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_challenges",
        verbose_name=_("chargé·e de programme"),
    )

    # 1) Informations administratives
    administration = models.ForeignKey(
        "lifecycle.Administration",
        on_delete=models.PROTECT,
        related_name="challenges",
        verbose_name=_("porteur opérationnel"),
    )
    administrative_carrier = models.ForeignKey(
        "lifecycle.Administration",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="administratively_carried_challenges",
        verbose_name=_("porteur administratif (si différent)"),
    )
    partner_administrations = models.ManyToManyField(
        "lifecycle.Administration",
        blank=True,
        related_name="partnered_challenges",
        verbose_name=_("administrations partenaires"),
    )
    address = models.TextField(_("adresse de l’administration d’accueil"), blank=True)

    # 2) Annexe technique
    name = models.CharField(_("nom du défi"), max_length=200, validators=[validate_single_line])
    summary = models.CharField(_("résumé"), max_length=300, blank=True, validators=[validate_single_line])
    public_description = models.TextField(_("description publique"), blank=True)
    problem = limited_text(_("problématique à résoudre"), 10, name="problem")
    solution = limited_text(_("solution proposée"), 10, name="solution")
    expected_benefits = limited_text(
        _("bénéfices et impacts attendus en matière de transformation numérique"),
        10,
        name="expected_benefits",
    )
    innovation_kinds = limited_text(_("types d’innovations mobilisées"), 3, name="innovation_kinds")
    progress = limited_text(
        _("état d’avancement (pas démarré / phase pilote, technologies et méthodes)"), 3, name="progress"
    )
    technical_resources = limited_text(
        _("ressources techniques et opérationnelles"), 10, name="technical_resources"
    )
    datasets = models.TextField(_("jeux de données nécessaires"), blank=True)
    datasets_accessible = models.BooleanField(
        _("ces jeux de données sont déjà accessibles"), null=True, blank=True
    )
    datasets_access_steps = limited_text(
        _("étapes pour rendre les données accessibles aux EIG"), 5, name="datasets_access_steps"
    )
    sustainability_actions = limited_text(
        _("actions pour pérenniser et essaimer les résultats"), 10, name="sustainability_actions"
    )
    obstacles = limited_text(_("obstacles potentiels et mesures pour les dépasser"), 10, name="obstacles")
    motivation = limited_text(_("pourquoi postulez-vous au programme EIG ?"), 10, name="motivation")
    source_code_url = models.URLField(_("code source"), blank=True)

    # Attestations
    attests_outside_walls = models.BooleanField(
        _("atteste la possibilité pour les EIG de travailler hors les murs"), default=False
    )
    attests_open_data_open_source = models.BooleanField(
        _("atteste l’engagement d’ouvrir les données et de publier le code sous licence libre"),
        default=False,
    )
    attests_data_access = models.BooleanField(
        _("atteste l’engagement de mettre à disposition des EIG les données nécessaires"),
        default=False,
    )

    # Simulation financière (the funder is the call's: `Call.cofinancing_funder`)
    cofinancing_requested = models.BooleanField(_("demande de co-financement"), default=False)
    total_employer_cost = models.DecimalField(
        _("coût total employeur prévisionnel (€)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    cofinancing_amount = models.DecimalField(
        _("montant du co-financement envisagé (€)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )

    pitch_deck = models.FileField(
        _("présentation de synthèse (PDF)"), upload_to=stored_name, blank=True, max_length=200
    )
    pitch_deck_pages = models.PositiveSmallIntegerField(
        _("nombre de diapositives"), null=True, blank=True, editable=False
    )

    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        ordering = ["promotion", "name"]
        verbose_name = _("défi")
        verbose_name_plural = _("défis")
        constraints = [
            models.UniqueConstraint(fields=["promotion", "name"], name="challenge_name_unique_per_promotion")
        ]
        indexes = [
            # The dashboard counts a promotion's cases per state.
            models.Index(fields=["promotion", "state"], name="challenge_promotion_state"),
            # The managers' list in its default order (by name, either way): a page read off the
            # index, however deep. Its order by the latest change first (NULLS LAST, which
            # SQLite's indexes cannot hold) has an index on PostgreSQL alone (migration 0016).
            models.Index(fields=["name", "id"], name="challenge_by_name"),
            # The dashboard's cases without a move for some days (backoffice.queries.stale_challenges).
            models.Index(Coalesce("state_changed_at", "created_at"), name="challenge_last_move"),
        ]

    def __str__(self):
        return self.name

    def get_state_display(self):
        return label_of(ChallengeState, self.state)

    def clean(self):
        if self.promotion_id:
            errors = line_limit_errors(self, self.promotion.call)
            if errors:
                raise ValidationError(errors)

    # The graph of the lifecycle. Guards, permissions and effects live in lifecycle.services.
    S = ChallengeState

    @transition(field=state, source=S.DRAFT, target=S.SUBMITTED)
    def submit(self):
        pass

    @transition(field=state, source=S.SUBMITTED, target=S.CORRECTIONS_REQUESTED)
    def request_corrections(self):
        pass

    @transition(field=state, source=S.CORRECTIONS_REQUESTED, target=S.SUBMITTED)
    def resubmit(self):
        pass

    @transition(field=state, source=S.SUBMITTED, target=S.PRESELECTED)
    def preselect(self):
        pass

    @transition(field=state, source=[S.SUBMITTED, S.CORRECTIONS_REQUESTED], target=S.NOT_PRESELECTED)
    def reject(self):
        pass

    @transition(field=state, source=S.PRESELECTED, target=S.PITCHED)
    def pitch(self):
        pass

    @transition(field=state, source=S.PITCHED, target=S.SELECTED)
    def select(self):
        pass

    @transition(field=state, source=S.PITCHED, target=S.NOT_SELECTED)
    def not_select(self):
        pass

    @transition(field=state, source=S.SELECTED, target=S.RECRUITING)
    def open_recruitment(self):
        pass

    @transition(field=state, source=S.RECRUITING, target=S.RUNNING)
    def start(self):
        pass

    @transition(field=state, source=S.RUNNING, target=S.COMPLETED)
    def complete(self):
        pass

    @transition(field=state, source=ChallengeState.before_running(), target=S.WITHDRAWN)
    def withdraw(self):
        pass

    del S


class EigPosition(models.Model):
    """One EIG the challenge asks for: its mission and the profile sought."""

    challenge = models.ForeignKey(
        Challenge, on_delete=models.CASCADE, related_name="eig_positions", verbose_name=_("défi")
    )
    rank = models.PositiveSmallIntegerField(
        _("EIG n°"), validators=[MinValueValidator(1), MaxValueValidator(6)]
    )
    mission = limited_text(_("mission"), 5, name="mission")
    # The code of one of the call's profiles (`SoughtProfile`): stable across label changes.
    profile = models.CharField(_("profil"), max_length=40)
    expertise = limited_text(_("expertises recherchées"), 3, name="expertise")
    pay_level = models.ForeignKey(
        "lifecycle.PayLevel",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="positions",
        verbose_name=_("niveau de rémunération"),
    )

    class Meta:
        ordering = ["challenge", "rank"]
        verbose_name = _("mission d’EIG")
        verbose_name_plural = _("missions des EIG")
        constraints = [models.UniqueConstraint(fields=["challenge", "rank"], name="eig_position_rank_unique")]

    def __str__(self):
        return f"EIG {self.rank} – {self.profile_label}"

    @property
    def profile_label(self) -> str:
        from lifecycle.profiles import label_of

        return label_of(self.challenge.promotion.call, self.profile) if self.challenge_id else self.profile

    def clean(self):
        from lifecycle.profiles import profile_problem

        if not self.challenge_id:
            return
        call = self.challenge.promotion.call
        errors = line_limit_errors(self, call)
        if self.profile and (problem := profile_problem(call, self.profile)):
            errors["profile"] = problem
        if self.pay_level_id and self.pay_level.call_id != call.pk:
            errors["pay_level"] = _("Ce niveau de rémunération n’est pas celui de l’appel du défi.")
        if errors:
            raise ValidationError(errors)


class TeamMember(models.Model):
    """A member of the project team, business or IT side."""

    challenge = models.ForeignKey(
        Challenge, on_delete=models.CASCADE, related_name="team_members", verbose_name=_("défi")
    )
    name = models.CharField(_("nom"), max_length=200, validators=[validate_single_line])
    function = models.CharField(_("fonction"), max_length=200)
    status = models.CharField(_("statut"), max_length=100, blank=True)
    involvement_percent = models.PositiveSmallIntegerField(
        _("implication (%)"), validators=[MaxValueValidator(100)]
    )
    contribution = models.TextField(_("apport"), blank=True, max_length=1000)

    class Meta:
        ordering = ["challenge", "id"]
        verbose_name = _("membre de l’équipe projet")
        verbose_name_plural = _("équipe projet")

    def __str__(self):
        return f"{self.name} ({self.function})"
