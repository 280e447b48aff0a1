"""The rows of an import file, typed and checked: every problem of every row is collected
with its line before anything is written."""

import functools
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.utils.text import slugify

from importing.administrations import (
    SIRET,
    Directory,
    MatchError,
    clean_siret,
    inferred_kind,
    supervising_ministry,
)
from importing.readers import Record
from lifecycle import profiles as call_profiles
from lifecycle.enums import AdministrationKind, ChallengeState, DefaultProfile
from lifecycle.models import Administration, Call, Challenge, Promotion, SoughtProfile
from lifecycle.text import folded
from lifecycle.validators import control_characters

K = AdministrationKind

# The skills of the source data, and the code of the profile each one asks for (a profile of the
# 2018 call). A promotion's own profile codes are accepted too; a new promotion's other skills
# become profiles of their own.
DATA_SKILLS = {
    "dev": DefaultProfile.DEVELOPMENT,
    "datascience": DefaultProfile.DATA_SCIENCE,
    "dataengineering": DefaultProfile.DATA_SCIENCE,
    "design": DefaultProfile.DESIGN,
    "geomatique": DefaultProfile.DATA_SCIENCE,
}
SKILL_PROFILES = {**DATA_SKILLS, **{profile.value: profile for profile in DefaultProfile}}
# The columns that name something: one line, no control character (they go in e-mail subjects).
SINGLE_LINE = {"title", "administration", "ministry", "summary", "acronym", "sigle"}
# The columns that fill a field with a length limit, and that field's limit.
TEXT_LIMITS = {
    "title": Challenge._meta.get_field("name").max_length,
    "administration": Administration._meta.get_field("name").max_length,
    "ministry": Administration._meta.get_field("name").max_length,
    "acronym": Administration._meta.get_field("acronyms").max_length,
    "sigle": Administration._meta.get_field("acronyms").max_length,
    "summary": Challenge._meta.get_field("summary").max_length,
}
PROFILE_CODE_LIMIT = SoughtProfile._meta.get_field("code").max_length
PROFILE_LABEL_LIMIT = SoughtProfile._meta.get_field("label").max_length


def _bounds(model, name) -> tuple[int | None, int | None]:
    validators = model._meta.get_field(name).validators
    low = next((v.limit_value for v in validators if isinstance(v, MinValueValidator)), None)
    high = next((v.limit_value for v in validators if isinstance(v, MaxValueValidator)), None)
    return low, high


# What a new promotion's call gets when the file does not say: the call's own defaults (a
# model's, never another promotion's).
DURATION_BOUNDS = _bounds(Call, "duration_months")
NEW_CALL_MAX_EIGS = Call._meta.get_field("max_eigs_per_challenge").default


class InvalidRows(Exception):
    """Rows that cannot be imported: [(where, reason)] ("ligne 12", "élément 3"), every one."""

    def __init__(self, errors: list[tuple[str, str]]):
        self.errors = errors
        super().__init__(f"{len(errors)} ligne(s) invalide(s)")


