"""Where each role lands and which sections its menu shows."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.enums import Role
from lifecycle import rules


def home_url(user) -> str:
    if rules.is_programme_manager(user):
        return reverse("backoffice:dashboard")
    if rules.is_auditor(user):
        return reverse("backoffice:audit")
    if rules.role_of(user) == Role.ADMINISTRATION_CONTACT:
        return reverse("portal:dossiers")
    if rules.is_jury_member(user):
        return reverse("jury:home")
    if rules.role_of(user) == Role.MENTOR:
        return reverse("mentor:applications")
    if rules.role_of(user) == Role.CANDIDATE:
        return reverse("candidates:space")
    return reverse("web:space")


def menu(user, path: str) -> list[dict]:
    items = []
    if rules.is_programme_manager(user):
        items += [
            (_("Tableau de bord"), reverse("backoffice:dashboard")),
            (_("Défis"), reverse("backoffice:challenges")),
            (_("E-mails retenus"), reverse("backoffice:held_mails")),
            (_("Jury"), reverse("jury:overview")),
            (_("Candidatures"), reverse("applications:list")),
            (_("Promotions"), reverse("backoffice:promotions")),
            (_("Démarches"), reverse("demarches:list")),
            (_("Données ouvertes"), reverse("opendata:manage")),
            (_("Personnes"), reverse("backoffice:people")),
            (_("Mes tâches"), reverse("mentoring:inbox")),
        ]
    if rules.can_view_audit_trail(user):
        items.append((_("Journal d’audit"), reverse("backoffice:audit")))
    if rules.role_of(user) == Role.ADMINISTRATION_CONTACT:
        items.append((_("Mes dossiers"), reverse("portal:dossiers")))
    if rules.is_programme_manager(user) or rules.is_auditor(user) or rules.is_administration_contact(user):
        items.append((_("API"), reverse("api_tokens")))
    if rules.is_programme_manager(user) or rules.is_administration_contact(user):
        items.append((_("Webhooks"), reverse("webhooks:list")))
    if rules.is_jury_member(user):
        items += [
            (_("Mes auditions"), reverse("jury:home")),
            (_("Ma grille générale"), reverse("jury:general_grid")),
            (_("Mes conflits d’intérêts"), reverse("jury:conflicts")),
        ]
    if rules.role_of(user) == Role.MENTOR:
        items.append((_("Candidatures à mes défis"), reverse("mentor:applications")))
    if rules.role_of(user) == Role.CANDIDATE:
        items.append((_("Ma candidature"), reverse("candidates:space")))
    # The longest section the page belongs to is the current one (the dashboard is a prefix of all).
    current = max((url for _label, url in items if path.startswith(url)), key=len, default=None)
    return [{"label": label, "url": url, "current": url == current} for label, url in items]
