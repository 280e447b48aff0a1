"""THE LIST of what may be published about a challenge in open data: each column once, with its
French title and description, its Table Schema type, format and constraints, and how it is read
from a challenge. Nothing else is ever published: a manager chooses among these
(`models.PublishedFields`), and `export.columns` drops any other name whatever it is given.

What never is (docs/opendata.md): people (mentors, contacts, the project team, candidates and
recruited EIGs, the manager in charge, jury members), e-mail addresses and phone numbers; the
figures of money (the stated employer cost, the co-financing asked: the dossier's, for the jury,
not the programme's decision); the dossier's own answers written for the jury (problem,
solution, obstacles, datasets…); the jury's scores and the audit trail. An administration's
name, SIRET, website and address are those of a public body, not of a person.

A column added here is published at once in the default selection only if it says so
(`default=True`); tests list the columns, so adding one is a reviewed decision.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from lifecycle import richtext
from lifecycle.enums import AdministrationKind, ChallengeState, TransitionName, label_of
from recruitment.publication import place_of

# The states in which the programme publishes a challenge: selected, and every state after.
# The same four as `ChallengeState.committed()` (the co-financing's envelope) today, named apart
# because they answer another question: a change of one must not silently change the other.
PUBLISHED_STATES = [
    ChallengeState.SELECTED,
    ChallengeState.RECRUITING,
    ChallengeState.RUNNING,
    ChallengeState.COMPLETED,
]
# Several values in one cell (profiles, partner administrations): one separator, said in the schema.
LIST_SEPARATOR = " ; "


@dataclass
class Facts:
    """What a challenge's columns read besides the challenge and its prefetched rows, gathered
    once for every published challenge (export.published_rows): the days of its moves in Paris
    ({challenge pk: {move: day}}) and its call's profiles' labels ({promotion pk: {code: label}})."""

    moves: dict[int, dict[str, dt.date]] = field(default_factory=dict)
    profiles: dict[int, dict[str, str]] = field(default_factory=dict)

    def moved_on(self, challenge, move: str) -> dt.date | None:
        return self.moves.get(challenge.pk, {}).get(move)


@dataclass(frozen=True)
class Field:
    name: str  # the column, as data.gouv.fr's schemas name theirs (French snake case)
    title: str
    description: str
    read: Callable  # (challenge, Facts) -> int, str, date or None
    type: str = "string"
    format: str = ""
    constraints: dict = field(default_factory=dict)
    default: bool = True  # in the selection a manager starts from
    required: bool = False  # in every selection (the key, what names a row)

    def descriptor(self) -> dict:
        """The field as Table Schema describes it."""
        described = {
            "name": self.name,
            "title": str(self.title),
            "description": str(self.description),
            "type": self.type,
        }
        if self.format:
            described["format"] = self.format
        constraints = dict(self.constraints)
        if self.required:
            constraints["required"] = True
        if constraints:
            described["constraints"] = {key: _plain(value) for key, value in constraints.items()}
        return described


def _plain(value):
    """Lazy labels of an enum constraint as text."""
    return [str(item) for item in value] if isinstance(value, list | tuple) else value


def _profiles(challenge, facts: Facts) -> str:
    labels = facts.profiles.get(challenge.promotion_id, {})
    seen = []
    for position in challenge.eig_positions.all():
        label = labels.get(position.profile, position.profile)
        if label and label not in seen:
            seen.append(label)
    return LIST_SEPARATOR.join(seen)


def _ministry(challenge) -> str:
    ministry = challenge.administration.ministry
    return ministry.name if ministry is not None else ""


def _partners(challenge, _facts) -> str:
    return LIST_SEPARATOR.join(sorted(partner.name for partner in challenge.partner_administrations.all()))


def _address(challenge) -> str:
    """The hosting administration's address on one line (the form's text may hold several)."""
    return ", ".join(
        line.strip(" ,")
        for line in (challenge.address or challenge.administration.address).splitlines()
        if line.strip()
    )


FIELDS: list[Field] = [
    Field(
        "identifiant",
        _("Identifiant du défi"),
        _("Numéro du défi dans le suivi du programme EIG : stable, unique."),
        lambda challenge, facts: challenge.pk,
        type="integer",
        constraints={"unique": True, "minimum": 1},
        required=True,
    ),
    Field(
        "promotion_numero",
        _("Numéro de la promotion"),
        _("Numéro de la promotion EIG du défi (3 pour EIG 3, dont les EIG ont commencé en janvier 2019)."),
        lambda challenge, facts: challenge.promotion.number,
        type="integer",
        constraints={"minimum": 1},
        required=True,
    ),
    Field(
        "promotion_nom",
        _("Promotion"),
        _("Nom de la promotion EIG."),
        lambda challenge, facts: challenge.promotion.name,
    ),
    Field(
        "annee_appel",
        _("Année de l’appel"),
        _("Année de l’appel à projets auquel l’administration a répondu."),
        lambda challenge, facts: challenge.promotion.year,
        type="integer",
        constraints={"minimum": 2016, "maximum": 2100},
    ),
    Field(
        "nom",
        _("Nom du défi"),
        _("Nom du défi, tel que le programme le publie."),
        lambda challenge, facts: challenge.name,
        required=True,
    ),
    Field(
        "resume",
        _("Résumé"),
        _("Le défi en une phrase."),
        lambda challenge, facts: challenge.summary,
        constraints={"maxLength": 300},
    ),
    Field(
        "description",
        _("Description publique"),
        _("Description publique du défi en texte brut, paragraphes séparés par une ligne vide."),
        lambda challenge, facts: richtext.to_plain(challenge.public_description),
    ),
    Field(
        "description_markdown",
        _("Description publique (Markdown)"),
        _("La même description, telle qu’écrite, au format Markdown (CommonMark)."),
        lambda challenge, facts: challenge.public_description,
        default=False,
    ),
    Field(
        "administration",
        _("Administration porteuse"),
        _("Nom de l’administration qui porte le défi."),
        lambda challenge, facts: challenge.administration.name,
        constraints={"required": True},
    ),
    Field(
        "administration_nature",
        _("Nature de l’administration"),
        _(
            "Ministère ou service de l’État, opérateur, autorité administrative indépendante, collectivité "
            "territoriale ou établissement de santé."
        ),
        lambda challenge, facts: str(label_of(AdministrationKind, challenge.administration.kind)),
        constraints={"enum": AdministrationKind.labels},
    ),
    Field(
        "administration_ministere",
        _("Ministère de rattachement"),
        _("Pour un opérateur ou un service rattaché : le ministère dont il relève ; vide sinon."),
        lambda challenge, facts: _ministry(challenge),
    ),
    Field(
        "administration_siret",
        _("SIRET de l’administration"),
        _("Numéro SIRET de l’administration porteuse (répertoire Sirene), quand il est connu."),
        lambda challenge, facts: challenge.administration.siret,
        constraints={"pattern": r"\d{14}"},
    ),
    Field(
        "administration_site_web",
        _("Site web de l’administration"),
        _("Adresse du site web de l’administration porteuse."),
        lambda challenge, facts: challenge.administration.website,
        format="uri",
        default=False,
    ),
    Field(
        "administrations_partenaires",
        _("Administrations partenaires"),
        _("Les administrations partenaires du défi, séparées par « ; »."),
        _partners,
    ),
    Field(
        "ville",
        _("Ville d’accueil"),
        _("La ville où les EIG sont accueillis, lue dans l’adresse de l’administration d’accueil."),
        lambda challenge, facts: place_of(challenge),
    ),
    Field(
        "adresse",
        _("Adresse d’accueil"),
        _("Adresse postale de l’administration d’accueil des EIG (un lieu de service public)."),
        lambda challenge, facts: _address(challenge),
        default=False,
    ),
    Field(
        "etat",
        _("État (code)"),
        _(
            "Où en est le défi : selected (sélectionné), recruiting (en recrutement), running (en cours), "
            "completed (terminé)."
        ),
        lambda challenge, facts: challenge.state,
        constraints={"required": True, "enum": [str(state) for state in PUBLISHED_STATES]},
    ),
    Field(
        "etat_libelle",
        _("État"),
        _("Où en est le défi, en toutes lettres."),
        lambda challenge, facts: str(label_of(ChallengeState, challenge.state)),
        constraints={"enum": [ChallengeState(state).label for state in PUBLISHED_STATES]},
    ),
    Field(
        "profils",
        _("Profils EIG recherchés"),
        _("Les profils d’EIG que le défi demande (développement, data science…), séparés par « ; »."),
        _profiles,
    ),
    Field(
        "nombre_eig",
        _("Nombre d’EIG"),
        _("Le nombre d’EIG que le défi demande."),
        lambda challenge, facts: len(challenge.eig_positions.all()),
        type="integer",
        constraints={"minimum": 0},
    ),
    Field(
        "code_source",
        _("Code source"),
        _("Adresse du dépôt du code source du défi, publié sous licence libre."),
        lambda challenge, facts: challenge.source_code_url,
        format="uri",
    ),
    Field(
        "date_selection",
        _("Date de sélection"),
        _("Jour où le défi a été sélectionné (heure de Paris) ; vide pour les défis repris d’un import."),
        lambda challenge, facts: facts.moved_on(challenge, TransitionName.SELECT),
        type="date",
    ),
    Field(
        "date_demarrage",
        _("Date de démarrage"),
        _("Jour où le défi a démarré avec son équipe d’EIG (heure de Paris) ; vide avant."),
        lambda challenge, facts: facts.moved_on(challenge, TransitionName.START),
        type="date",
    ),
    Field(
        "date_cloture",
        _("Date de clôture"),
        _("Jour où le défi a été clos au terme des mois des EIG (heure de Paris) ; vide avant."),
        lambda challenge, facts: facts.moved_on(challenge, TransitionName.COMPLETE),
        type="date",
    ),
]
BY_NAME = {item.name: item for item in FIELDS}
PRIMARY_KEY = "identifiant"
REQUIRED = [item.name for item in FIELDS if item.required]
# The moves whose days the columns read (`Facts.moves`).
DATED_MOVES = [TransitionName.SELECT, TransitionName.START, TransitionName.COMPLETE]


def default_selection() -> list[str]:
    return [item.name for item in FIELDS if item.default or item.required]


def choices() -> list[tuple[str, str]]:
    return [(item.name, item.title) for item in FIELDS]