@dataclass
class PromotionPlan:
    """A promotion the file names: the existing one and its call, whose year, figures and profiles
    the rows must follow; or, for a promotion (or a call) to create, what the rows give it."""

    number: int
    existing: Promotion | None
    call: Call | None
    year: int | None = None  # the file's year: the year the EIGs start
    year_where: str = ""
    duration_months: int | None = None
    duration_where: str = ""
    new_profiles: dict[str, str] = field(default_factory=dict)  # a new call's: code → label
    first_row: "Row | None" = None
    _codes: dict[str, tuple[str | None, str]] = field(default_factory=dict, repr=False)  # by skill

    @property
    def eigs_year(self) -> int | None:
        """The year its EIGs start: the call's arrival date, else the year after the call's."""
        if self.call is not None and self.call.starts_on:
            return self.call.starts_on.year
        return self.existing.year + 1 if self.existing else self.year

    @property
    def max_eigs(self) -> int:
        return self.call.max_eigs_per_challenge if self.call is not None else NEW_CALL_MAX_EIGS

    @property
    def profiles(self) -> list[tuple[str, str]]:
        """A new call's profiles: those of the 2018 call the file uses, in their order, then the
        file's own, in the order it names them."""
        defaults = [profile.value for profile in DefaultProfile]
        codes = sorted(
            self.new_profiles,
            key=lambda code: defaults.index(code) if code in defaults else len(defaults),
        )
        return [(code, self.new_profiles[code]) for code in codes]

    def code_of(self, skill: str) -> tuple[str | None, str]:
        """The profile code a skill asks for, or None with the problem ("" if only unknown)."""
        if skill not in self._codes:
            self._codes[skill] = self._code_of(skill)
        return self._codes[skill]

    def _code_of(self, skill: str) -> tuple[str | None, str]:
        key = skill.casefold()
        if self.call is not None:
            profiles = call_profiles.of_call(self.call)
            codes = {profile.code.casefold(): profile.code for profile in profiles}
            labels = {folded(profile.label): profile.code for profile in profiles}
            alias = DATA_SKILLS[key].value if key in DATA_SKILLS else None
            for candidate in (codes.get(key), alias if alias in codes.values() else None):
                if candidate:
                    return candidate, ""
            return codes.get(slugify(skill)) or labels.get(folded(skill)), ""
        by_label = {folded(str(profile.label)): profile for profile in DefaultProfile}
        profile = SKILL_PROFILES.get(key) or by_label.get(folded(skill))
        if profile is not None:
            self.new_profiles.setdefault(profile.value, str(profile.label))
            return profile.value, ""
        code = slugify(skill)
        if not code or len(code) > PROFILE_CODE_LIMIT or len(skill) > PROFILE_LABEL_LIMIT:
            return None, (
                f"compétence « {skill} » : impossible d’en faire un profil de la promotion {self.number} "
                f"(un code de {PROFILE_CODE_LIMIT} lettres, chiffres ou tirets au plus)"
            )
        self.new_profiles.setdefault(code, skill)
        return code, ""

    def unknown_profiles(self, skills: list[str]) -> str:
        codes = [profile.code for profile in call_profiles.of_call(self.call)]
        aliases = [skill for skill, code in DATA_SKILLS.items() if code in codes and skill not in codes]
        text = (
            f"{'profils inconnus' if len(skills) > 1 else 'profil inconnu'} pour la promotion "
            f"{self.number} : « {' », « '.join(skills)} » "
            f"(profils de l’appel : {', '.join(codes) or 'aucun, à définir dans la configuration de l’appel'}"
        )
        if aliases:
            text += f" ; compétences reconnues : {', '.join(aliases)}"
        return text + ")"


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
    siret: str
    acronym: str  # the `acronym` (or `sigle`) column: one or more, separated by commas
    city: str
    summary: str
    long_description: str
    source_code_url: str
    skills: list[str]  # as the file writes them
    eig_count: int | None
    duration_months: int | None
    state: str
    profiles: list[str] = field(default_factory=list)  # one code per EIG position, in rank order
    plan: PromotionPlan | None = field(default=None, repr=False)
    # The administration the row designates: one of the database, or one to create (unsaved).
    target: Administration | None = field(default=None, repr=False)

    @property
    def key(self) -> tuple[int, str]:
        return (self.promotion, self.title)


_url = URLValidator()


@functools.lru_cache(maxsize=1024)  # a file repeats its administrations' websites
def _valid_url(value: str) -> str:
    """The URL if it is a valid http(s) address that fits a URLField, else "" (the data has typos)."""
    try:
        _url(value)
    except ValidationError:
        return ""
    return value if len(value) <= 200 else ""


def _control_characters(text: str) -> list[str]:
    """control_characters, at once for the printable texts nearly every cell is (a control
    character is never printable)."""
    return [] if text.isprintable() else control_characters(text)


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
        if key in SINGLE_LINE and (found := _control_characters(text)):
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

    def choice(self, key, choices, default="", *, labels=False) -> str:
        """A value of `choices`; with `labels`, its French label is accepted too (whatever its
        case and accents)."""
        value = self.text(key)
        if not value:
            return default
        if value in choices.values:
            return value
        if labels:
            by_label = {folded(str(label)): code for code, label in choices.choices}
            if folded(value) in by_label:
                return by_label[folded(value)]
        self.problems.append(f"« {key} » inconnu : « {value} » (connus : {', '.join(choices.values)})")
        return default

    def siret(self) -> str:
        value = self.values.get("siret")
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # a spreadsheet's number
        siret = clean_siret(value) if isinstance(value, str | int) and not isinstance(value, bool) else value
        if siret and not (isinstance(siret, str) and SIRET.match(siret)):
            self.problems.append(f"« siret » doit compter 14 chiffres (reçu « {value} »)")
            return ""
        return siret or ""

    def skills(self) -> list[str]:
        value = self.values.get("skills")
        if value is None or value == "":
            return []
        items = re.split(r"[;,]", value) if isinstance(value, str) else value
        if not isinstance(items, list):
            self.problems.append("« skills » doit être une liste de compétences")
            return []
        skills = []
        for item in items:
            if isinstance(item, list | dict):
                self.problems.append("« skills » doit être une liste de compétences")
                return []
            skill = str(item).strip()
            if found := _control_characters(skill):
                self.problems.append(
                    f"« skills » : une compétence doit tenir sur une ligne (trouvé : {', '.join(found)})"
                )
            elif skill:
                skills.append(skill)
        return skills


