"""The sections of the official form, declared once.

The portal's steps (their order, titles and forms' fields), its summary and the back office's
case page are all built from `SECTIONS`; `read` gives a section's content as labelled rows.
"""

from dataclasses import dataclass

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lifecycle import financing, richtext
from lifecycle.dossier.rules import ATTESTATIONS
from lifecycle.enums import ContactRole, MentorRole
from lifecycle.models import Challenge

EMPTY = "—"


class Kind:
    FIELDS = "fields"  # fields of the challenge itself
    POSITIONS = "positions"  # the EIGs sought, one row each
    TEAM = "team"  # the project team
    PEOPLE = "people"  # the two mentors and the two contacts
    PITCH_DECK = "pitch_deck"  # the PDF


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    kind: str = Kind.FIELDS
    fields: tuple[str, ...] = ()

    @property
    def attestations(self) -> tuple[str, ...]:
        return tuple(name for name in self.fields if name in ATTESTATIONS)


SECTIONS = [
    Section(
        "administration",
        gettext_lazy("Informations administratives"),
        fields=("name", "address", "administrative_carrier", "partner_administrations"),
    ),
    Section(
        "description",
        gettext_lazy("Description du défi"),
        fields=(
            "summary",
            "public_description",
            "problem",
            "solution",
            "expected_benefits",
            "innovation_kinds",
            "progress",
        ),
    ),
    Section("missions", gettext_lazy("Missions et profils des EIG"), Kind.POSITIONS),
    Section("equipe", gettext_lazy("Équipe projet"), Kind.TEAM),
    Section(
        "ressources",
        gettext_lazy("Ressources et données"),
        fields=(
            "technical_resources",
            "datasets",
            "datasets_accessible",
            "datasets_access_steps",
            "sustainability_actions",
            "obstacles",
            "motivation",
            "source_code_url",
            *ATTESTATIONS,
        ),
    ),
    Section(
        "financement",
        gettext_lazy("Simulation financière"),
        fields=("cofinancing_requested", "total_employer_cost", "cofinancing_amount"),
    ),
    Section("contacts", gettext_lazy("Mentors et contacts"), Kind.PEOPLE),
    Section("presentation", gettext_lazy("Présentation de synthèse"), Kind.PITCH_DECK),
]
BY_SLUG = {section.slug: section for section in SECTIONS}
# The challenge's own fields the form asks for, in its order.
FORM_FIELDS = tuple(name for section in SECTIONS if section.kind == Kind.FIELDS for name in section.fields)
# The dossier's people: (form prefix, model name, role).
PEOPLE = [
    ("operational", "mentor", MentorRole.OPERATIONAL),
    ("strategic", "mentor", MentorRole.STRATEGIC),
    ("hr", "contact", ContactRole.HR),
    ("pia_agreement", "contact", ContactRole.PIA_AGREEMENT),
]


def section(slug: str) -> Section:
    return BY_SLUG[slug]


SECTION_OF_FIELD = {name: item.slug for item in SECTIONS for name in item.fields}


def section_of_field(name: str) -> str:
    """The slug of the section that asks for the challenge's field `name` ("" if none does)."""
    return SECTION_OF_FIELD.get(name, "")


# Reading a section ---------------------------------------------------------------------------------


def label(name, model=Challenge) -> str:
    text = str(model._meta.get_field(name).verbose_name)
    return text[:1].upper() + text[1:]


def display(value) -> str:
    if value is None or value == "" or value == []:
        return EMPTY
    if value is True:
        return _("Oui")
    if value is False:
        return _("Non")
    return str(value)


def _field_value(challenge, name) -> str:
    if name == "partner_administrations":
        return ", ".join(str(a) for a in challenge.partner_administrations.all()) or EMPTY
    if name in ("total_employer_cost", "cofinancing_amount"):
        amount = getattr(challenge, name)
        return EMPTY if amount is None else financing.format_euros(amount)
    if name == "public_description":  # Markdown, as on the programme's site: sanitised HTML
        return richtext.to_html(challenge.public_description) or EMPTY
    field = Challenge._meta.get_field(name)
    if field.choices:
        return display(getattr(challenge, f"get_{name}_display")())
    return display(getattr(challenge, name))


