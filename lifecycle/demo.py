"""The demo: the programme's first three promotions, promotion 3 replayed through its real lifecycle.

Promotion 3 gets the calendar of its call (2018). Its 15 challenges of lifecycle/data, and two
fictitious ones (a region and a university hospital, marked « démo »), are opened in May 2018,
filled in as complete dossiers, then moved through lifecycle.services.transition at plausible
moments of that year (`clock.at`), so that every state of the lifecycle is shown and the audit
trail is the real one of those moves. The outcomes of the real challenges are fictitious: in
2018 all fifteen were selected. Promotions 1 and 2 are imported, completed, from the same data.

People in the demo are fictitious: the source data holds no names.
Loading is idempotent: once loaded, the demo only makes sure its accounts exist.
"""

import datetime as dt
import itertools
import random
import re
import secrets
import textwrap
import unicodedata
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max, Min

from accounts.enums import Role
from accounts.services import create_user
from lifecycle import clock, financing, importing, services
from lifecycle.actors import SYSTEM
from lifecycle.enums import AdministrationKind, ChallengeState, ContactRole, EigProfile, MentorRole
from lifecycle.models import (
    Administration,
    AuditEvent,
    Call,
    Challenge,
    Contact,
    Entrepreneur,
    Mentor,
    Promotion,
    TeamMember,
)

PARIS = ZoneInfo("Europe/Paris")
DATA = Path(__file__).resolve().parent / "data" / "eig-defis-2017-2019.yml"
S = ChallengeState


def paris(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=PARIS)


# Promotion 3 and the calendar of its call (the call for challenges of 2018) --------------------

PROMOTION = {"number": 3, "name": "EIG 3", "year": 2018}
CALL = {
    "title": "Appel à projets EIG 3 – défis 2019",
    "information_event_at": paris(2018, 5, 15, 17, 0),
    "submission_deadline": paris(2018, 6, 15, 17, 0),  # the official form's date
    "jury_starts_on": dt.date(2018, 7, 2),
    "jury_ends_on": dt.date(2018, 7, 4),
    "recruitment_opens_at": paris(2018, 9, 13, 10, 0),
    "recruitment_closes_at": paris(2018, 10, 15, 17, 0),
    "starts_on": dt.date(2019, 1, 14),
    "duration_months": 10,
    "pia_envelope": Decimal("1500000"),
    "cofinancing_rate": Decimal("0.70"),
    "net_monthly_pay": Decimal("4000"),
    "max_pitch_slides": 12,
    "min_eigs_per_challenge": 2,
    "max_eigs_per_challenge": 3,
}

# Two fictitious challenges, for the kinds of administration the data lacks.
REGION = "Région Centre-Atlantique (démo)"
HOSPITAL = "Centre hospitalier universitaire de Valmont (démo)"
EXTRA_ROWS = [
    {
        "title": "Mobilités rurales (défi de démonstration)",
        "promotion": 3,
        "year": 2019,
        "administration": REGION,
        "administration_kind": AdministrationKind.TERRITORIAL_AUTHORITY,
        "summary": (
            "Défi fictif : mieux desservir les territoires ruraux en croisant les données de transport"
        ),
        "skills": ["datascience", "design"],
        "eig_count": 2,
        "duration_months": 10,
        "long_description": (
            "_Défi fictif, ajouté aux données de démonstration : il ne décrit aucun projet réel._\n\n"
            "### La problématique\n\n"
            "Dans les communes rurales de la région, un habitant sur trois n’a pas d’offre de "
            "transport collectif à moins de vingt minutes de marche. Les données des lignes "
            "régulières, du transport à la demande et du covoiturage existent mais ne sont ni "
            "croisées ni publiées.\n\n"
            "### Le défi : cartographier l’accès aux mobilités et concevoir avec les habitants "
            "de nouveaux services\n\n"
            "* **croiser les données** des réseaux de transport régionaux et de covoiturage pour "
            "mesurer l’accessibilité de chaque commune ;\n"
            "* **concevoir avec les usagers** un service d’information sur les trajets possibles ;\n"
            "* **publier en open data** les données et les indicateurs produits."
        ),
    },
    {
        "title": "Urgences en temps réel (défi de démonstration)",
        "promotion": 3,
        "year": 2019,
        "administration": HOSPITAL,
        "administration_kind": AdministrationKind.HEALTH_ESTABLISHMENT,
        "summary": "Défi fictif : anticiper l’affluence aux urgences pour mieux orienter les patients",
        "skills": ["dev", "datascience"],
        "eig_count": 2,
        "duration_months": 10,
        "long_description": (
            "_Défi fictif, ajouté aux données de démonstration : il ne décrit aucun projet réel._\n\n"
            "### La problématique\n\n"
            "Les services d’urgences du CHU accueillent chaque jour de 150 à 300 patients, avec "
            "des pics difficiles à anticiper. Les temps d’attente s’allongent et les équipes "
            "manquent d’outils pour prévoir l’affluence et orienter les patients.\n\n"
            "### Le défi : prévoir l’affluence et informer les patients\n\n"
            "* **construire un modèle de prévision** de l’affluence à partir de l’historique des "
            "passages ;\n"
            "* **développer un tableau de bord** pour les équipes soignantes ;\n"
            "* **informer les patients** des temps d’attente dans les établissements voisins."
        ),
    },
]
MARKER = (3, EXTRA_ROWS[0]["title"])  # the demo is loaded once this challenge exists