def _row(record: Record) -> tuple[Row | None, list[str]]:
    if record.values is None:
        return None, [record.problem or "un défi doit être un objet « clé : valeur »"]
    read = _RowReader(record.values)
    title = read.text("title", required=True)
    promotion = read.integer("promotion", required=True, low=1)
    year = read.integer("year", low=2000, high=2100)
    administration = read.text("administration", required=True)
    kind = read.choice("administration_kind", AdministrationKind, labels=True)
    ministry = read.text("ministry")
    siret = read.siret()
    acronym = read.text("acronym") or read.text("sigle")
    skills = read.skills()
    eig_count = read.integer("eig_count")
    read.integer("mentor_count", low=0)
    duration_months = read.integer("duration_months", low=DURATION_BOUNDS[0], high=DURATION_BOUNDS[1])
    state = read.choice("state", ChallengeState, default=ChallengeState.DRAFT)
    if eig_count is not None and not skills:
        read.problems.append(f"« eig_count » vaut {eig_count} mais « skills » est vide")
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
        siret=siret,
        acronym=acronym,
        city=read.text("city"),
        summary=read.text("summary"),
        long_description=read.text("long_description"),
        source_code_url=_valid_url(read.text("source_code")),
        skills=skills,
        eig_count=eig_count,
        duration_months=duration_months,
        state=state,
    )
    return row, read.problems


def _plans(rows: list[Row]) -> dict[int, PromotionPlan]:
    """The file's promotions, read once with their calls and their calls' profiles."""
    numbers = {row.promotion for row in rows if row.promotion}
    plans = {}
    for promotion in (
        Promotion.objects.filter(number__in=numbers).select_related("call").prefetch_related("call__profiles")
    ):
        try:
            call = promotion.call
        except Call.DoesNotExist:
            call = None
        plans[promotion.number] = PromotionPlan(promotion.number, promotion, call)
    for number in numbers - set(plans):
        plans[number] = PromotionPlan(number, None, None)
    return plans


def _positions(row: Row, plan: PromotionPlan | None, problems: list[str]):
    """The row's EIG positions: `eig_count` of them (at most the call's number), its skills taken
    in turn, each the code of one of the promotion's profiles."""
    codes, unknown = [], []
    for skill in row.skills if plan is not None else ():
        code, problem = plan.code_of(skill)
        if code:
            codes.append(code)
        elif problem:
            problems.append(problem)
        else:
            unknown.append(skill)
    if unknown:
        problems.append(plan.unknown_profiles(unknown))
    max_eigs = plan.max_eigs if plan is not None else NEW_CALL_MAX_EIGS
    count = row.eig_count
    if count is not None and not 1 <= count <= max_eigs:
        problems.append(f"« eig_count » doit être compris entre 1 et {max_eigs} (reçu {count})")
        count = None
    if codes:
        count = count or min(len(codes), max_eigs)
        row.profiles = [codes[rank % len(codes)] for rank in range(count)]


def _promotion_figures(row: Row, plan: PromotionPlan, problems: list[str]):
    """The row's year (and, for a call to create, its duration) must be the promotion's."""
    if row.year is not None:
        if plan.existing is not None:
            if row.year != plan.eigs_year:
                problems.append(
                    f"année {row.year} différente de celle de la promotion {row.promotion} ({plan.eigs_year})"
                )
        elif plan.year is None:
            plan.year, plan.year_where = row.year, row.where
        elif row.year != plan.year:
            problems.append(
                f"année {row.year} différente de celle de la promotion {row.promotion} "
                f"{plan.year_where} ({plan.year})"
            )
    if row.duration_months is not None and plan.call is None:
        if plan.duration_months is None:
            plan.duration_months, plan.duration_where = row.duration_months, row.where
        elif row.duration_months != plan.duration_months:
            problems.append(
                f"durée de {row.duration_months} mois différente de celle de la promotion "
                f"{row.promotion} {plan.duration_where} ({plan.duration_months} mois)"
            )


def _resolve(rows: list[Row], directory: Directory, errors: dict[int, list[str]]):
    """Find each row's administration (`importing.administrations`); one the directory does not
    know is to create, and is known to the next rows under its name, SIRET and acronyms."""
    for row in rows:
        if not row.administration:
            continue
        try:
            target = directory.match(row.administration, siret=row.siret, acronym=row.acronym)
        except MatchError as error:
            errors.setdefault(row.line, []).append(str(error))
            continue
        if target is None:
            target = Administration(name=row.administration, website=row.administration_website)
            directory.add(target)
        if target.pk is None:
            if row.acronym:
                directory.add_acronyms(target, row.acronym)
            if row.siret and not target.siret:
                target.siret = row.siret
                directory.add(target)
            target.website = target.website or row.administration_website
            _foresee_ministry(row, directory)
        row.target = target


