"""Importing challenges from a YAML, JSON or CSV file shaped like lifecycle/data/eig-defis-2017-2019.yml.

A file is a list of rows (one per challenge) with the keys:

    title, promotion, administration      required
    year                                  the year the promotion's EIGs start (as in the source:
                                          EIG 3 = 2019); a new promotion's year is its call's,
                                          the year before (Promotion.year, "année de l'appel")
    summary, long_description, source_code    the challenge's summary, public description and
                                          source code address (left out if not a valid URL)
    administration_website, city          the website of a new administration; the address of a
                                          new challenge
    skills                                dev, datascience, dataengineering, design, geomatique
                                          (a list; in CSV one field, values separated by ; or ,)
    eig_count                             1 to 3 EIG positions, the skills taken in turn
    mentor_count, duration_months         integers (duration_months sizes a new promotion's call)
    administration_kind                   optional, a lifecycle.enums.AdministrationKind value;
                                          otherwise inferred from the administration's name
    ministry                              optional, the supervising ministry of an operator
    state                                 optional, a lifecycle.enums.ChallengeState value (draft)

The natural key of a challenge is (promotion number, title). Importing works in two steps:
`validate` checks every row and reports every problem with the line where its row starts,
before anything is written; `write` then writes everything in one transaction. A new challenge
is created with its `created` audit event (as lifecycle.services.create_challenge writes it),
or an `imported` event naming its state when the row gives one. An existing challenge is
updated through lifecycle.services.update_dossier only where its row differs (summary,
description, source code, administration, EIG profiles), so importing the same file twice
changes nothing the second time; its state is never changed by an import: a state moves only
through lifecycle.services.transition. Existing administrations and promotions are left as
they are.
"""

import csv
import io
import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Prefetch

from lifecycle import audit, clock, dossier, services
from lifecycle.enums import AdministrationKind, AuditKind, ChallengeState, EigProfile
from lifecycle.models import (
    Administration,
    Call,
    Challenge,
    Contact,
    EigPosition,
    Mentor,
    Promotion,
    TeamMember,
)

K = AdministrationKind

# The skills of the source data, and the profile of the EIG position each one asks for; the
# profiles' own values are accepted too.
DATA_SKILLS = {
    "dev": EigProfile.DEVELOPMENT,
    "datascience": EigProfile.DATA_SCIENCE,
    "dataengineering": EigProfile.DATA_SCIENCE,
    "design": EigProfile.DESIGN,
    "geomatique": EigProfile.DATA_SCIENCE,
}
SKILL_PROFILES = {**DATA_SKILLS, **{profile.value: profile for profile in EigProfile}}
MAX_EIGS = 3
BATCH_SIZE = 500  # rows created together
# The dossier's rows, read back in the order dossier.snapshot lists them (the models' default
# orderings sort by challenge first, which costs a join when prefetching).
DOSSIER_RELATIONS = [
    Prefetch("partner_administrations", queryset=Administration.objects.order_by("name")),
    Prefetch("eig_positions", queryset=EigPosition.objects.order_by("rank")),
    Prefetch("team_members", queryset=TeamMember.objects.order_by("id")),
    Prefetch("mentors", queryset=Mentor.objects.order_by("role")),
    Prefetch("contacts", queryset=Contact.objects.order_by("role")),
]
PROGRESS_THRESHOLD = 200  # rows; larger files report their progress every 10 %
TEXT_LIMITS = {"title": 200, "administration": 300, "ministry": 300, "summary": 300, "city": 500}


class ImportFileError(Exception):
    """The file cannot be read at all (unknown format, missing, not the expected structure)."""


class InvalidRows(Exception):
    """Rows that cannot be imported: [(line, reason)], every one of them."""

    def __init__(self, errors: list[tuple[int, str]]):
        self.errors = errors
        super().__init__(f"{len(errors)} ligne(s) invalide(s)")


# Reading the three formats -------------------------------------------------------------------


@dataclass
class Record:
    """A row as read from the file, before validation, with the line where it starts."""

    line: int
    values: dict | None
    problem: str = ""


