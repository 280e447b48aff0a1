"""The rows of an import file, typed and checked: every problem of every row is collected
with its line before anything is written."""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from importing.administrations import inferred_kind, supervising_ministry
from importing.readers import Record
from lifecycle.enums import AdministrationKind, ChallengeState, EigProfile
from lifecycle.models import Administration, Challenge, Promotion
from lifecycle.text import normalized
from lifecycle.validators import control_characters

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
# The columns that name something: one line, no control character (they go in e-mail subjects).
SINGLE_LINE = {"title", "administration", "ministry", "summary"}
# The columns that fill a field with a length limit, and that field's limit.
TEXT_LIMITS = {
    "title": Challenge._meta.get_field("name").max_length,
    "administration": Administration._meta.get_field("name").max_length,
    "ministry": Administration._meta.get_field("name").max_length,
    "summary": Challenge._meta.get_field("summary").max_length,
}


class InvalidRows(Exception):
    """Rows that cannot be imported: [(where, reason)] ("ligne 12", "élément 3"), every one."""

    def __init__(self, errors: list[tuple[str, str]]):
        self.errors = errors
        super().__init__(f"{len(errors)} ligne(s) invalide(s)")


@dataclass
class Row:
    line: int
    where: str  # "ligne 12", "élément 3": how people find the row in their file
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
        if "\x00" in text:
            self.problems.append(f"« {key} » contient un caractère nul")
            return text.replace("\x00", "")
        if key in SINGLE_LINE and (found := control_characters(text)):
            self.problems.append(
                f"« {key} » doit tenir sur une ligne, sans caractère de contrôle "
                f"(trouvé : {', '.join(found)})"
            )
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
        where=record.where,
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
                    f"celle de la {declared[0].where} ({declared[0].administration_kind})"
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
    where = {record.line: record.where for record in records}
    rows: list[Row] = []
    first_line_of: dict[tuple[int, str], str] = {}
    years: dict[int, tuple[int, str]] = {}
    for record in records:
        row, problems = _row(record)
        if row is not None and row.title and row.promotion:
            if row.key in first_line_of:
                problems.append(
                    f"défi en double : « {row.title} » (promotion {row.promotion}) "
                    f"figure déjà {first_line_of[row.key]}"
                )
            else:
                first_line_of[row.key] = row.where
            if row.year is not None:
                year, first = years.setdefault(row.promotion, (row.year, row.where))
                if year != row.year:
                    problems.append(
                        f"année {row.year} différente de celle de la promotion {row.promotion} "
                        f"{first} ({year})"
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
        raise InvalidRows([(where[line], " ; ".join(problems)) for line, problems in sorted(errors.items())])
    return rows