# Where each challenge of promotion 3 ends in the demo (fictitious outcomes).
FATES = {
    "LexImpact": S.COMPLETED,
    "ADLER": S.COMPLETED,
    "CartoBio": S.COMPLETED,
    "DataJust": S.COMPLETED,
    "Open Chronic": S.COMPLETED,
    "EIG Link": S.RUNNING,
    "CibNav": S.RUNNING,
    EXTRA_ROWS[0]["title"]: S.RUNNING,
    "IA Flash": S.RECRUITING,
    "ExploCode": S.SELECTED,
    "Open Justice": S.PITCHED,
    "DataReg": S.NOT_SELECTED,
    "Karfu’R": S.PRESELECTED,
    "Polygraphe": S.NOT_PRESELECTED,
    "ACOSS-Plateforme": S.SUBMITTED,
    "Plume": S.DRAFT,
    EXTRA_ROWS[1]["title"]: S.WITHDRAWN,
}
PATHS = {
    S.DRAFT: [],
    S.SUBMITTED: ["submit"],
    S.NOT_PRESELECTED: ["submit", "reject"],
    S.PRESELECTED: ["submit", "preselect"],
    S.WITHDRAWN: ["submit", "preselect", "withdraw"],
    S.PITCHED: ["submit", "preselect", "pitch"],
    S.NOT_SELECTED: ["submit", "preselect", "pitch", "not_select"],
    S.SELECTED: ["submit", "preselect", "pitch", "select"],
    S.RECRUITING: ["submit", "preselect", "pitch", "select", "open_recruitment"],
    S.RUNNING: ["submit", "preselect", "pitch", "select", "open_recruitment", "start"],
    S.COMPLETED: ["submit", "preselect", "pitch", "select", "open_recruitment", "start", "complete"],
}