def read_records(path) -> list[Record]:
    path = Path(path)
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise ImportFileError(
            f"Format de fichier inconnu « {path.suffix or path.name} » : "
            "le fichier doit se terminer par .yml, .yaml, .json ou .csv."
        )
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ImportFileError(f"Fichier introuvable : {path}") from None
    except UnicodeDecodeError:
        raise ImportFileError(f"Le fichier {path.name} n’est pas encodé en UTF-8.") from None
    except OSError as error:
        raise ImportFileError(f"Lecture impossible de {path} : {error.strerror}") from None
    return reader(text)


def _yaml_records(text: str) -> list[Record]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return []
        if not isinstance(root, yaml.SequenceNode):
            raise ImportFileError("Le fichier YAML doit contenir une liste de défis (« - title: … »).")
        records = []
        for node in root.value:
            value = loader.construct_object(node, deep=True)
            records.append(Record(node.start_mark.line + 1, value if isinstance(value, dict) else None))
        return records
    except yaml.YAMLError as error:
        raise ImportFileError(f"YAML illisible : {error}") from None
    finally:
        loader.dispose()


_JSON_SPACE = re.compile(r"[ \t\n\r]*")


def _json_records(text: str) -> list[Record]:
    """Parse the top-level list item by item, to know the line where each object starts."""
    decoder = json.JSONDecoder()

    def fail(message, position):
        line = text.count("\n", 0, position) + 1
        raise ImportFileError(f"JSON illisible, ligne {line} : {message}")

    position = _JSON_SPACE.match(text, 0).end()
    if not text.startswith("[", position):
        fail("le fichier doit contenir une liste de défis ([ … ]).", position)
    position = _JSON_SPACE.match(text, position + 1).end()
    records, line, counted = [], 1, 0
    if text.startswith("]", position):
        position += 1
    else:
        while True:
            line += text.count("\n", counted, position)
            counted = position
            try:
                value, position = decoder.raw_decode(text, position)
            except json.JSONDecodeError as error:
                raise ImportFileError(f"JSON illisible, ligne {error.lineno} : {error.msg}") from None
            records.append(Record(line, value if isinstance(value, dict) else None))
            position = _JSON_SPACE.match(text, position).end()
            if text.startswith(",", position):
                position = _JSON_SPACE.match(text, position + 1).end()
            elif text.startswith("]", position):
                position += 1
                break
            else:
                fail("« , » ou « ] » attendu.", position)
    if _JSON_SPACE.match(text, position).end() != len(text):
        fail("contenu inattendu après la liste.", position)
    return records


def _csv_records(text: str) -> list[Record]:
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [name.strip() for name in next(reader, [])]
        records = []
        end_of_previous = reader.line_num
        for values in reader:
            line, end_of_previous = end_of_previous + 1, reader.line_num
            if not any(value.strip() for value in values):
                continue
            if len(values) != len(header):
                records.append(
                    Record(
                        line,
                        None,
                        f"{len(values)} colonnes au lieu des {len(header)} de l’en-tête "
                        "(un guillemet oublié ?)",
                    )
                )
                continue
            records.append(
                Record(
                    line, {name: value.strip() or None for name, value in zip(header, values, strict=True)}
                )
            )
        return records
    except csv.Error as error:
        raise ImportFileError(f"CSV illisible, ligne {reader.line_num} : {error}") from None


READERS = {".yml": _yaml_records, ".yaml": _yaml_records, ".json": _json_records, ".csv": _csv_records}


# Administrations: kind from the name ---------------------------------------------------------


def normalized(name: str) -> str:
    """The form under which two spellings of one administration's name are the same."""
    name = unicodedata.normalize("NFKC", name).replace("’", "'").replace("‘", "'")
    return " ".join(name.casefold().split())


def _plain(name: str) -> str:
    """Lower case without accents, for matching words of a name."""
    decomposed = unicodedata.normalize("NFKD", normalized(name))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


