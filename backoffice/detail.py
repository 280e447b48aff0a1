"""What the challenge page shows: the dossier by the official form's sections, the timeline."""

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _

from lifecycle import financing, services
from lifecycle.enums import AuditKind, ChallengeState, TransitionName
from lifecycle.models import Challenge


def _display(value) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if value is True:
        return _("Oui")
    if value is False:
        return _("Non")
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def _field_label(name) -> str:
    try:
        return str(Challenge._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


def _rows(challenge, names):
    rows = []
    for name in names:
        field = Challenge._meta.get_field(name)
        value = getattr(challenge, f"get_{name}_display")() if field.choices else getattr(challenge, name)
        if name in ("total_employer_cost", "pia_amount") and value is not None:
            value = financing.format_euros(value)
        rows.append({"label": str(field.verbose_name), "value": _display(value)})
    return rows


def dossier_sections(challenge) -> list[dict]:
    partners = ", ".join(str(item) for item in challenge.partner_administrations.all())
    administrative = _rows(challenge, ["administration", "administrative_carrier", "address"])
    administrative.insert(1, {"label": _("Nature"), "value": challenge.administration.get_kind_display()})
    administrative.append({"label": _("Administrations partenaires"), "value": partners or "—"})
    return [
        {"id": "informations", "title": _("Informations administratives"), "rows": administrative},
        {
            "id": "description",
            "title": _("Description du défi"),
            "rows": _rows(
                challenge,
                [
                    "name",
                    "summary",
                    "public_description",
                    "problem",
                    "solution",
                    "expected_benefits",
                    "innovation_kinds",
                    "progress",
                    "source_code_url",
                ],
            ),
        },
        {"id": "missions", "title": _("Missions et profils des EIG"), "rows": [], "positions": True},
        {"id": "equipe", "title": _("Équipe projet"), "rows": [], "team": True},
        {
            "id": "ressources",
            "title": _("Ressources et données"),
            "rows": _rows(
                challenge, ["technical_resources", "datasets", "datasets_accessible", "datasets_access_steps"]
            ),
        },
        {
            "id": "perennite",
            "title": _("Pérennité, obstacles et motivation"),
            "rows": _rows(challenge, ["sustainability_actions", "obstacles", "motivation"]),
        },
        {
            "id": "attestations",
            "title": _("Attestations"),
            "rows": _rows(
                challenge, ["attests_outside_walls", "attests_open_data_open_source", "attests_data_access"]
            ),
        },
        {
            "id": "financement",
            "title": _("Financement"),
            "rows": _rows(challenge, ["pia_requested", "total_employer_cost", "pia_amount"]),
            "simulation": financing.describe(challenge),
        },
    ]


def _state_label(value) -> str:
    if not value:
        return ""
    try:
        return str(ChallengeState(value).label)
    except ValueError:
        return value


def timeline(challenge) -> list[dict]:
    entries = []
    for event in challenge.audit_events.order_by("id"):
        title = event.get_kind_display()
        if event.kind == AuditKind.TRANSITION and event.transition:
            try:
                title = TransitionName(event.transition).label
            except ValueError:
                title = event.transition
        changes = [
            {"field": _field_label(name), "old": _display(values[0]), "new": _display(values[1])}
            for name, values in sorted((event.changes or {}).items())
            if isinstance(values, list) and len(values) == 2
        ]
        entries.append(
            {
                "event": event,
                "title": title,
                "from_state": _state_label(event.from_state),
                "to_state": _state_label(event.to_state),
                "changes": changes,
            }
        )
    return entries


def challenge_context(challenge, user) -> dict:
    options = services.transition_options(challenge, by=user)
    return {
        "title": challenge.name,
        "challenge": challenge,
        "state_label": ChallengeState(challenge.state).label,
        "sections": dossier_sections(challenge),
        "positions": list(challenge.eig_positions.all()),
        "team": list(challenge.team_members.all()),
        "mentors": list(challenge.mentors.all()),
        "contacts": list(challenge.contacts.all()),
        "entrepreneurs": list(challenge.entrepreneurs.all()),
        "notifications": list(challenge.notifications.order_by("-created_at", "-id")),
        "timeline": timeline(challenge),
        "possible": [option for option in options if option.possible],
        "impossible": [option for option in options if not option.possible],
    }
