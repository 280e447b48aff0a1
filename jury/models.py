"""The jury of a promotion's call: its members, sub-juries, pitch slots, conflicts of interest,
the collective grids and the members' general grids. Slim rows: every change goes through
`jury.services`, which checks the rules and audits it."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from jury.enums import MemberKind
from lifecycle.validators import validate_single_line


class Jury(models.Model):
    """The jury that hears a promotion's pitched challenges; closed once, by a manager."""

    promotion = models.OneToOneField(
        "lifecycle.Promotion", on_delete=models.CASCADE, related_name="jury", verbose_name=_("promotion")
    )
    closed_at = models.DateTimeField(_("clos le"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("clos par"),
    )

    class Meta:
        verbose_name = _("jury")
        verbose_name_plural = _("jurys")

    def __str__(self):
        return _("Jury de la promotion %(promotion)s") % {"promotion": self.promotion}

    @property
    def closed(self) -> bool:
        return self.closed_at is not None


class JuryMember(models.Model):
    """A person who sits on the jury: invited by e-mail (`invitation`), an account once they
    accept it (`user`)."""

    jury = models.ForeignKey(Jury, on_delete=models.CASCADE, related_name="members", verbose_name=_("jury"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="jury_seats",
        verbose_name=_("compte"),
    )
    invitation = models.ForeignKey(
        "accounts.Invitation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="jury_seats",
        verbose_name=_("invitation"),
    )
    first_name = models.CharField(_("prénom"), max_length=150, validators=[validate_single_line])
    last_name = models.CharField(_("nom"), max_length=150, validators=[validate_single_line])
    email = models.EmailField(_("adresse e-mail"), max_length=150)
    kind = models.CharField(_("profil"), max_length=20, choices=MemberKind.choices)
    organisation = models.CharField(
        _("fonction et organisation"), max_length=300, blank=True, validators=[validate_single_line]
    )

    class Meta:
        ordering = ["jury", "last_name", "first_name", "pk"]
        verbose_name = _("membre du jury")
        verbose_name_plural = _("membres du jury")
        constraints = [models.UniqueConstraint(fields=["jury", "email"], name="jury_member_once_per_jury")]

    def __str__(self):
        return f"{self.first_name} {self.last_name}".strip()


class SubJury(models.Model):
    """A group of members hearing a few pitched challenges together (their pitch slots)."""

    jury = models.ForeignKey(
        Jury, on_delete=models.CASCADE, related_name="sub_juries", verbose_name=_("jury")
    )
    name = models.CharField(_("nom"), max_length=100, validators=[validate_single_line])
    members = models.ManyToManyField(
        JuryMember, related_name="sub_juries", blank=True, verbose_name=_("membres")
    )

    class Meta:
        ordering = ["jury", "name", "pk"]
        verbose_name = _("sous-jury")
        verbose_name_plural = _("sous-jurys")
        constraints = [models.UniqueConstraint(fields=["jury", "name"], name="sub_jury_name_unique")]

    def __str__(self):
        return self.name


class PitchSlot(models.Model):
    """When and where a pitched challenge is heard, by which sub-jury: one slot per challenge."""

    challenge = models.OneToOneField(
        "lifecycle.Challenge", on_delete=models.CASCADE, related_name="pitch_slot", verbose_name=_("défi")
    )
    sub_jury = models.ForeignKey(
        SubJury, on_delete=models.PROTECT, related_name="slots", verbose_name=_("sous-jury")
    )
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"))
    place = models.CharField(_("salle"), max_length=200, blank=True, validators=[validate_single_line])
    video_link = models.URLField(_("lien de visioconférence"), max_length=500, blank=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("audition")
        verbose_name_plural = _("auditions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="slot_ends_after"
            )
        ]

    def __str__(self):
        return str(self.challenge)


class Conflict(models.Model):
    """A member's conflict of interest with a challenge (declared by the member or recorded by a
    manager): the member never hears, reads or scores it."""

    member = models.ForeignKey(
        JuryMember, on_delete=models.CASCADE, related_name="conflicts", verbose_name=_("membre")
    )
    challenge = models.ForeignKey(
        "lifecycle.Challenge", on_delete=models.CASCADE, related_name="jury_conflicts", verbose_name=_("défi")
    )
    reason = models.TextField(_("motif"))
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("déclaré par")
    )
    declared_at = models.DateTimeField(_("déclaré le"))

    class Meta:
        ordering = ["declared_at", "pk"]
        verbose_name = _("conflit d’intérêts")
        verbose_name_plural = _("conflits d’intérêts")
        constraints = [models.UniqueConstraint(fields=["member", "challenge"], name="conflict_once")]

    def __str__(self):
        return f"{self.member} — {self.challenge}"


class Score(models.Model):
    """A criterion of a challenge's collective grid, scored by the sub-jury that heard it."""

    challenge = models.ForeignKey(
        "lifecycle.Challenge", on_delete=models.CASCADE, related_name="jury_scores", verbose_name=_("défi")
    )
    criterion = models.ForeignKey(
        "lifecycle.SelectionCriterion",
        on_delete=models.PROTECT,
        related_name="scores",
        verbose_name=_("critère"),
    )
    value = models.PositiveSmallIntegerField(_("note"), validators=[MinValueValidator(1)])
    comment = models.TextField(_("commentaire"), blank=True)
    updated_at = models.DateTimeField(_("noté le"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("noté par")
    )

    class Meta:
        ordering = ["challenge", "criterion__rank", "pk"]
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        constraints = [models.UniqueConstraint(fields=["challenge", "criterion"], name="score_once")]

    def __str__(self):
        # Not its value: the trail names the score an event changed, whose value was another then.
        return f"{self.criterion} — {self.challenge}"


class Opinion(models.Model):
    """A member's general grid, one row per challenge they heard: favourable or not, their
    preference rank among them (1: preferred), a short explanation, maybe their coup de coeur."""

    member = models.ForeignKey(
        JuryMember, on_delete=models.CASCADE, related_name="opinions", verbose_name=_("membre")
    )
    challenge = models.ForeignKey(
        "lifecycle.Challenge", on_delete=models.CASCADE, related_name="jury_opinions", verbose_name=_("défi")
    )
    favourable = models.BooleanField(_("avis favorable"))
    preference = models.PositiveSmallIntegerField(_("rang de préférence"), validators=[MinValueValidator(1)])
    explanation = models.TextField(_("explication"))
    favourite = models.BooleanField(_("coup de cœur"), default=False)
    updated_at = models.DateTimeField(_("donné le"))

    class Meta:
        ordering = ["member", "preference", "pk"]
        verbose_name = _("avis")
        verbose_name_plural = _("avis")
        constraints = [models.UniqueConstraint(fields=["member", "challenge"], name="opinion_once")]

    def __str__(self):
        return f"{self.member} — {self.challenge}"