# In order: the first rule whose pattern matches the (lower-case, accent-free) name gives the
# kind. Words are matched at the start of the name, where French names say what a body is
# ("Ministère de l’Intérieur et Agence nationale …" is a ministry); acronyms anywhere.
KIND_RULES = [
    (
        K.HEALTH_ESTABLISHMENT,
        r"^(hopital|hopitaux|hospices?|centre hospitalier|groupe hospitalier|groupement hospitalier"
        r"|assistance publique)\b|\b(chu|chru|chr|ap-hp|aphp)\b",
    ),
    (
        K.TERRITORIAL_AUTHORITY,
        r"^(region|departement|ville|commune|mairie|metropole|eurometropole|collectivite"
        r"|conseil (regional|departemental|general)|communaute (de communes|d'agglomeration|urbaine)"
        r"|agglomeration)\b",
    ),
    (
        K.INDEPENDENT_AUTHORITY,
        r"^(autorite|haute autorite|commission nationale|commission d'acces|defenseur"
        r"|controleur general|mediateur|conseil superieur de l'audiovisuel)\b"
        r"|\b(cnil|arcep|csa|hadopi|arjel|arafer|amf|acpr|hatvp|cada|cnccfp)\b",
    ),
    (
        K.MINISTRY,
        r"^(ministere|ministeres|direction|secretariat general|secretariat d'etat"
        r"|services? du premier ministre|premier ministre|delegation|commissariat general"
        r"|cour des comptes|prefecture|mission|haut-commissariat|inspection generale|etat-major)\b",
    ),
    (
        K.MINISTRY_OPERATOR,
        r"^(agence|institut|caisse|centre national|bibliotheque nationale|office national"
        r"|etablissement public|ecole nationale|musee|universite|pole emploi)\b"
        r"|\b(acoss|urssaf|pole emploi|insee|ign|ademe|cnaf|cnam|antai|shom|bnf)\b",
    ),
]
KIND_RULES = [(kind, re.compile(pattern)) for kind, pattern in KIND_RULES]

# The supervising ministry of well-known operators (an operator needs one: Administration.clean).
SUPERVISING_MINISTRIES = [
    (r"\bagence francaise de developpement\b|\bafd\b", "Ministère de l’Europe et des Affaires étrangères"),
    (r"\bagriculture biologique\b|\bagence bio\b", "Ministère de l’Agriculture et de l’Alimentation"),
    (r"\bbibliotheque nationale de france\b|\bbnf\b", "Ministère de la Culture"),
    (
        r"\bacoss\b|\burssaf\b|\bagence centrale des organismes de securite sociale\b",
        "Ministère de l’Action et des Comptes publics",
    ),
    (r"\bpole emploi\b", "Ministère du Travail"),
    (r"\bshom\b|\bhydrographique\b", "Ministère des Armées"),
    (r"\bantai\b|\btraitement automatise des infractions\b", "Ministère de l’Intérieur"),
    (r"\binsee\b", "Ministère de l’Économie et des Finances"),
    (r"\bagence regionale de sante\b|\bars\b", "Ministère des Solidarités et de la Santé"),
    (r"\bign\b|\bademe\b", "Ministère de la Transition écologique et solidaire"),
]
SUPERVISING_MINISTRIES = [(re.compile(pattern), ministry) for pattern, ministry in SUPERVISING_MINISTRIES]


def inferred_kind(name: str) -> str:
    """The kind of an administration from its French name; a State service when nothing matches."""
    plain = _plain(name)
    for kind, pattern in KIND_RULES:
        if pattern.search(plain):
            return kind
    return K.MINISTRY


def supervising_ministry(name: str) -> str | None:
    plain = _plain(name)
    return next((ministry for pattern, ministry in SUPERVISING_MINISTRIES if pattern.search(plain)), None)


# Validation ----------------------------------------------------------------------------------


@dataclass
class Row:
    line: int
    title: str
    promotion: int
    year: int | None
    administration: str
    administration_kind: str  # the column's value, then the kind decided by _classify
    ministry: str  # the supervising ministry of an operator, "" otherwise
    administration_website: str
    city: str
    summary: str
    long_description: str
    source_code_url: str
    profiles: list[str]  # one per EIG position, in rank order
    duration_months: int | None
    state: str

    @property
    def key(self) -> tuple[int, str]:
        return (self.promotion, self.title)


