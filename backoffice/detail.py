"""What the challenge page shows: the dossier by the official form's sections
(`lifecycle.dossier.sections`, as the portal shows them), the moves, the e-mails, the timeline."""

from django.utils.translation import gettext as _

from lifecycle import services
from lifecycle.dossier import sections, snapshot
from lifecycle.enums import AuditKind, ChallengeState, TransitionName


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
    return snapshot.key_label(name)


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
        "sections": sections.read(challenge, for_managers=True),
        "entrepreneurs": list(challenge.entrepreneurs.all()),
        "notifications": list(challenge.notifications.order_by("-created_at", "-id")),
        "timeline": timeline(challenge),
        "possible": [option for option in options if option.possible],
        "impossible": [option for option in options if not option.possible],
    }
