import secrets

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lifecycle.enums import MentorRole


class SessionStatus(models.TextChoices):
    PLANNED = "planned", _("Prévue")
    CANCELLED = "cancelled", _("Annulée")


class CohortSession(models.Model):
    """A session of a promotion (session de promotion), every two weeks while its EIGs are in post.

    Planned, moved, cancelled and added through `cohort.services`.
    """

    promotion = models.ForeignKey(
        "lifecycle.Promotion",
        on_delete=models.PROTECT,
        related_name="cohort_sessions",
        verbose_name=_("promotion"),
    )
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("début"))
    end_time = models.TimeField(_("fin"))
    place = models.CharField(_("lieu"), max_length=300, blank=True)
    title = models.CharField(_("intitulé"), max_length=200, blank=True)
    status = models.CharField(
        _("état"), max_length=20, choices=SessionStatus.choices, default=SessionStatus.PLANNED
    )
    # The date the fortnightly rhythm gave, and why the session left it (a public holiday, a manager).
    planned_on = models.DateField(_("date du calendrier"), null=True, blank=True)
    change_reason = models.CharField(_("motif du changement"), max_length=300, blank=True)
    # iCalendar SEQUENCE: raised at each change, so subscribed calendars take the new version.
    sequence = models.PositiveIntegerField(_("version"), default=0, editable=False)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    class Meta:
        ordering = ["promotion", "date", "start_time"]
        verbose_name = _("session de promotion")
        verbose_name_plural = _("sessions de promotion")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=models.F("start_time")), name="session_ends_after_start"
            )
        ]

    def __str__(self):
        return f"{self.promotion} – {self.date:%d/%m/%Y}"

    def clean(self):
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            raise ValidationError({"end_time": _("La fin doit suivre le début.")})


class Attendance(models.Model):
    """Whether an EIG or an operational mentor of the promotion attended a session."""

    session = models.ForeignKey(
        CohortSession, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("session")
    )
    entrepreneur = models.ForeignKey(
        "lifecycle.Entrepreneur",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attendances",
        verbose_name=_("EIG"),
    )
    mentor = models.ForeignKey(
        "lifecycle.Mentor",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attendances",
        limit_choices_to={"role": MentorRole.OPERATIONAL},
        verbose_name=_("mentor opérationnel"),
    )
    present = models.BooleanField(_("présent·e"), default=False)
    note = models.CharField(_("remarque"), max_length=300, blank=True)

    class Meta:
        ordering = ["session", "id"]
        verbose_name = _("présence")
        verbose_name_plural = _("feuille de présence")
        constraints = [
            models.CheckConstraint(
                condition=Q(entrepreneur__isnull=False, mentor__isnull=True)
                | Q(entrepreneur__isnull=True, mentor__isnull=False),
                name="attendance_of_one_person",
            ),
            models.UniqueConstraint(fields=["session", "entrepreneur"], name="attendance_once_per_eig"),
            models.UniqueConstraint(fields=["session", "mentor"], name="attendance_once_per_mentor"),
        ]

    def __str__(self):
        return f"{self.person} – {self.session}"

    @property
    def person(self):
        return self.entrepreneur or self.mentor

    def clean(self):
        if (self.entrepreneur_id is None) == (self.mentor_id is None):
            raise ValidationError(_("Indiquez soit un ou une EIG, soit un mentor opérationnel."))
        if self.mentor_id and self.mentor.role != MentorRole.OPERATIONAL:
            raise ValidationError({"mentor": _("Seuls les mentors opérationnels suivent les sessions.")})


def new_token() -> str:
    return secrets.token_urlsafe(24)


class CohortCalendar(models.Model):
    """The secret address of a promotion's iCalendar feed, for EIGs and mentors to subscribe to."""

    promotion = models.OneToOneField(
        "lifecycle.Promotion",
        on_delete=models.CASCADE,
        related_name="cohort_calendar",
        verbose_name=_("promotion"),
    )
    token = models.CharField(_("jeton secret"), max_length=64, unique=True, default=new_token)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("calendrier des sessions")
        verbose_name_plural = _("calendriers des sessions")

    def __str__(self):
        return str(self.promotion)