_url = URLValidator()


def _valid_url(value: str) -> str:
    """The URL if it is a valid http(s) address that fits a URLField, else "" (the data has typos)."""
    try:
        _url(value)
    except ValidationError:
        return ""
    return value if len(value) <= 200 else ""


class _RowReader:
    """Reads the typed values of one record, collecting every problem instead of stopping."""

    def __init__(self, values: dict):
        self.values = values
        self.problems: list[str] = []

    def text(self, key, *, required=False) -> str:
        value = self.values.get(key)
        if isinstance(value, bool | list | dict):
            self.problems.append(f"« {key} » doit être un texte")
            return ""
        text = "" if value is None else str(value).strip()
        if required and not text:
            self.problems.append(f"« {key} » est obligatoire")
        limit = TEXT_LIMITS.get(key)
        if limit and len(text) > limit:
            self.problems.append(f"« {key} » dépasse {limit} caractères ({len(text)})")
        return text

    def integer(self, key, *, required=False, low=None, high=None) -> int | None:
        value = self.values.get(key)
        if value is None or value == "":
            if required:
                self.problems.append(f"« {key} » est obligatoire")
            return None
        number = None
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        elif (isinstance(value, float) and value.is_integer()) or (
            isinstance(value, str) and re.fullmatch(r"[+-]?\d+", value.strip())
        ):
            number = int(value)
        if number is None:
            self.problems.append(f"« {key} » doit être un nombre entier (reçu « {value} »)")
            return None
        if (low is not None and number < low) or (high is not None and number > high):
            bounds = f"compris entre {low} et {high}" if high is not None else f"au moins {low}"
            self.problems.append(f"« {key} » doit être {bounds} (reçu {number})")
            return None
        return number

    def choice(self, key, choices, default="") -> str:
        value = self.text(key)
        if not value:
            return default
        if value not in choices.values:
            self.problems.append(f"« {key} » inconnu : « {value} » (connus : {', '.join(choices.values)})")
            return default
        return value

    def skills(self) -> list[str]:
        value = self.values.get("skills")
        if value is None or value == "":
            return []
        items = re.split(r"[;,]", value) if isinstance(value, str) else value
        if not isinstance(items, list):
            self.problems.append("« skills » doit être une liste de compétences")
            return []
        profiles, unknown = [], []
        for item in items:
            skill = str(item).strip().casefold()
            if not skill:
                continue
            if skill in SKILL_PROFILES:
                profiles.append(SKILL_PROFILES[skill])
            else:
                unknown.append(str(item).strip())
        if unknown:
            known = ", ".join(DATA_SKILLS)
            self.problems.append(f"compétence inconnue : « {'», «'.join(unknown)} » (connues : {known})")
        return profiles


def _row(record: Record) -> tuple[Row | None, list[str]]:
    if record.values is None:
        return None, [record.problem or "un défi doit être un objet « clé : valeur »"]
    read = _RowReader(record.values)
    title = read.text("title", required=True)
    promotion = read.integer("promotion", required=True, low=1)
    year = read.integer("year", low=2000, high=2100)
    administration = read.text("administration", required=True)
    kind = read.choice("administration_kind", AdministrationKind)
    ministry = read.text("ministry")
    profiles = read.skills()
    eig_count = read.integer("eig_count", low=1, high=MAX_EIGS)
    read.integer("mentor_count", low=0)
    duration_months = read.integer("duration_months", low=1, high=48)
    state = read.choice("state", ChallengeState, default=ChallengeState.DRAFT)
    row = Row(
        line=record.line,
        title=title,
        promotion=promotion,
        year=year,
        administration=administration,
        administration_kind=kind,
        ministry=ministry,
        administration_website=_valid_url(read.text("administration_website")),
        city=read.text("city"),
        summary=read.text("summary"),
        long_description=read.text("long_description"),
        source_code_url=_valid_url(read.text("source_code")),
        profiles=[],
        duration_months=duration_months,
        state=state,
    )
    if eig_count is not None and not profiles:
        read.problems.append(f"« eig_count » vaut {eig_count} mais « skills » est vide")
    elif profiles:
        count = eig_count or min(len(profiles), MAX_EIGS)
        row.profiles = [profiles[rank % len(profiles)] for rank in range(count)]
    return row, read.problems


