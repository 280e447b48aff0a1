from django.db import models
from django.utils.translation import gettext_lazy as _


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
