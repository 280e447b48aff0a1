from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from lifecycle.enums import label_of
from lifecycle.validators import validate_phone, validate_single_line
from recruitment import cv
from recruitment.enums import ApplicationState, Origin


class RecruitmentClosure(models.Model):
    """The candidates' call of a promotion was closed by its scheduled job: no more applications.

    One row per closing moment of the call (a call whose closing is moved later and closed again
    gets a second row); written once, by `recruitment.services.close_recruitment`.
    """

    call = models.ForeignKey(
        "lifecycle.Call",
        on_delete=models.CASCADE,
        related_name="recruitment_closures",
        verbose_name=_("appel à projets"),
    )
    closes_at = models.DateTimeField(_("clôture prévue par le calendrier"))
    recorded_at = models.DateTimeField(_("clôture enregistrée le"))

    class Meta:
        ordering = ["call", "closes_at"]
        verbose_name = _("clôture de l’appel à candidatures")
        verbose_name_plural = _("clôtures des appels à candidatures")
        constraints = [
            models.UniqueConstraint(fields=["call", "closes_at"], name="recruitment_closed_once_per_closing")
        ]

    def __str__(self):
        return f"{self.call} – {self.closes_at:%Y-%m-%d %H:%M}"


class EligibilityRule(models.Model):
    """A declaration the call's rules ask of every candidate ("I am not a civil servant in post"):
    data per call, the 2018 rules until a manager sets the call's own."""

    call = models.ForeignKey(
        "lifecycle.Call", on_delete=models.CASCADE, related_name="eligibility_rules", verbose_name=_("appel")
    )
    text = models.CharField(_("déclaration"), max_length=300, validators=[validate_single_line])
    rank = models.PositiveSmallIntegerField(_("ordre"), default=1)

    class Meta:
        ordering = ["call", "rank", "pk"]
        verbose_name = _("condition d’éligibilité")
        verbose_name_plural = _("conditions d’éligibilité")

    def __str__(self):
        return self.text


class CandidateCriterion(models.Model):
    """A criterion the programme and the mentors score applications on (the rules' article 6.1)."""

    call = models.ForeignKey(
        "lifecycle.Call", on_delete=models.CASCADE, related_name="candidate_criteria", verbose_name=_("appel")
    )
    name = models.CharField(_("critère"), max_length=200, validators=[validate_single_line])
    description = models.TextField(_("ce que l’on regarde"), blank=True)
    rank = models.PositiveSmallIntegerField(_("ordre"), default=1)

    class Meta:
        ordering = ["call", "rank", "pk"]
        verbose_name = _("critère de sélection des candidats")
        verbose_name_plural = _("critères de sélection des candidats")

    def __str__(self):
        return self.name


class Candidate(models.Model):
    """A person applying in a promotion's candidates' call: identity, profile, CV, links, the
    eligibility declarations; one per account and call. Written by `recruitment.candidacy` only;
    its personal fields are erased by `recruitment.retention` (docs/personal-data.md)."""

    call = models.ForeignKey(
        "lifecycle.Call", on_delete=models.PROTECT, related_name="candidates", verbose_name=_("appel")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="candidacies",
        verbose_name=_("compte"),
    )
    first_name = models.CharField(_("prénom"), max_length=100, blank=True, validators=[validate_single_line])
    last_name = models.CharField(_("nom"), max_length=100, blank=True, validators=[validate_single_line])
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True, validators=[validate_phone])
    # The code of one of the call's profiles (`SoughtProfile`).
    profile = models.CharField(_("profil"), max_length=40, blank=True)
    cv = models.FileField(_("CV"), upload_to=cv.stored_name, blank=True)
    cv_name = models.CharField(_("nom du CV"), max_length=150, blank=True)
    portfolio_url = models.URLField(_("portfolio ou site personnel"), blank=True)
    code_url = models.URLField(_("code (GitHub, GitLab…)"), blank=True)
    other_links = models.TextField(_("autres liens"), blank=True, help_text=_("Un lien par ligne."))
    # The ids of the call's `EligibilityRule`s the candidate declared true.
    declarations = models.JSONField(_("déclarations"), default=list, blank=True)
    language = models.CharField(
        _("langue des messages"), max_length=5, choices=settings.LANGUAGES, default="fr"
    )
    created_at = models.DateTimeField(_("créé le"))
    updated_at = models.DateTimeField(_("modifié le"))
    submitted_at = models.DateTimeField(_("déposée le"), null=True, blank=True)
    # The moment the last of its applications ended without a recruitment: the retention starts.
    results_at = models.DateTimeField(_("résultats le"), null=True, blank=True)
    erasure_requested_at = models.DateTimeField(_("effacement demandé le"), null=True, blank=True)
    erased_at = models.DateTimeField(_("données effacées le"), null=True, blank=True)
    entrepreneur = models.OneToOneField(
        "lifecycle.Entrepreneur",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="candidate",
        verbose_name=_("EIG recruté·e"),
    )

    class Meta:
        ordering = ["call", "last_name", "first_name", "pk"]
        verbose_name = _("candidat·e")
        verbose_name_plural = _("candidat·e·s")
        constraints = [
            models.UniqueConstraint(
                fields=["call", "user"],
                condition=models.Q(user__isnull=False),
                name="candidate_once_per_call",
            )
        ]
        indexes = [models.Index(fields=["call", "profile"]), models.Index(fields=["results_at"])]

    def __str__(self):
        if self.erased_at:
            return _("Candidat·e n°%(pk)s (données effacées)") % {"pk": self.pk}
        return f"{self.first_name} {self.last_name}".strip() or _("Candidat·e n°%(pk)s") % {"pk": self.pk}

    @property
    def full_name(self) -> str:
        return str(self)

    @property
    def reference(self) -> str:
        """How the audit trail names the candidate: never by their name."""
        return f"candidate:{self.pk}"