def _classify(rows: list[Row], existing_administrations: set[str], errors: dict[int, list[str]]):
    """Decide each new administration's kind and, for an operator, its supervising ministry.

    The kind is the `administration_kind` column where a row gives it (rows naming the same
    administration must agree), else inferred from the name. An operator needs its ministry
    (Administration.clean): the `ministry` column, else the table of well-known operators. An
    operator recognised only by its name whose ministry is unknown is recorded as a State service
    (kind ministry): both are PIA-eligible alike, and a manager can correct it in the admin. An
    operator declared as such by the column must name its ministry. Administrations already in
    the database are left as they are.
    """
    groups: dict[str, list[Row]] = {}
    for row in rows:
        if row.administration:
            groups.setdefault(normalized(row.administration), []).append(row)
    for name, group in groups.items():
        declared = [row for row in group if row.administration_kind]
        for row in declared[1:]:
            if row.administration_kind != declared[0].administration_kind:
                errors.setdefault(row.line, []).append(
                    f"nature « {row.administration_kind} » de « {row.administration} » différente de "
                    f"celle de la ligne {declared[0].line} ({declared[0].administration_kind})"
                )
        ministry = next((row.ministry for row in group if row.ministry), "")
        kind = declared[0].administration_kind if declared else ""
        kind = kind or (K.MINISTRY_OPERATOR if ministry else inferred_kind(group[0].administration))
        if kind == K.MINISTRY_OPERATOR:
            ministry = ministry or supervising_ministry(group[0].administration) or ""
            if not ministry and name not in existing_administrations:
                if declared:
                    errors.setdefault(declared[0].line, []).append(
                        "un opérateur doit indiquer son ministère de rattachement (colonne « ministry »)"
                    )
                kind = K.MINISTRY
        elif ministry:
            line = next(row.line for row in group if row.ministry)
            errors.setdefault(line, []).append(
                f"« ministry » n’a de sens que pour un opérateur "
                f"(nature de « {group[0].administration} » : {kind})"
            )
            ministry = ""
        for row in group:
            row.administration_kind, row.ministry = kind, ministry


def validate(records: list[Record]) -> list[Row]:
    """Every row, typed and checked; raises InvalidRows listing every bad row with its line."""
    errors: dict[int, list[str]] = {}
    rows: list[Row] = []
    first_line_of: dict[tuple[int, str], int] = {}
    years: dict[int, tuple[int, int]] = {}
    for record in records:
        row, problems = _row(record)
        if row is not None and row.title and row.promotion:
            if row.key in first_line_of:
                problems.append(
                    f"défi en double : « {row.title} » (promotion {row.promotion}) "
                    f"figure déjà ligne {first_line_of[row.key]}"
                )
            else:
                first_line_of[row.key] = row.line
            if row.year is not None:
                year, line = years.setdefault(row.promotion, (row.year, row.line))
                if year != row.year:
                    problems.append(
                        f"année {row.year} différente de celle de la promotion {row.promotion} "
                        f"ligne {line} ({year})"
                    )
        if problems:
            errors.setdefault(record.line, []).extend(problems)
        if row is not None:
            rows.append(row)
    existing_administrations = {
        normalized(name) for name in Administration.objects.values_list("name", flat=True)
    }
    _classify(rows, existing_administrations, errors)
    numbers = {row.promotion for row in rows if row.promotion}
    known = set(Promotion.objects.filter(number__in=numbers).values_list("number", flat=True))
    for row in rows:
        if row.promotion and row.promotion not in known and row.promotion not in years:
            errors.setdefault(row.line, []).append(
                f"« year » est nécessaire pour créer la promotion {row.promotion}"
            )
            known.add(row.promotion)  # said once, on the promotion's first row
    if errors:
        raise InvalidRows([(line, " ; ".join(problems)) for line, problems in sorted(errors.items())])
    return rows