def _foresee_ministry(row: Row, directory: Directory):
    """Make the ministry a new operator will name known as soon as the operator's row comes, as
    the file's order gives it ("Ministère de la Culture" for the BnF, before a later row spells it
    "Ministère de la culture"); _classify decides whether the operator is one."""
    kind = row.administration_kind or (
        K.MINISTRY_OPERATOR if row.ministry else inferred_kind(row.administration)
    )
    ministry = (
        (row.ministry or supervising_ministry(row.administration)) if kind == K.MINISTRY_OPERATOR else ""
    )
    if ministry:
        try:
            if directory.match(ministry) is None:
                directory.add(Administration(name=ministry, kind=K.MINISTRY))
        except MatchError:
            pass  # reported by _classify, on the row that names it


def _classify(rows: list[Row], directory: Directory, errors: dict[int, list[str]]):
    """Decide each new administration's kind and, for an operator, its supervising ministry.

    The kind is the `administration_kind` column where a row gives it (rows naming the same
    administration must agree), else inferred from the name. An operator needs its ministry
    (Administration.clean): the `ministry` column, else the table of well-known operators. An
    operator recognised only by its name whose ministry is unknown is recorded as a State service
    (kind ministry): both are PIA-eligible alike, and a manager can correct it in the admin. An
    operator declared as such by the column must name its ministry. Administrations already in
    the database are left as they are.
    """
    groups: dict[int, list[Row]] = {}
    for row in rows:
        if row.target is not None:
            groups.setdefault(id(row.target), []).append(row)
    ministries = []
    for group in groups.values():
        target = group[0].target
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
            if not ministry and target.pk is None:
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
        if target.pk is not None:
            continue
        target.kind, target.ministry = kind, None
        if ministry:
            line = next((row.line for row in group if row.ministry), group[0].line)
            try:
                found = directory.match(ministry)
            except MatchError as error:
                errors.setdefault(line, []).append(f"« ministry » : {error}")
                continue
            if found is None:
                found = Administration(name=ministry, kind=K.MINISTRY)
                directory.add(found)
            target.ministry = found
            ministries.append((line, target, found))
    for line, target, ministry in ministries:
        if ministry is target:
            errors.setdefault(line, []).append(
                "« ministry » : une administration ne peut se rattacher à elle-même"
            )
        elif ministry.kind != K.MINISTRY:
            errors.setdefault(line, []).append(
                f"« ministry » : « {ministry.name} » n’est pas un ministère ou service de l’État "
                f"(nature : {ministry.kind})"
            )


def validate(records: list[Record]) -> list[Row]:
    """Every row, typed and checked against its promotion and the administrations already there;
    raises InvalidRows listing every bad row with its line."""
    errors: dict[int, list[str]] = {}
    where = {record.line: record.where for record in records}
    rows: list[Row] = []
    for record in records:
        row, problems = _row(record)
        if problems:
            errors.setdefault(record.line, []).extend(problems)
        if row is not None:
            rows.append(row)
    plans = _plans(rows)
    first_line_of: dict[tuple[int, str], str] = {}
    for row in rows:
        problems = []
        row.plan = plans.get(row.promotion)
        _positions(row, row.plan, problems)
        if row.plan is not None and row.title:
            if row.key in first_line_of:
                problems.append(
                    f"défi en double : « {row.title} » (promotion {row.promotion}) "
                    f"figure déjà {first_line_of[row.key]}"
                )
            else:
                first_line_of[row.key] = row.where
            _promotion_figures(row, row.plan, problems)
        if row.plan is not None:
            row.plan.first_row = row.plan.first_row or row
        if problems:
            errors.setdefault(row.line, []).extend(problems)
    directory = Directory.from_database()
    _resolve(rows, directory, errors)
    _classify(rows, directory, errors)
    for plan in sorted(plans.values(), key=lambda plan: plan.first_row.line if plan.first_row else 0):
        if plan.existing is None and plan.year is None and plan.first_row is not None:
            errors.setdefault(plan.first_row.line, []).append(
                f"« year » est nécessaire pour créer la promotion {plan.number}"
            )
    if errors:
        raise InvalidRows([(where[line], " ; ".join(problems)) for line, problems in sorted(errors.items())])
    return rows