def moment(name: str, index: int) -> dt.datetime:
    """When challenge n° `index` makes the move `name`: always in the order of the lifecycle."""
    minutes = dt.timedelta(minutes=10 * index)
    return {
        "submit": paris(2018, 6, 11 + index // 4, 9 + 2 * (index % 4), 15),
        "preselect": paris(2018, 6, 27, 10, 0) + minutes,
        "reject": paris(2018, 6, 27, 10, 0) + minutes,
        "withdraw": paris(2018, 6, 29, 15, 30),
        "pitch": paris(2018, 7, 2 + index % 3, 9, 30) + dt.timedelta(minutes=45 * (index // 3)),
        "select": paris(2018, 7, 13, 11, 0) + minutes,
        "not_select": paris(2018, 7, 13, 11, 0) + minutes,
        "open_recruitment": paris(2018, 9, 13, 10, 0) + dt.timedelta(minutes=index),
        "start": paris(2019, 1, 14, 9, 0) + minutes,
        "complete": paris(2019, 11, 15, 10, 0) + minutes,
    }[name]


OPENED_AT = paris(2018, 5, 16, 9, 30)
RECRUITED_ON = dt.date(2018, 11, 5)
MENTORS_CONFIRMED_AT = paris(2018, 12, 17, 11, 0)
HISTORY_IMPORTED_AT = paris(2019, 12, 2, 10, 0)

REASONS = {
    "submit": "Dossier complet déposé avant la date limite.",
    "preselect": (
        "Présélectionné par le comité : impact attendu fort, équipe d’agents mobilisée, données identifiées."
    ),
    "reject": (
        "Non présélectionné : les données nécessaires ne pourront pas être mises à disposition des EIG "
        "avant la fin de 2019 ; le comité encourage une nouvelle candidature."
    ),
    "withdraw": (
        "L’établissement retire sa candidature : le recrutement des EIG ne peut pas être financé "
        "sur son budget 2019."
    ),
    "pitch": "Pitch présenté devant le jury de sélection.",
    "select": (
        "Retenu par le jury : défi à fort impact, équipe solide, engagement d’ouverture des données "
        "et du code."
    ),
    "not_select": (
        "Non retenu par le jury : le périmètre reste trop large pour dix mois ; le jury recommande "
        "de le resserrer pour une prochaine promotion."
    ),
    "open_recruitment": "Ouverture de l’appel à candidatures de la promotion EIG 3.",
    "start": "Arrivée des EIG dans l’administration le 14 janvier 2019.",
    "complete": "Fin des dix mois du défi : bilan présenté à la clôture de la promotion.",
}

# The accounts of the demo (fictitious people); all share the demo password.
CONTACTS = {
    "contact-dinum": ("Direction interministérielle du numérique (DINUM)", "Dominique", "Renard"),
    "contact-chu-valmont": (HOSPITAL, "Sam", "Girard"),
}
AUDITOR = ("auditeur", "Alex", "Morel")
MANAGER_NAMES = ("Camille", "Lambert")

# The dossiers: what the data does not say, per challenge -------------------------------------

# title: (address, datasets, accessible, steps to make them accessible)
DOSSIER_FACTS = {
    "ACOSS-Plateforme": (
        "36 rue de Valmy, 93100 Montreuil",
        "Déclarations Pajemploi des particuliers employeurs, référentiel des cotisants des Urssaf, "
        "demandes adressées au service client.",
        True,
        "",
    ),
    "ADLER": (
        "139 rue de Bercy, 75012 Paris",
        "Données de contrôle fiscal, registres des sociétés, signalements de fraude (accès restreint).",
        False,
        "Habilitation des EIG au titre du droit d’en connaître ; convention d’accès avec chaque "
        "direction ; environnement de travail isolé au sein du ministère.",
    ),
    "CartoBio": (
        "Montreuil (Seine-Saint-Denis)",
        "Registre parcellaire graphique (RPG), notifications des opérateurs bio, données des "
        "organismes certificateurs.",
        False,
        "Convention avec l’Agence de services et de paiement pour le RPG ; accord des organismes "
        "certificateurs sur le partage de leurs données.",
    ),
    "CibNav": (
        "Tour Séquoia, 1 place Carpeaux, 92800 Puteaux",
        "Caractéristiques des navires, visites de sécurité, événements de mer, déclarations "
        "sociales des équipages.",
        True,
        "",
    ),
    "DataJust": (
        "13 place Vendôme, 75001 Paris",
        "Décisions d’appel des bases JURICA (Cour de cassation) et ARIANE (Conseil d’État).",
        False,
        "Extraction des décisions par la Cour de cassation et le Conseil d’État ; "
        "pseudonymisation avant leur mise à disposition.",
    ),
    "DataReg": (
        "14 rue Gerty Archimède, 75012 Paris",
        "Enquêtes de l’Arcep, signalements « J’alerte l’Arcep », données de couverture mobile et "
        "fixe transmises par les opérateurs.",
        True,
        "",
    ),
    "EIG Link": (
        "20 avenue de Ségur, 75007 Paris",
        "Données des défis et des promotions EIG, dépôts de code des défis, annuaire des mentors.",
        True,
        "",
    ),
    "ExploCode": (
        "39-43 quai André Citroën, 75015 Paris",
        "Questions reçues par les services de renseignement en droit du travail, Code du travail, "
        "conventions collectives (Légifrance).",
        True,
        "",
    ),
    "IA Flash": (
        "Place Beauvau, 75008 Paris",
        "Clichés des radars automatiques, Système d’immatriculation des véhicules (SIV).",
        False,
        "Autorisation de la CNIL pour l’entraînement des modèles ; accès aux clichés dans "
        "l’environnement sécurisé de l’ANTAI.",
    ),
    "Karfu’R": (
        "Paris",
        "Recensement des initiatives d’accueil et d’intégration des réfugiés, annuaire des "
        "associations partenaires.",
        True,
        "",
    ),
    "LexImpact": (
        "20 avenue de Ségur, 75007 Paris",
        "Législation socio-fiscale modélisée dans OpenFisca, enquête Revenus fiscaux et sociaux "
        "(ERFS) de l’Insee.",
        False,
        "Accès à l’ERFS par le Centre d’accès sécurisé aux données (CASD) ; habilitation des EIG.",
    ),
    "Open Chronic": (
        "14 avenue Duquesne, 75007 Paris",
        "Système national des données de santé (SNDS), enquêtes de la DREES.",
        False,
        "Habilitation des EIG à l’accès au SNDS ; travail dans la bulle sécurisée de la DREES.",
    ),
    "Open Justice": (
        "5 quai de l’Horloge, 75001 Paris",
        "Décisions de la Cour de cassation (base JURINET) et des cours d’appel (JURICA).",
        True,
        "",
    ),
    "Plume": (
        "13 rue Cambon, 75001 Paris",
        "Rapports, référés et observations publiés par la Cour des comptes et les chambres régionales.",
        True,
        "",
    ),
    "Polygraphe": (
        "59 boulevard Vincent Auriol, 75013 Paris",
        "Résultats des contrôles de la DGCCRF, signalements des consommateurs.",
        False,
        "Extraction des résultats de contrôle du système d’information de la DGCCRF ; "
        "pseudonymisation des signalements.",
    ),
    EXTRA_ROWS[0]["title"]: (
        "1 place de la Région, 86000 Poitiers (adresse fictive)",
        "Horaires des lignes régionales (GTFS), transport à la demande, trajets de covoiturage "
        "du registre de preuve de covoiturage.",
        True,
        "",
    ),
    EXTRA_ROWS[1]["title"]: (
        "2 avenue de l’Hôpital, Valmont (adresse fictive)",
        "Historique des passages aux urgences, capacités des services, temps d’attente.",
        False,
        "Avis du délégué à la protection des données ; entrepôt de données de santé du CHU.",
    ),
}

PROFILE_WORK = {
    EigProfile.DEVELOPMENT: (
        "Concevoir et développer les services numériques de « {name} » avec les agents : API, "
        "interfaces web, code publié sous licence libre et documenté.",
        "Développement web (Python ou JavaScript), API, intégration continue, logiciel libre.",
    ),
    EigProfile.DATA_SCIENCE: (
        "Explorer, croiser et modéliser les données de « {name} » ; construire des indicateurs et "
        "des modèles reproductibles, et ouvrir les données produites.",
        "Science des données, apprentissage automatique, traitement de données massives, visualisation.",
    ),
    EigProfile.DESIGN: (
        "Mener la recherche utilisateurs de « {name} », concevoir les parcours et les prototypes, "
        "et les tester avec les usagers et les agents.",
        "Design de service, recherche utilisateurs, prototypage, accessibilité.",
    ),
}
INNOVATIONS = {
    EigProfile.DEVELOPMENT: "développement agile de services numériques et d’API ouvertes",
    EigProfile.DATA_SCIENCE: "science des données et apprentissage automatique",
    EigProfile.DESIGN: "design de service centré sur les usagers",
}
FIRST_NAMES = [
    "Camille", "Dominique", "Alix", "Sacha", "Claude", "Lou", "Maxime", "Noa", "Charlie", "Eden",
    "Morgan", "Andréa", "Yaël", "Élie", "Jade", "Ariane", "Bastien", "Inès", "Malo", "Romane",
    "Théo", "Léna", "Hugo", "Salomé",
]  # fmt: skip
LAST_NAMES = [
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
    "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David", "Bertrand", "Roux",
    "Vincent", "Fournier", "Morel", "Girard", "André", "Mercier",
]  # fmt: skip
FUNCTIONS = {
    MentorRole.OPERATIONAL: [
        "Chef·fe de projet données",
        "Responsable de la mission numérique",
        "Adjoint·e au chef de bureau",
    ],
    MentorRole.STRATEGIC: [
        "Directeur·rice adjoint·e",
        "Chef·fe de service",
        "Secrétaire général·e adjoint·e",
    ],
}


class DemoConflict(Exception):
    """The database holds a promotion 3 that is not the demo's: the demo would mix with it."""


@dataclass
class DemoResult:
    loaded: bool
    manager: str
    password: str
    accounts: list[tuple[str, str]] = field(default_factory=list)  # (username, what for)
    challenges: int = 0
    events: int = 0


def load(*, manager_username: str = "gestionnaire", password: str | None = None) -> DemoResult:
    """Load the demo once; afterwards only make sure its accounts exist (with this password)."""
    password = password or secrets.token_urlsafe(9)
    with transaction.atomic():
        manager = create_user(
            manager_username,
            role=Role.PROGRAMME_MANAGER,
            password=password,
            email=f"{manager_username}@example.gouv.fr",
            first_name=MANAGER_NAMES[0],
            last_name=MANAGER_NAMES[1],
        )
        username, first, last = AUDITOR
        create_user(username, role=Role.AUDITOR, password=password, first_name=first, last_name=last)
        loaded = not Challenge.objects.filter(promotion__number=MARKER[0], name=MARKER[1]).exists()
        if loaded:
            if Challenge.objects.filter(promotion__number=PROMOTION["number"]).exists():
                raise DemoConflict(
                    "La promotion 3 contient déjà des défis qui ne viennent pas de la démo : "
                    "chargez la démo dans une base sans promotion 3."
                )
            _load(manager, password)
        else:
            _contacts(password)
    result = DemoResult(
        loaded=loaded,
        manager=manager_username,
        password=password,
        accounts=[(AUDITOR[0], "auditeur·rice du journal d’audit")]
        + [(username, f"contact de {name}") for username, (name, _first, _last) in CONTACTS.items()],
        challenges=Challenge.objects.count(),
        events=AuditEvent.objects.count(),
    )
    return result


def _load(manager, password):
    promotion, _created = Promotion.objects.update_or_create(
        number=PROMOTION["number"], defaults={"name": PROMOTION["name"], "year": PROMOTION["year"]}
    )
    Call.objects.update_or_create(promotion=promotion, defaults=CALL)
    records = importing.read_records(DATA)
    own = [record for record in records if record.values and record.values.get("promotion") == 3]
    extra = [importing.Record(line, dict(values)) for line, values in enumerate(EXTRA_ROWS, start=1)]
    with clock.at(OPENED_AT):
        report = importing.import_records(own + extra, by=manager)
    contacts = _contacts(password)
    challenges = sorted(report.challenges.values(), key=lambda challenge: challenge.pk)
    names = _people()
    with clock.at(OPENED_AT + dt.timedelta(minutes=30)):
        for challenge in challenges:
            services.update_dossier(challenge, {"manager": manager}, by=manager)
    for index, challenge in enumerate(challenges):
        author = contacts.get(challenge.administration_id, manager)
        _complete_dossier(challenge, index, author=author, names=names)
    _replay(challenges, manager=manager, contacts=contacts, names=names)

    history = [record for record in records if record.values and record.values.get("promotion") in (1, 2)]
    for record in history:
        record.values["state"] = S.COMPLETED
    with clock.at(HISTORY_IMPORTED_AT):
        importing.import_records(history, by=manager)
    _date_challenges_by_their_trail()


def _contacts(password) -> dict[int, object]:
    """The administrations' contact accounts, by administration id."""
    contacts = {}
    for username, (name, first, last) in CONTACTS.items():
        administration = Administration.objects.get(name=name)
        contacts[administration.pk] = create_user(
            username,
            role=Role.ADMINISTRATION_CONTACT,
            password=password,
            administration=administration,
            email=f"{username}@example.gouv.fr",
            first_name=first,
            last_name=last,
        )
    return contacts


def _people():
    """Fictitious (first name, last name, e-mail), each once, in a fixed order."""
    pairs = list(itertools.product(FIRST_NAMES, LAST_NAMES))
    random.Random(2018).shuffle(pairs)
    for first, last in pairs:
        yield first, last, f"{_ascii(first)}.{_ascii(last)}@example.gouv.fr"


def _ascii(name: str) -> str:
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()


# Filling in the dossier ----------------------------------------------------------------------


def _plain_text(markdown: str) -> str:
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", markdown)  # links
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text, flags=re.S)
    text = re.sub(r"(?<!\w)_(.+?)_(?!\w)", r"\1", text, flags=re.S)
    paragraphs = []  # a paragraph, or an item of a list, per line
    for block in re.split(r"\n\s*\n", text):
        items = []
        for line in block.splitlines():
            bullet = re.match(r"\s*[*-]\s+", line)
            line = "– " + line[bullet.end() :].strip() if bullet else line.strip()
            if bullet or not items:
                items.append(line)
            elif line:
                items[-1] += " " + line
        paragraphs.extend(re.sub(r"\s+", " ", item).strip() for item in items if item.strip())
    return "\n".join(paragraphs)


def _sections(markdown: str) -> dict[str, str]:
    """The plain text under each heading of a description ("" for the text before any heading)."""
    sections, heading = {}, ""
    for line in markdown.splitlines():
        found = re.match(r"\s*#+\s*(.*)", line)
        if found:
            heading = found.group(1).strip()
            continue
        sections.setdefault(heading, []).append(line)
    return {heading: _plain_text("\n".join(lines)) for heading, lines in sections.items()}


def _fit(text: str, limit: int) -> str:
    """At most `limit` characters, cut after a whole sentence (or list item) when possible."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    ends = [match.end() for match in re.finditer(r"[.;!?…](?=\s)", cut)]
    if ends and ends[-1] > limit // 2:
        cut = cut[: ends[-1]]
        return cut[:-1].rstrip() + "." if cut.endswith(";") else cut
    return cut.rsplit(" ", 1)[0] + "…"


def _section(sections, start) -> str:
    return next((text for heading, text in sections.items() if heading.casefold().startswith(start)), "")


def _limit(field_name) -> int:
    return Challenge._meta.get_field(field_name).max_length


def _texts(challenge, profiles) -> dict:
    sections = _sections(challenge.public_description)
    intro = sections.get("", "") or challenge.summary
    name, administration = challenge.name, challenge.administration.name
    innovations = sorted({INNOVATIONS[profile] for profile in profiles})
    texts = {
        "problem": _section(sections, "la problématique") or intro,
        "solution": _section(sections, "le défi") or intro,
        "expected_benefits": (
            f"{challenge.summary}. Pour les usagers : des démarches plus simples et une information "
            "plus fiable. Pour les agents : des outils ouverts, documentés, repris par l’équipe "
            "interne à la fin du défi. Pour l’État : des données ouvertes par défaut et une "
            "meilleure gouvernance des données de l’administration."
        ),
        "innovation_kinds": "Innovations mobilisées : "
        + ", ".join(innovations)
        + " ; ouverture des données et du code.",
        "progress": (
            "Phase pilote : le besoin est qualifié et un premier prototype interne existe. "
            "Technologies libres (Python, PostgreSQL), méthodes agiles."
        ),
        "technical_resources": (
            f"Postes de travail portables et droits d’administration pour les EIG ; accès aux bases "
            f"métier de {administration} ; forge logicielle publique (GitHub) ; serveurs de "
            "développement et d’hébergement ; une salle de travail pour l’équipe projet."
        ),
        "sustainability_actions": (
            f"Un agent reprend le pilotage de « {name} » à la fin des dix mois ; le code est publié "
            "sous licence libre et documenté ; les données produites sont ouvertes sur data.gouv.fr ; "
            "le service est présenté aux administrations qui ont les mêmes besoins."
        ),
        "obstacles": (
            "Accès aux données : conventions préparées avant l’arrivée des EIG. Sécurité des "
            "systèmes d’information : environnement de développement validé avec le RSSI. Adoption "
            "par les agents : les utilisateurs sont associés dès les premières semaines."
        ),
        "motivation": (
            f"{administration} veut faire entrer dans ses équipes des compétences numériques rares "
            "et de nouvelles méthodes de travail : itérations courtes, ouverture, travail avec les "
            "usagers. Le programme EIG et sa promotion offrent le cadre et le réseau pour y parvenir."
        ),
    }
    return {field_name: _fit(text, _limit(field_name)) for field_name, text in texts.items()}


def _financing(challenge, count) -> dict:
    """The stated employer cost near the call's estimate; 70 % of it from the PIA if eligible."""
    estimate = financing.simulate(challenge, eig_count=count).estimated_employer_cost
    cost = (estimate / 500).quantize(Decimal("1"), rounding=ROUND_HALF_UP) * 500
    if not challenge.administration.is_pia_eligible:
        return {"pia_requested": False, "total_employer_cost": cost, "pia_amount": None}
    rate = challenge.promotion.call.cofinancing_rate
    return {"pia_requested": True, "total_employer_cost": cost, "pia_amount": financing.euros(cost * rate)}


def _complete_dossier(challenge, index, *, author, names):
    """Fill in the form in three sittings before the deadline, as an administration would."""
    positions = list(challenge.eig_positions.order_by("rank"))
    profiles = [position.profile for position in positions]
    address, datasets, accessible, steps = DOSSIER_FACTS[challenge.name]
    sitting = paris(2018, 5, 22 + index // 2, 10 if index % 2 == 0 else 15, 0)

    with clock.at(sitting):
        services.update_dossier(
            challenge,
            {
                **_texts(challenge, profiles),
                "address": address,
                "datasets": datasets,
                "datasets_accessible": accessible,
                "datasets_access_steps": steps,
                "attests_outside_walls": True,
                "attests_open_data_open_source": True,
                "attests_data_access": True,
                **_financing(challenge, len(positions)),
            },
            by=author,
        )

    with (
        clock.at(sitting + dt.timedelta(minutes=40)),
        services.recording_dossier_changes(challenge, by=author),
    ):
        for position in positions:
            mission, expertise = PROFILE_WORK[position.profile]
            position.mission = _fit(mission.format(name=challenge.name), 600)
            position.expertise = expertise
            position.save(update_fields=["mission", "expertise"])
        for number in range(1 + index % 2):
            first, last, _email = next(names)
            TeamMember.objects.create(
                challenge=challenge,
                name=f"{first} {last}",
                function=["Chef·fe de projet métier", "Responsable du système d’information"][number],
                status="Titulaire",
                involvement_percent=[40, 20][number],
                contribution=[
                    "Pilotage métier et lien avec les utilisateurs",
                    "Accès aux données et aux serveurs",
                ][number],
            )
        for role in MentorRole:
            first, last, email = next(names)
            Mentor.objects.create(
                challenge=challenge,
                role=role,
                first_name=first,
                last_name=last,
                email=email,
                function=FUNCTIONS[role][index % 3],
            )
        roles = [ContactRole.HR] + ([ContactRole.PIA_AGREEMENT] if challenge.pia_requested else [])
        for role in roles:
            first, last, email = next(names)
            Contact.objects.create(
                challenge=challenge, role=role, first_name=first, last_name=last, email=email
            )

    with clock.at(sitting + dt.timedelta(minutes=55)):
        slides = _slides(challenge)
        services.attach_pitch_deck(
            challenge,
            ContentFile(pitch_deck_pdf(challenge.name, slides), name=f"pitch-{_slug(challenge.name)}.pdf"),
            by=author,
        )


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", _ascii(name)).strip("-")


def _slides(challenge) -> list[tuple[str, list[str]]]:
    def lines(text, count=9):
        return textwrap.wrap(text.replace("\n", " "), 78)[:count]

    positions = challenge.eig_positions.order_by("rank")
    mentors = challenge.mentors.all()
    return [
        (
            challenge.name,
            [*lines(challenge.summary, 3), "", challenge.administration.name, "Appel à projets EIG 3 – 2018"],
        ),
        ("La problématique", lines(challenge.problem)),
        ("Le défi", lines(challenge.solution)),
        (
            "Les EIG recherchés",
            [f"EIG {position.rank} – {position.get_profile_display()}" for position in positions],
        ),
        (
            "L’équipe",
            [f"{member.name}, {member.function}" for member in challenge.team_members.all()]
            + [f"{mentor.get_role_display()} : {mentor.full_name}" for mentor in mentors],
        ),
        ("Les données", lines(challenge.datasets)),
        ("L’impact attendu", lines(challenge.expected_benefits)),
        ("Pourquoi le programme EIG ?", lines(challenge.motivation)),
    ]


def pitch_deck_pdf(title: str, slides: list[tuple[str, list[str]]]) -> bytes:
    """A real PDF of 16:9 slides, a heading and a few lines of text each (Helvetica, WinAnsi)."""

    def text(value: str) -> bytes:
        raw = value.encode("cp1252", "replace")
        return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"

    count = len(slides)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>"
        % (b" ".join(b"%d 0 R" % (4 + 2 * i) for i in range(count)), count),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    for number, (heading, lines) in enumerate(slides, start=1):
        operations = [b"BT /F1 30 Tf 60 460 Td " + text(heading) + b" Tj ET"]
        for row, line in enumerate(lines):
            operations.append(b"BT /F1 18 Tf 60 %d Td " % (400 - 30 * row) + text(line) + b" Tj ET")
        operations.append(b"BT /F1 11 Tf 60 30 Td " + text(f"{title} – {number}/{count}") + b" Tj ET")
        stream = b"\n".join(operations)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 960 540] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (3 + 2 * number)
        )
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
    pdf = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(pdf)


# Replaying the lifecycle ---------------------------------------------------------------------


def _replay(challenges, *, manager, contacts, names):
    """Every move of every challenge, in the order of the calendar, each at its moment."""
    moves = sorted(
        (moment(name, index), index, name)
        for index, challenge in enumerate(challenges)
        for name in PATHS[FATES[challenge.name]]
    )
    current = {index: challenge for index, challenge in enumerate(challenges)}
    for at, index, name in moves:
        challenge = current[index]
        if name == "start":
            _recruit(challenge, names)
        if name in ("submit", "withdraw"):
            by = contacts.get(challenge.administration_id, manager)
        elif name == "open_recruitment":
            by = SYSTEM
        else:
            by = manager
        with clock.at(at):
            current[index] = services.transition(challenge, name, by=by, reason=REASONS[name], hold_mail=True)


def _recruit(challenge, names):
    """The EIGs recruited in the autumn call, and both mentors confirmed before the start."""
    for position in challenge.eig_positions.order_by("rank"):
        first, last, email = next(names)
        Entrepreneur.objects.create(
            challenge=challenge,
            first_name=first,
            last_name=last,
            email=email,
            profile=position.profile,
            recruited_on=RECRUITED_ON,
        )
    challenge.mentors.update(confirmed_at=MENTORS_CONFIRMED_AT)


def _date_challenges_by_their_trail():
    """Created and modified at the dates of their first and last audit events, not today's."""
    dates = AuditEvent.objects.values("challenge").annotate(first=Min("created_at"), last=Max("created_at"))
    for row in dates:
        if row["challenge"] is not None:
            Challenge.objects.filter(pk=row["challenge"]).update(
                created_at=row["first"], updated_at=row["last"]
            )