class Application(models.Model):
    """A candidate's application to one challenge: the motivation and the state, moved only by
    `recruitment.moves.transition` (the table of moves: `recruitment.workflow`)."""

    candidate = models.ForeignKey(
        Candidate, on_delete=models.CASCADE, related_name="applications", verbose_name=_("candidat·e")
    )
    challenge = models.ForeignKey(
        "lifecycle.Challenge", on_delete=models.PROTECT, related_name="applications", verbose_name=_("défi")
    )
    motivation = models.TextField(_("motivation"), blank=True)
    origin = models.CharField(_("origine"), max_length=20, choices=Origin.choices, default=Origin.CANDIDATE)
    state = models.CharField(
        _("état"), max_length=20, choices=ApplicationState.choices, default=ApplicationState.DRAFT
    )
    state_changed_at = models.DateTimeField(_("état depuis le"))
    created_at = models.DateTimeField(_("créée le"))
    interview_at = models.DateTimeField(_("entretien le"), null=True, blank=True)
    interview_minutes = models.PositiveSmallIntegerField(_("durée de l’entretien (minutes)"), default=45)
    interview_place = models.CharField(_("lieu ou lien de l’entretien"), max_length=300, blank=True)
    # The place in the ranking of the challenge's candidates of the same profile (1: first).
    rank = models.PositiveSmallIntegerField(_("rang"), null=True, blank=True)

    class Meta:
        ordering = ["challenge", "rank", "pk"]
        verbose_name = _("candidature à un défi")
        verbose_name_plural = _("candidatures aux défis")
        constraints = [
            models.UniqueConstraint(fields=["candidate", "challenge"], name="application_once_per_challenge")
        ]
        indexes = [models.Index(fields=["challenge", "state"]), models.Index(fields=["state"])]

    def __str__(self):
        return _("Candidature n°%(pk)s à « %(challenge)s »") % {"pk": self.pk, "challenge": self.challenge}

    def get_state_display(self):
        return label_of(ApplicationState, self.state)

    @property
    def reference(self) -> str:
        return f"application:{self.pk}"


class CandidateScore(models.Model):
    """A criterion of an application scored by one person (a manager or one of the challenge's
    operational mentors): each keeps their own grid."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="scores", verbose_name=_("candidature")
    )
    criterion = models.ForeignKey(
        CandidateCriterion, on_delete=models.PROTECT, related_name="scores", verbose_name=_("critère")
    )
    scorer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("noté par")
    )
    value = models.PositiveSmallIntegerField(_("note"), validators=[MinValueValidator(1)])
    updated_at = models.DateTimeField(_("noté le"))

    class Meta:
        ordering = ["application", "criterion__rank", "pk"]
        verbose_name = _("note d’une candidature")
        verbose_name_plural = _("notes des candidatures")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "criterion", "scorer"], name="candidate_score_once_per_scorer"
            )
        ]

    def __str__(self):
        return f"{self.criterion} — {self.application}"


class ApplicationComment(models.Model):
    """A comment of a manager or a mentor on an application: not on the candidate's pages, but in
    the download of their data (their right of access, `retention.export`)."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="comments", verbose_name=_("candidature")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("auteur")
    )
    text = models.TextField(_("commentaire"))
    created_at = models.DateTimeField(_("écrit le"))

    class Meta:
        ordering = ["application", "created_at", "pk"]
        verbose_name = _("commentaire sur une candidature")
        verbose_name_plural = _("commentaires sur les candidatures")

    def __str__(self):
        return f"{self.application} — {self.created_at:%Y-%m-%d}"
