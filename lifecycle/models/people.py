from django.db import models
from django.utils.translation import gettext_lazy as _

from lifecycle.enums import ContactRole, MentorRole
from lifecycle.validators import validate_phone, validate_single_line

# The fields every person of a dossier has (mentors, contacts, recruited EIGs).
PERSON_FIELDS = ("first_name", "last_name", "email", "phone")


class Person(models.Model):
    first_name = models.CharField(_("prénom"), max_length=100, validators=[validate_single_line])
    last_name = models.CharField(_("nom"), max_length=100, validators=[validate_single_line])
    email = models.EmailField(_("e-mail professionnel"), blank=True)
    phone = models.CharField(
        _("téléphone professionnel"), max_length=30, blank=True, validators=[validate_phone]
    )

    class Meta:
        abstract = True

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class Mentor(Person):
    """The operational (day to day) or strategic (senior sponsor) mentor of a challenge."""

    challenge = models.ForeignKey(
        "lifecycle.Challenge", on_delete=models.CASCADE, related_name="mentors", verbose_name=_("défi")
    )
    role = models.CharField(_("rôle"), max_length=20, choices=MentorRole.choices)
    function = models.CharField(_("fonction"), max_length=200, blank=True)
    confirmed_at = models.DateTimeField(_("confirmé le"), null=True, blank=True)

    class Meta:
        ordering = ["challenge", "role"]
        verbose_name = _("mentor")
        verbose_name_plural = _("mentors")
        constraints = [models.UniqueConstraint(fields=["challenge", "role"], name="mentor_role_unique")]

    def __str__(self):
        return f"{self.full_name} ({self.get_role_display()})"


class Contact(Person):
    """The HR contact and the co-financing agreement contact of a challenge."""

    challenge = models.ForeignKey(
        "lifecycle.Challenge", on_delete=models.CASCADE, related_name="contacts", verbose_name=_("défi")
    )
    role = models.CharField(_("rôle"), max_length=20, choices=ContactRole.choices)

    class Meta:
        ordering = ["challenge", "role"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        constraints = [models.UniqueConstraint(fields=["challenge", "role"], name="contact_role_unique")]

    def __str__(self):
        return f"{self.full_name} ({self.get_role_display()})"


class Entrepreneur(Person):
    """An EIG recruited for a challenge."""

    challenge = models.ForeignKey(
        "lifecycle.Challenge",
        on_delete=models.PROTECT,
        related_name="entrepreneurs",
        verbose_name=_("défi"),
    )
    # The code of one of the call's profiles (`SoughtProfile`).
    profile = models.CharField(_("profil"), max_length=40)
    recruited_on = models.DateField(_("recruté·e le"), null=True, blank=True)

    class Meta:
        ordering = ["challenge", "last_name"]
        verbose_name = _("EIG recruté·e")
        verbose_name_plural = _("EIG recruté·e·s")

    def __str__(self):
        return self.full_name

    @property
    def profile_label(self) -> str:
        from lifecycle.profiles import label_of

        return label_of(self.challenge.promotion.call, self.profile)

    def clean(self):
        from django.core.exceptions import ValidationError

        from lifecycle.profiles import profile_problem

        if self.challenge_id and (problem := profile_problem(self.challenge.promotion.call, self.profile)):
            raise ValidationError({"profile": problem})
