"""What the challenge page shows: the dossier by the official form's sections
(`lifecycle.dossier.sections`, as the portal shows them), the moves, the e-mails, the timeline (the
trail's events as people read them: `backoffice.trail`), and the page's own menu of its sections."""

from django.utils.translation import gettext as _

from backoffice import queries, trail
from jury import summary as jury_summary
from lifecycle import corrections, services
from lifecycle.dossier import sections
from lifecycle.enums import ChallengeState


def _title(event) -> str:
    """A move is named by itself ("Présélectionner"), any other event by its kind."""
    return queries.transition_label(event.transition) if event.transition else event.get_kind_display()


def timeline(challenge) -> list[dict]:
    events = list(challenge.audit_events.order_by("id"))
    reader = trail.Reader(events)
    return [
        {
            "event": event,
            "title": _title(event),
            "subject": reader.subject(event),
            "from_state": trail.state_label(event.from_state),
            "to_state": trail.state_label(event.to_state),
            "changes": reader.changes(event),
        }
        for event in events
    ]


def page_menu(challenge, dossier_sections, *, hearing=None) -> list[dict]:
    """The page's sections, in its order, for its side menu: [{label, link, children?}]."""
    items = [{"label": _("Actions"), "link": "#actions"}]
    if challenge.state in corrections.CONCERNED_STATES:  # the panel of templatetags/corrections.py
        items.append({"label": _("Corrections"), "link": "#corrections"})
    items += [
        {
            "label": _("Dossier"),
            "link": "#dossier",
            "children": [
                {"label": str(section["title"]), "link": f"#section-{section['slug']}"}
                for section in dossier_sections
            ],
        },
        {"label": _("Documents"), "link": "#documents"},
    ]
    if hearing:  # the jury's part (jury.summary.of_case)
        items.append({"label": _("Jury"), "link": "#jury"})
    items += [
        {"label": _("EIG recruté·e·s"), "link": "#people"},
        {"label": _("Messagerie"), "link": "#messages"},
        {"label": _("E-mails"), "link": "#mails"},
        {"label": _("Historique"), "link": "#timeline"},
    ]
    return items


def challenge_context(challenge, user) -> dict:
    options = services.transition_options(challenge, by=user)
    dossier_sections = sections.read(challenge, for_managers=True)
    hearing = jury_summary.of_case(challenge)
    return {
        "title": challenge.name,
        "challenge": challenge,
        "state_label": ChallengeState(challenge.state).label,
        "sections": dossier_sections,
        "page_menu": page_menu(challenge, dossier_sections, hearing=hearing),
        "hearing": hearing,
        "entrepreneurs": list(challenge.entrepreneurs.all()),
        "notifications": list(challenge.notifications.order_by("-created_at", "-id")),
        "timeline": timeline(challenge),
        "possible": [option for option in options if option.possible],
        "impossible": [option for option in options if not option.possible],
    }
