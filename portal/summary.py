"""The dossier as read-only sections, one per step: the review step and a submitted dossier."""

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from lifecycle import financing
from lifecycle.enums import ContactRole, MentorRole
from lifecycle.models import Challenge
from portal.steps import STEPS

EMPTY = "—"


def _label(name, model=Challenge) -> str:
    label = str(model._meta.get_field(name).verbose_name)
    return label[:1].upper() + label[1:]


def _value(value) -> str:
    if value is None or value == "":
        return EMPTY
    if value is True:
        return _("Oui")
    if value is False:
        return _("Non")
    return str(value)


def _rows(challenge, names):
    return [(_label(name), _value(getattr(challenge, name))) for name in names]


def _money(amount) -> str:
    return EMPTY if amount is None else financing.format_euros(amount)


def _person_rows(person, with_function):
    if person is None:
        return [(_("Personne"), _("Non renseigné"))]
    rows = [
        (_("Prénom"), _value(person.first_name)),
        (_("Nom"), _value(person.last_name)),
        (_("E-mail professionnel"), _value(person.email)),
        (_("Téléphone professionnel"), _value(person.phone)),
    ]
    if with_function:
        rows.append((_("Fonction"), _value(person.function)))
    return rows


def sections(challenge) -> list[dict]:
    """[{slug, title, groups: [{title, rows: [(label, value)]}]}] in the steps' order."""
    partners = ", ".join(str(a) for a in challenge.partner_administrations.all()) or EMPTY
    administrative = [
        (_label("name"), challenge.name),
        (_label("administration"), str(challenge.administration)),
        (_label("address"), _value(challenge.address)),
        (_label("administrative_carrier"), _value(challenge.administrative_carrier)),
        (_label("partner_administrations"), partners),
    ]
    description = _rows(
        challenge, ["summary", "problem", "solution", "expected_benefits", "innovation_kinds", "progress"]
    )
    positions = [
        {
            "title": _("EIG n°%(rank)d") % {"rank": position.rank},
            "rows": [
                (_("Mission"), _value(position.mission)),
                (_("Profil"), position.get_profile_display() or EMPTY),
                (_("Expertises recherchées"), _value(position.expertise)),
            ],
        }
        for position in challenge.eig_positions.all()
    ] or [{"title": "", "rows": [(_("Missions"), _("Aucune mission décrite"))]}]
    team = [
        {
            "title": member.name,
            "rows": [
                (_("Fonction"), _value(member.function)),
                (_("Statut"), _value(member.status)),
                (_("Implication (%)"), f"{member.involvement_percent} %"),
                (_("Apport"), _value(member.contribution)),
            ],
        }
        for member in challenge.team_members.all()
    ] or [{"title": "", "rows": [(_("Équipe"), _("Aucun membre décrit"))]}]
    resources = _rows(
        challenge,
        [
            "technical_resources",
            "datasets",
            "datasets_accessible",
            "datasets_access_steps",
            "sustainability_actions",
            "obstacles",
            "motivation",
            "source_code_url",
            "attests_outside_walls",
            "attests_open_data_open_source",
            "attests_data_access",
        ],
    )
    money = [
        (_label("pia_requested"), _value(challenge.pia_requested)),
        (_label("total_employer_cost"), _money(challenge.total_employer_cost)),
        (_label("pia_amount"), _money(challenge.pia_amount)),
    ] + [(_("Simulation"), line) for line in financing.describe(challenge)]
    mentors = {mentor.role: mentor for mentor in challenge.mentors.all()}
    contacts = {contact.role: contact for contact in challenge.contacts.all()}
    people = [{"title": role.label, "rows": _person_rows(mentors.get(role), True)} for role in MentorRole] + [
        {"title": role.label, "rows": _person_rows(contacts.get(role), False)} for role in ContactRole
    ]
    if challenge.pitch_deck:
        pages = challenge.pitch_deck_pages
        deck = [
            (
                _("Fichier déposé"),
                _("%(name)s (%(pages)s diapositives)")
                % {
                    "name": challenge.pitch_deck.name.rsplit("/", 1)[-1],
                    "pages": number_format(pages) if pages else "?",
                },
            )
        ]
    else:
        deck = [(_("Fichier déposé"), _("Aucun"))]

    contents = {
        "administration": [{"title": "", "rows": administrative}],
        "description": [{"title": "", "rows": description}],
        "missions": positions,
        "equipe": team,
        "ressources": [{"title": "", "rows": resources}],
        "financement": [{"title": "", "rows": money}],
        "contacts": people,
        "presentation": [{"title": "", "rows": deck}],
    }
    return [
        {"slug": step.slug, "title": step.title, "groups": contents[step.slug]}
        for step in STEPS
        if step.slug in contents
    ]