# Writing -------------------------------------------------------------------------------------


def _plural(count: int, singular: str, plural: str) -> str:
    return f"{count} {singular if count <= 1 else plural}"


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    administrations_created: int = 0
    promotions_created: int = 0
    challenges: dict[tuple[int, str], Challenge] = field(default_factory=dict, repr=False)

    def summary(self) -> str:
        text = (
            f"{_plural(self.created, 'défi créé', 'défis créés')}, {self.updated} mis à jour, "
            f"{_plural(self.unchanged, 'inchangé', 'inchangés')} ; "
            f"{_plural(self.administrations_created, 'administration créée', 'administrations créées')}"
        )
        if self.promotions_created:
            text += f" ; {_plural(self.promotions_created, 'promotion créée', 'promotions créées')}"
        return text


class _Administrations:
    """The administrations by normalized name, loaded once, created on first need."""

    def __init__(self, report: ImportReport):
        self.report = report
        self.by_name = {normalized(admin.name): admin for admin in Administration.objects.all()}

    def get(self, name, *, kind, ministry="", website="") -> Administration:
        found = self.by_name.get(normalized(name))
        if found is not None:
            return found
        administration = Administration(
            name=name,
            kind=kind,
            ministry=self.get(ministry, kind=K.MINISTRY) if ministry else None,
            website=website,
        )
        administration.full_clean(validate_unique=False, validate_constraints=False)
        administration.save()
        self.by_name[normalized(name)] = administration
        self.report.administrations_created += 1
        return administration


def _promotions(rows: list[Row], report: ImportReport) -> dict[int, Promotion]:
    numbers = {row.promotion for row in rows}
    promotions = {promotion.number: promotion for promotion in Promotion.objects.filter(number__in=numbers)}
    with_call = set(
        Call.objects.filter(promotion__number__in=numbers).values_list("promotion__number", flat=True)
    )
    for number in sorted(numbers):
        first = next(row for row in rows if row.promotion == number and (row.year or number in promotions))
        if number not in promotions:
            # The file's year is the year the EIGs start; the promotion's year is its call's.
            promotions[number] = Promotion.objects.create(
                number=number, name=f"EIG {number}", year=first.year - 1
            )
            report.promotions_created += 1
        if number not in with_call:
            Call.objects.create(promotion=promotions[number], duration_months=first.duration_months or 10)
    return promotions


def _create(items: list[tuple[Row, Promotion, Administration]], *, by) -> list[Challenge]:
    """Create the challenges of a batch of rows, each with its audit event.

    The same as lifecycle.services.create_challenge (a `created` event listing the whole dossier,
    the EIG positions included), in bulk: the rows are inserted together, then read back once to
    write each one's event. A row imported in a later state gets an `imported` event with that
    state, since it did not go through the transitions.
    """
    challenges = []
    for row, promotion, administration in items:
        challenge = Challenge(
            promotion=promotion,
            administration=administration,
            name=row.title,
            state=row.state,
            state_changed_at=clock.now() if row.state != ChallengeState.DRAFT else None,
            summary=row.summary,
            public_description=row.long_description,
            source_code_url=row.source_code_url,
            address=row.city,
        )
        # The promotion, the administration and the uniqueness of the name are known good here.
        challenge.full_clean(
            exclude=["promotion", "administration", "state"],
            validate_unique=False,
            validate_constraints=False,
        )
        challenges.append(challenge)
    Challenge.objects.bulk_create(challenges)
    EigPosition.objects.bulk_create(
        EigPosition(challenge=challenge, rank=rank, profile=profile)
        for challenge, (row, _promotion, _administration) in zip(challenges, items, strict=True)
        for rank, profile in enumerate(row.profiles, start=1)
    )
    saved = (
        Challenge.objects.filter(pk__in=[challenge.pk for challenge in challenges])
        .select_related("administration")
        .prefetch_related(*DOSSIER_RELATIONS)
        .in_bulk()
    )
    audit.record_many(
        [
            {
                "challenge": challenge,
                "kind": AuditKind.CREATED if challenge.state == ChallengeState.DRAFT else AuditKind.IMPORTED,
                "to_state": "" if challenge.state == ChallengeState.DRAFT else challenge.state,
                "by": by,
                "changes": dossier.diff({}, dossier.snapshot(saved[challenge.pk])),
            }
            for challenge in challenges
        ]
    )
    return challenges


