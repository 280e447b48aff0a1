"""What open data keeps: the columns a manager chose, the resources of the data.gouv.fr dataset
our files went to, and each publication. Written by `opendata.selection` and `opendata.publish`
only, each change audited."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from opendata import fields


class PublishedFields(models.Model):
    """The columns published, one choice for the whole programme: every promotion's challenges
    go to one dataset, whose files have one schema. One row (absent: the default selection)."""

    names = models.JSONField(_("colonnes publiées"), default=fields.default_selection)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("colonnes publiées en données ouvertes")
        verbose_name_plural = _("colonnes publiées en données ouvertes")
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="opendata_publishedfields_single_row")
        ]

    def __str__(self):
        return ", ".join(self.names)

    def clean(self):
        unknown = [name for name in self.names if name not in fields.BY_NAME]
        if unknown:
            raise ValidationError(
                {
                    "names": _("Colonnes inconnues, jamais publiées : %(names)s.")
                    % {"names": ", ".join(unknown)}
                }
            )


class RemoteResource(models.Model):
    """A resource of the data.gouv.fr dataset that holds one of our files: kept as soon as
    data.gouv.fr creates it, so that the next publication replaces its file instead of adding
    a resource, even after a publication that failed halfway."""

    dataset_id = models.CharField(_("jeu de données"), max_length=100)
    filename = models.CharField(_("fichier"), max_length=200)
    resource_id = models.CharField(_("ressource"), max_length=100)
    url = models.URLField(_("adresse du fichier"), max_length=500, blank=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    class Meta:
        verbose_name = _("ressource data.gouv.fr")
        verbose_name_plural = _("ressources data.gouv.fr")
        constraints = [
            models.UniqueConstraint(fields=["dataset_id", "filename"], name="opendata_resource_per_file")
        ]

    def __str__(self):
        return f"{self.filename} → {self.resource_id}"


class Publication(models.Model):
    """A publication to data.gouv.fr where every file went up (a failed one records nothing)."""

    published_at = models.DateTimeField(_("publiée le"), db_index=True)
    # None: the system (a scheduled or command-line publication without an author).
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("par"),
    )
    dataset_id = models.CharField(_("jeu de données"), max_length=100)
    dataset_url = models.URLField(_("page du jeu de données"), max_length=500, blank=True)
    challenge_count = models.PositiveIntegerField(_("défis publiés"))
    columns = models.JSONField(_("colonnes publiées"), default=list)
    # [{"filename", "resource_id", "url", "created": bool, "bytes"}], in the order they went up.
    files = models.JSONField(_("fichiers"), default=list)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("publication en données ouvertes")
        verbose_name_plural = _("publications en données ouvertes")

    def __str__(self):
        return f"{self.published_at:%Y-%m-%d %H:%M} – {self.challenge_count}"
