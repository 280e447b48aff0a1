"""The placeholders a message template may use, and the checks and rendering of templates.

Templates use `{name}` placeholders from a fixed list: no attribute access, no format spec, so a
template edited by a manager can neither reach into objects nor fail when a mail is sent.
"""

import string

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from lifecycle import calendar, clock, corrections
from lifecycle.enums import ChallengeState

PLACEHOLDERS = {
    "challenge": gettext_lazy("nom du défi"),
    "administration": gettext_lazy("administration porteuse"),
    "promotion": gettext_lazy("promotion (ex. EIG 3)"),
    "state": gettext_lazy("état du défi"),
    "reason": gettext_lazy("motif de la décision"),
    "submission_deadline": gettext_lazy("date limite de dépôt"),
    "jury_date": gettext_lazy("date du jury"),
    "recruitment_opens": gettext_lazy("ouverture de l’appel à candidatures"),
    "recruitment_closes": gettext_lazy("clôture de l’appel à candidatures"),
    "start_date": gettext_lazy("arrivée des EIG"),
    "duration": gettext_lazy("durée du défi (ex. « 10 mois »)"),
    "max_slides": gettext_lazy("nombre maximal de diapositives du pitch"),
    "recruitment_call": gettext_lazy(
        "où en est l’appel à candidatures, en une phrase (ouvrira le…, ouvert jusqu’au…, clos depuis le…)"
    ),
    "case_url": gettext_lazy("lien vers le dossier"),
    "days_left": gettext_lazy("jours restant avant la date limite (rappels)"),
    # Given by the sender of the message (see CONTEXT_PLACEHOLDERS); empty for other events.
    "task": gettext_lazy("tâche à traiter (relances)"),
    "task_url": gettext_lazy("lien vers la tâche (relances)"),
    "session_date": gettext_lazy("date et heure de la session de promotion"),
    "session_place": gettext_lazy("lieu de la session de promotion"),
    "calendar_url": gettext_lazy("lien d’abonnement au calendrier des sessions"),
    "corrections_due": gettext_lazy("date limite pour déposer le dossier corrigé (demande de corrections)"),
    "corrections_sections": gettext_lazy("parties du dossier à corriger (demande de corrections)"),
    "author": gettext_lazy("auteur·rice du message (messagerie)"),
    "message": gettext_lazy("texte du message (messagerie)"),
    "backoffice_url": gettext_lazy("lien vers le dossier dans l’espace de gestion (messagerie)"),
    "slot_date": gettext_lazy("date et heures de l’audition devant le jury"),
    "slot_place": gettext_lazy("salle ou lien de visioconférence de l’audition"),
    "candidate": gettext_lazy("prénom et nom du·de la candidat·e (appel à candidatures)"),
    "interview_date": gettext_lazy("date et heures de l’entretien du·de la candidat·e"),
    "interview_place": gettext_lazy("lieu ou lien de l’entretien du·de la candidat·e"),
    "candidate_url": gettext_lazy("lien vers l’espace du·de la candidat·e"),
}
# The placeholders whose values come with the message (`outbox.queue(..., context=…)`), not from the case.
CONTEXT_PLACEHOLDERS = [
    "task",
    "task_url",
    "session_date",
    "session_place",
    "calendar_url",
    "author",
    "message",
    "backoffice_url",
    "slot_date",
    "slot_place",
    "candidate",
    "interview_date",
    "interview_place",
    "candidate_url",
]


def check(text: str) -> list[str]:
    """The problems of a template text; none means it renders with any case."""
    try:
        fields = [
            (name, spec, conversion)
            for _literal, name, spec, conversion in string.Formatter().parse(text)
            if name is not None
        ]
    except ValueError:
        return [_("Accolade mal fermée : écrivez {variable}, et {{ ou }} pour une accolade seule.")]
    problems = []
    for name, spec, conversion in fields:
        if name not in PLACEHOLDERS:
            problems.append(
                _("Variable inconnue : {%(name)s}. Variables possibles : %(known)s.")
                % {"name": name, "known": ", ".join(f"{{{known}}}" for known in PLACEHOLDERS)}
            )
        elif spec or conversion:
            problems.append(_("La variable {%(name)s} ne prend pas de format.") % {"name": name})
    return problems


def validate(text: str):
    problems = check(text)
    if problems:
        raise ValidationError(problems)


def _moment(value, language):
    if value is None:
        return _("(date à préciser)")
    if hasattr(value, "hour"):
        return date_format(timezone.localtime(value), "j F Y, H:i")
    return date_format(value, "j F Y")


def _recruitment_call(call) -> str:
    """The candidates' call as it stands when the message is written (a selection may come
    before its opening, while it is open, or after its closing)."""
    stage = calendar.candidates_call_stage(call, clock.now())
    opens, closes = call.recruitment_opens_at, call.recruitment_closes_at
    if stage == calendar.UNSET:
        return _("La date de l’appel à candidatures qui recrutera les EIG sera annoncée.")
    if stage == calendar.BEFORE:
        return _("L’appel à candidatures qui recrutera les EIG ouvrira le %(date)s.") % {
            "date": calendar.label(opens)
        }
    if stage == calendar.CLOSED:
        return _("L’appel à candidatures public est clos depuis le %(date)s.") % {
            "date": calendar.deadline_label(closes)
        }
    if closes is None:
        return _("L’appel à candidatures qui recrute les EIG est ouvert.")
    return _("L’appel à candidatures qui recrute les EIG est ouvert jusqu’au %(date)s.") % {
        "date": calendar.deadline_label(closes)
    }


def _deadline(value):
    """The deadline as the portal and the guards announce it (`lifecycle.calendar`)."""
    if value is None:
        return _("(date à préciser)")
    return calendar.deadline_label(value)


def case_url(challenge) -> str:
    """The dossier's page in the administrations' portal: the messages go to the administration."""
    path = reverse("portal:dossier", args=[challenge.pk])
    return settings.SITE_URL.rstrip("/") + path


def values_for(
    challenge, *, language: str, reason: str = "", days_left: int | None = None, context: dict | None = None
) -> dict:
    call = challenge.promotion.call
    with translation.override(language):
        # Read in the recipient's language: a lazy value (a date in words) is written in theirs.
        given = {name: str((context or {}).get(name, "")) for name in CONTEXT_PLACEHOLDERS}
        return {
            **given,
            "challenge": challenge.name,
            "administration": str(challenge.administration),
            "promotion": str(challenge.promotion),
            "state": str(ChallengeState(challenge.state).label),
            "reason": reason,
            "submission_deadline": _deadline(call.submission_deadline),
            "jury_date": _moment(call.jury_starts_on, language),
            "recruitment_opens": _moment(call.recruitment_opens_at, language),
            "recruitment_closes": _moment(call.recruitment_closes_at, language),
            "start_date": _moment(call.starts_on, language),
            "duration": ngettext("%(months)d mois", "%(months)d mois", call.duration_months)
            % {"months": call.duration_months},
            "max_slides": str(call.max_pitch_slides),
            "recruitment_call": _recruitment_call(call),
            "case_url": case_url(challenge),
            "days_left": "" if days_left is None else str(days_left),
            "corrections_due": corrections.due_label(challenge),
            "corrections_sections": corrections.sections_label(challenge),
        }


def render(text: str, values: dict) -> str:
    return text.format_map(values)