def _person_rows(person, *, mentor: bool, for_managers: bool):
    if person is None:
        return [(_("Personne"), _("Non renseigné"))]
    rows = [
        (_("Prénom"), display(person.first_name)),
        (_("Nom"), display(person.last_name)),
        (_("E-mail professionnel"), display(person.email)),
        (_("Téléphone professionnel"), display(person.phone)),
    ]
    if mentor:
        rows.append((_("Fonction"), display(person.function)))
        if for_managers:
            confirmed = (
                _("confirmé le %(date)s") % {"date": date_format(person.confirmed_at, "j F Y")}
                if person.confirmed_at
                else _("non confirmé")
            )
            rows.append((_("Confirmation"), confirmed))
    return rows


def _groups(challenge, section: Section, *, for_managers: bool) -> list[dict]:
    if section.kind == Kind.FIELDS:
        rows = [(label(name), _field_value(challenge, name)) for name in section.fields]
        if section.slug == "administration":
            carrier = [(label("administration"), str(challenge.administration))]
            if for_managers:
                carrier.append((_("Nature"), challenge.administration.get_kind_display()))
                manager = challenge.manager
                carrier.append(
                    (
                        label("manager"),
                        (manager.get_full_name() or manager.get_username()) if manager else EMPTY,
                    )
                )
            rows = rows[:1] + carrier + rows[1:]
        if section.slug == "financement":
            rows += [(_("Simulation"), line) for line in financing.describe(challenge)]
        return [{"title": "", "rows": rows}]
    if section.kind == Kind.POSITIONS:
        return [
            {
                "title": _("EIG n°%(rank)d") % {"rank": position.rank},
                "rows": [
                    (_("Mission"), display(position.mission)),
                    (_("Profil"), position.profile_label or EMPTY),
                    (_("Expertises recherchées"), display(position.expertise)),
                ]
                + ([(_("Niveau de rémunération"), str(position.pay_level))] if position.pay_level_id else []),
            }
            for position in challenge.eig_positions.all()
        ] or [{"title": "", "rows": [(_("Missions"), _("Aucune mission décrite"))]}]
    if section.kind == Kind.TEAM:
        return [
            {
                "title": member.name,
                "rows": [
                    (_("Fonction"), display(member.function)),
                    (_("Statut"), display(member.status)),
                    (_("Implication (%)"), f"{member.involvement_percent} %"),
                    (_("Apport"), display(member.contribution)),
                ],
            }
            for member in challenge.team_members.all()
        ] or [{"title": "", "rows": [(_("Équipe"), _("Aucun membre décrit"))]}]
    if section.kind == Kind.PEOPLE:
        found = {("mentor", m.role): m for m in challenge.mentors.all()} | {
            ("contact", c.role): c for c in challenge.contacts.all()
        }
        return [
            {
                "title": role.label,
                "rows": _person_rows(
                    found.get((model, role)), mentor=model == "mentor", for_managers=for_managers
                ),
            }
            for _prefix, model, role in PEOPLE
        ]
    if challenge.pitch_deck:
        pages = challenge.pitch_deck_pages
        deck = _("%(name)s (%(pages)s diapositives)") % {
            "name": challenge.pitch_deck.name.rsplit("/", 1)[-1],
            "pages": number_format(pages) if pages else "?",
        }
    else:
        deck = _("Aucun")
    return [{"title": "", "rows": [(_("Fichier déposé"), deck)]}]


def read(challenge, *, for_managers: bool = False, only: str | None = None) -> list[dict]:
    """[{slug, title, kind, groups: [{title, rows: [(label, value)]}]}], in the form's order.

    A value is text, or sanitised HTML (a SafeString: the public description, from `richtext`).

    Managers also read who carries and follows the case and whether the mentors are confirmed.
    """
    return [
        {
            "slug": section.slug,
            "title": section.title,
            "kind": section.kind,
            "groups": _groups(challenge, section, for_managers=for_managers),
        }
        for section in SECTIONS
        if only is None or section.slug == only
    ]
