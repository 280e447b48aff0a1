from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from lifecycle.enums import AdministrationKind
from lifecycle.validators import validate_single_line


class Administration(models.Model):
    """An administration carrying or partnering in challenges."""

    name = models.CharField(_("nom"), max_length=300, unique=True, validators=[validate_single_line])
    kind = models.CharField(_("nature"), max_length=32, choices=AdministrationKind.choices)
    ministry = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="operators",
        limit_choices_to={"kind": AdministrationKind.MINISTRY},
        verbose_name=_("ministère de rattachement"),
    )
    website = models.URLField(_("site web"), blank=True)
    address = models.TextField(_("adresse"), blank=True)
    siret = models.CharField(
        _("SIRET"),
        max_length=14,
        blank=True,
        validators=[RegexValidator(r"^\d{14}$", _("Un SIRET compte 14 chiffres."))],
    )
    acronyms = models.CharField(
        _("sigles"),
        max_length=200,
        blank=True,
        validators=[validate_single_line],
        help_text=_("Séparés par des virgules (ex. « MINARM, MinArm ») : l’import les reconnaît."),
    )
    budget_programme = models.CharField(
        _("programme budgétaire"),
        max_length=100,
        blank=True,
        validators=[validate_single_line],
        help_text=_("Ex. « P129 » ; certains appels ne co-financent qu’une administration qui en porte un."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("administration")
        verbose_name_plural = _("administrations")
        constraints = [
            models.UniqueConstraint(
                fields=["siret"], condition=~models.Q(siret=""), name="administration_siret_unique"
            )
        ]

    def __str__(self):
        return self.name

    @property
    def acronym_list(self) -> list[str]:
        return [part.strip() for part in self.acronyms.split(",") if part.strip()]

    def clean(self):
        if self.kind == AdministrationKind.MINISTRY_OPERATOR and not self.ministry_id:
            raise ValidationError(
                {"ministry": _("Un opérateur doit indiquer son ministère de rattachement.")}
            )
        if self.ministry_id and self.ministry_id == self.pk:
            raise ValidationError({"ministry": _("Une administration ne peut se rattacher à elle-même.")})