def _update(challenge: Challenge, row: Row, administration, *, by) -> bool:
    """Bring the challenge's imported fields to the row's values; True if anything changed."""
    wanted = {
        "summary": row.summary,
        "public_description": row.long_description,
        "source_code_url": row.source_code_url,
    }
    changes = {name: value for name, value in wanted.items() if getattr(challenge, name) != value}
    if challenge.administration_id != administration.pk:
        changes["administration"] = administration
    positions = {position.rank: position for position in challenge.eig_positions.all()}
    # Positions are the row's only when it names skills; their missions are left as they are.
    positions_differ = (
        bool(row.profiles) and [positions[rank].profile for rank in sorted(positions)] != row.profiles
    )
    if changes:
        services.update_dossier(challenge, changes, by=by)
    if positions_differ:
        with services.recording_dossier_changes(challenge, by=by):
            for rank, profile in enumerate(row.profiles, start=1):
                if rank not in positions:
                    EigPosition.objects.create(challenge=challenge, rank=rank, profile=profile)
                elif positions[rank].profile != profile:
                    EigPosition.objects.filter(pk=positions[rank].pk).update(profile=profile)
            challenge.eig_positions.filter(rank__gt=len(row.profiles)).delete()
    return bool(changes) or positions_differ


class _Progress:
    """Reports "Import : done/total (n %)" at each tenth of a large file, never more often."""

    def __init__(self, total: int, report: Callable[[str], None] | None):
        self.total, self.report, self.done, self.tenths = total, report, 0, 0
        self.active = report is not None and total > PROGRESS_THRESHOLD

    def advance(self, count: int):
        self.done += count
        if self.active and self.done * 10 // self.total > self.tenths:
            self.tenths = self.done * 10 // self.total
            self.report(f"Import : {self.done}/{self.total} ({self.done * 100 // self.total} %)")


def write(rows: list[Row], *, by, progress: Callable[[str], None] | None = None) -> ImportReport:
    """Create or update the rows' promotions, administrations and challenges, in one transaction."""
    report = ImportReport()
    # One import, one moment: its events and the imported states all carry the same time.
    with transaction.atomic(), clock.at(clock.now()):
        promotions = _promotions(rows, report)
        administrations = _Administrations(report)
        existing = {
            (challenge.promotion.number, challenge.name): challenge
            for challenge in Challenge.objects.filter(promotion__in=promotions.values())
            .select_related("promotion")
            .prefetch_related("eig_positions")
        }
        ticker = _Progress(len(rows), progress)
        size = min(BATCH_SIZE, max(1, -(-len(rows) // 10)))  # a tenth of the file at most
        for start in range(0, len(rows), size):
            batch = rows[start : start + size]
            new = []
            for row in batch:
                administration = administrations.get(
                    row.administration,
                    kind=row.administration_kind,
                    ministry=row.ministry,
                    website=row.administration_website,
                )
                challenge = existing.get(row.key)
                if challenge is None:
                    new.append((row, promotions[row.promotion], administration))
                    continue
                if _update(challenge, row, administration, by=by):
                    report.updated += 1
                else:
                    report.unchanged += 1
                report.challenges[row.key] = challenge
            for challenge, (row, _promotion, _administration) in zip(_create(new, by=by), new, strict=True):
                report.challenges[row.key] = challenge
                report.created += 1
            ticker.advance(len(batch))
    return report


def import_records(records: list[Record], *, by, progress=None) -> ImportReport:
    return write(validate(records), by=by, progress=progress)


def import_file(path, *, by, progress=None) -> ImportReport:
    """Validate every row of the file, then write them all; raises ImportFileError or InvalidRows."""
    return import_records(read_records(path), by=by, progress=progress)
