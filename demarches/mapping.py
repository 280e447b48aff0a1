"""A démarche's mapping: which champ or annotation of DS (by its stable descriptor id, with its
type) fills which part of our dossier, and how DS's states and choices read here.

The mapping is data, edited by a manager as YAML (a file or the démarche's page):

    champs:                      # and `annotations:`, the instructors' private champs
      Q2hhbXAtMTAwMQ==:          # the champ's descriptor id (stable across the démarche's dossiers)
        type: TextChamp          # its type on DS (its descriptor's, "Descriptor" left out)
        label: Nom du défi       # for people; the id is what counts
        to: name                 # a field of the dossier (TARGETS)
      Q2hhbXAtMTAwOQ==:
        type: RepetitionChamp
        to: positions            # rows: EIG positions, team, each column mapped alike
        columns:
          Q2hhbXAtMTAxMA==: {type: DropDownListChamp, to: profile}
    states:                      # DS's state → ours (STATES by default)
      accepte: preselected
    profiles:                    # a DS choice → a profile code of the call (else its code or label)
      Développeur·se: development

`map_dossier` reads one DS dossier through the mapping; `check` compares the mapping with the
démarche's descriptors (the dry run shows every champ, mapped or not).
"""

import decimal
import re
from dataclasses import dataclass, field

import yaml
from django.utils.translation import gettext as _

from lifecycle import profiles as call_profiles
from lifecycle.dossier.sections import FORM_FIELDS
from lifecycle.enums import ChallengeState, ContactRole, MentorRole
from lifecycle.models import Challenge
from lifecycle.models.people import PERSON_FIELDS
from lifecycle.text import folded

S = ChallengeState
# DS's states, and the state of ours a new dossier takes from each (a mapping may say otherwise).
STATES = {
    "en_construction": S.SUBMITTED,
    "en_instruction": S.SUBMITTED,
    "accepte": S.PRESELECTED,
    "refuse": S.NOT_PRESELECTED,
    "sans_suite": S.WITHDRAWN,
}
# DS's states and the reasons of a deletion, as DS's pages write them.
DS_STATE_LABELS = {
    "en_construction": "en construction",
    "en_instruction": "en instruction",
    "accepte": "accepté",
    "refuse": "refusé",
    "sans_suite": "classé sans suite",
}
DELETION_REASONS = {
    "user_request": "à la demande de l’usager",
    "user_removed": "compte de l’usager supprimé",
    "user_expired": "compte de l’usager expiré",
    "expired": "dossier expiré",
    "instructeur_request": "à la demande d’un instructeur",
    "manager_request": "à la demande d’un administrateur",
    "procedure_removed": "démarche supprimée",
}
IMPORTABLE_STATES = {S.SUBMITTED, S.PRESELECTED, S.NOT_PRESELECTED, S.PITCHED, S.WITHDRAWN, S.DRAFT}

# What a champ's value becomes, by the kind of target, and the DS types that can give it.
TEXT, BOOLEAN, NUMBER, CHOICES, SIRET, FILE, ROWS = (
    "text",
    "boolean",
    "number",
    "choices",
    "siret",
    "file",
    "rows",
)
NOT_VALUES = {"HeaderSectionChamp", "ExplicationChamp", "RepetitionChamp", "PieceJustificativeChamp"}
ACCEPTED_TYPES = {
    BOOLEAN: {"CheckboxChamp", "YesNoChamp"},
    NUMBER: {"IntegerNumberChamp", "DecimalNumberChamp", "NumberChamp", "TextChamp"},
    CHOICES: {"MultipleDropDownListChamp", "DropDownListChamp", "TextChamp"},
    SIRET: {"SiretChamp", "TextChamp"},
    FILE: {"PieceJustificativeChamp"},
    ROWS: {"RepetitionChamp"},
}

_BOOLEAN_FIELDS = {
    f.name for f in Challenge._meta.concrete_fields if f.get_internal_type() in ("BooleanField",)
}
_NUMBER_FIELDS = {f.name for f in Challenge._meta.concrete_fields if f.get_internal_type() == "DecimalField"}
DOSSIER_FIELDS = [name for name in FORM_FIELDS if name not in ("pitch_deck", "partner_administrations")]


def _kind_of_field(name: str) -> str:
    return BOOLEAN if name in _BOOLEAN_FIELDS else NUMBER if name in _NUMBER_FIELDS else TEXT


PEOPLE_ROLES = [*MentorRole.values, *ContactRole.values]
# Every target: its kind. Rows' columns have targets of their own (COLUMNS).
TARGETS = {
    **{name: _kind_of_field(name) for name in ["name", *DOSSIER_FIELDS] if name != "administration"},
    "administration": TEXT,
    "administration.siret": SIRET,
    "positions": ROWS,
    "positions.profiles": CHOICES,
    "team": ROWS,
    "pitch_deck": FILE,
    **{
        f"people.{role}.{name}": TEXT
        for role in PEOPLE_ROLES
        for name in (*PERSON_FIELDS, *(["function"] if role in MentorRole.values else []))
    },
}
COLUMNS = {
    "positions": {"profile": TEXT, "mission": TEXT, "expertise": TEXT},
    "team": {
        "name": TEXT,
        "function": TEXT,
        "status": TEXT,
        "involvement_percent": NUMBER,
        "contribution": TEXT,
    },
}


class MappingError(Exception):
    """A mapping that cannot be used: `problems`, each in French."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def accepts(kind: str, ds_type: str) -> bool:
    if kind == TEXT:
        return ds_type not in NOT_VALUES
    return ds_type in ACCEPTED_TYPES[kind]


def parse(text: str) -> dict:
    """A mapping from its YAML (or JSON) text, checked; MappingError lists every problem."""
    try:
        mapping = yaml.safe_load(text) or {}
    except yaml.YAMLError as error:
        where = getattr(error, "problem_mark", None)
        problem = (
            _("La correspondance n’est pas du YAML lisible (ligne %(line)d).") % {"line": where.line + 1}
            if where
            else _("La correspondance n’est pas du YAML lisible.")
        )
        raise MappingError([problem]) from None
    validate(mapping)
    return mapping


def validate(mapping) -> None:
    if not isinstance(mapping, dict):
        raise MappingError([_("La correspondance doit être un dictionnaire (champs, annotations, états).")])
    problems = []
    unknown = sorted(set(mapping) - {"champs", "annotations", "states", "profiles"})
    if unknown:
        problems.append(_("Clés inconnues : %(keys)s") % {"keys": ", ".join(map(str, unknown))})
    targets_seen: dict[str, str] = {}
    for section in ("champs", "annotations"):
        entries = mapping.get(section) or {}
        if not isinstance(entries, dict):
            problems.append(
                _("« %(section)s » doit associer des identifiants à des champs.") % {"section": section}
            )
            continue
        for champ_id, entry in entries.items():
            problems += _entry_problems(section, str(champ_id), entry, targets_seen)
    states = mapping.get("states") or {}
    if not isinstance(states, dict):
        problems.append(_("« states » doit associer des états de DS à nos états."))
    else:
        for ds_state, ours in states.items():
            if ds_state not in STATES:
                problems.append(
                    _("État de DS inconnu : « %(state)s » (connus : %(known)s)")
                    % {"state": ds_state, "known": ", ".join(STATES)}
                )
            elif ours not in IMPORTABLE_STATES:
                problems.append(
                    _("« %(state)s » ne peut devenir « %(ours)s » (possibles : %(known)s)")
                    % {"state": ds_state, "ours": ours, "known": ", ".join(sorted(IMPORTABLE_STATES))}
                )
    if not isinstance(mapping.get("profiles") or {}, dict):
        problems.append(_("« profiles » doit associer des choix de DS à des codes de profil."))
    if problems:
        raise MappingError(problems)


def _entry_problems(section, champ_id, entry, targets_seen) -> list[str]:
    where = f"{section} {champ_id}"
    if not isinstance(entry, dict) or not entry.get("type"):
        return [_("%(where)s : indiquer au moins « type » (et « to »)") % {"where": where}]
    target, ds_type = entry.get("to") or "", str(entry["type"])
    if not target:
        return []  # listed, not mapped
    if target not in TARGETS:
        return [_("%(where)s : destination inconnue « %(to)s »") % {"where": where, "to": target}]
    if target in targets_seen:
        return [
            _("%(where)s : « %(to)s » est déjà rempli par %(other)s")
            % {"where": where, "to": target, "other": targets_seen[target]}
        ]
    targets_seen[target] = where
    kind = TARGETS[target]
    if not accepts(kind, ds_type):
        return [
            _("%(where)s : un champ %(type)s ne peut remplir « %(to)s »")
            % {"where": where, "type": ds_type, "to": target}
        ]
    if kind != ROWS:
        return []
    problems, columns = [], entry.get("columns") or {}
    if not isinstance(columns, dict) or not columns:
        return [_("%(where)s : une répétition indique ses colonnes (« columns »)") % {"where": where}]
    for column_id, column in columns.items():
        if not isinstance(column, dict) or not column.get("type"):
            problems.append(
                _("%(where)s, colonne %(id)s : indiquer « type »") % {"where": where, "id": column_id}
            )
            continue
        name = column.get("to") or ""
        if name and name not in COLUMNS[target]:
            problems.append(
                _("%(where)s, colonne %(id)s : « %(to)s » inconnu (possibles : %(known)s)")
                % {"where": where, "id": column_id, "to": name, "known": ", ".join(COLUMNS[target])}
            )
        elif name and not accepts(COLUMNS[target][name], str(column["type"])):
            problems.append(
                _("%(where)s, colonne %(id)s : un champ %(type)s ne peut remplir « %(to)s »")
                % {"where": where, "id": column_id, "type": column["type"], "to": name}
            )
    return problems


def dump(mapping: dict) -> str:
    return yaml.safe_dump(mapping, allow_unicode=True, sort_keys=False, width=110)


# The démarche's descriptors against the mapping (the dry run) -------------------------------


def champ_type(descriptor: dict) -> str:
    return descriptor["__typename"].removesuffix("Descriptor")


@dataclass
class Line:
    """A champ of the démarche, or a champ of the mapping the démarche no longer has."""

    section: str
    id: str
    label: str
    type: str
    target: str = ""
    problem: str = ""
    columns: list["Line"] = field(default_factory=list)
    type_changed: bool = False  # a mapped champ whose type is no longer the mapping's: blocks a sync


def check(mapping: dict, demarche: dict) -> list[Line]:
    """Every champ and annotation of the démarche with what it maps to ("" unmapped), then the
    mapped ids the démarche does not have; a type that changed on DS is a problem."""
    revision = demarche["activeRevision"]
    lines = []
    for section, key in (("champs", "champDescriptors"), ("annotations", "annotationDescriptors")):
        entries = mapping.get(section) or {}
        present = set()
        for descriptor in revision[key]:
            present.add(descriptor["id"])
            entry = entries.get(descriptor["id"]) or {}
            line = Line(
                section, descriptor["id"], descriptor["label"], champ_type(descriptor), entry.get("to", "")
            )
            if entry and entry.get("type") != line.type:
                line.type_changed = True
                line.problem = _("type changé sur DS : %(was)s devenu %(now)s") % {
                    "was": entry.get("type"),
                    "now": line.type,
                }
            columns = entry.get("columns") or {}
            for sub in descriptor.get("champDescriptors") or []:
                column = columns.get(sub["id"]) or {}
                sub_line = Line(section, sub["id"], sub["label"], champ_type(sub), column.get("to", ""))
                if column and column.get("type") != sub_line.type:
                    sub_line.type_changed = True
                    sub_line.problem = _("type changé sur DS : %(was)s devenu %(now)s") % {
                        "was": column.get("type"),
                        "now": sub_line.type,
                    }
                line.columns.append(sub_line)
            lines.append(line)
        for champ_id, entry in entries.items():
            if champ_id not in present and entry.get("to"):
                lines.append(
                    Line(
                        section,
                        champ_id,
                        entry.get("label", ""),
                        entry.get("type", ""),
                        entry["to"],
                        _("absent de la démarche : « %(to)s » restera vide") % {"to": entry["to"]},
                    )
                )
    return lines


def blocking(lines: list[Line]) -> list[str]:
    """The problems that stop a sync: a mapped champ whose type changed (its values would be misread)."""
    return [
        f"{line.section} {line.id} ({line.label}) : {line.problem}"
        for parent in lines
        for line in [parent, *parent.columns]
        if line.type_changed and line.target
    ]


def completed(mapping: dict, demarche: dict) -> dict:
    """The mapping with every champ of the démarche it does not list yet (`suggested`'s guess);
    what it says already stays as it is."""
    proposal = suggested(demarche)
    for section in ("champs", "annotations"):
        proposal[section] = {**proposal[section], **(mapping.get(section) or {})}
    for key in ("states", "profiles"):
        if mapping.get(key):
            proposal[key] = mapping[key]
    return proposal


def suggested(demarche: dict) -> dict:
    """A mapping to start from: every champ listed, those whose label is a field's label mapped."""
    by_label = {
        folded(str(Challenge._meta.get_field(name).verbose_name)): name for name in ["name", *DOSSIER_FIELDS]
    }
    by_label.update({folded("nom du défi"): "name", folded("intitulé du défi"): "name"})
    revision, mapping, used = demarche["activeRevision"], {}, set()
    for section, key in (("champs", "champDescriptors"), ("annotations", "annotationDescriptors")):
        entries = {}
        for descriptor in revision[key]:
            ds_type = champ_type(descriptor)
            guess = by_label.get(folded(descriptor["label"]), "")
            if guess and (guess in used or not accepts(TARGETS[guess], ds_type)):
                guess = ""
            used.add(guess)
            entry = {"type": ds_type, "label": descriptor["label"], "to": guess}
            if descriptor.get("champDescriptors"):
                entry["columns"] = {
                    sub["id"]: {"type": champ_type(sub), "label": sub["label"], "to": ""}
                    for sub in descriptor["champDescriptors"]
                }
            entries[descriptor["id"]] = entry
        mapping[section] = entries
    mapping["states"] = {state: str(ours) for state, ours in STATES.items()}
    return mapping


# One dossier through the mapping ------------------------------------------------------------


@dataclass
class Attachment:
    filename: str
    content_type: str
    checksum: str
    size: int
    url: str


@dataclass
class Mapped:
    """A DS dossier as our dossier's parts, and what could not be read (the dossier is refused)."""

    number: int
    ds_state: str
    updated_at: str
    state: str
    fields: dict = field(default_factory=dict)
    administration: str = ""
    siret: str = ""
    profiles: list[str] = field(default_factory=list)
    positions: list[dict] | None = None  # with missions: the positions' rows; None: profiles only
    team: list[dict] | None = None
    people: dict = field(default_factory=dict)
    attachment: Attachment | None = None
    problems: list[str] = field(default_factory=list)

    def values(self) -> dict:
        """What the digest covers: every value the sync would write (the file by its checksum)."""
        return {
            "state": self.state,
            "fields": self.fields,
            "administration": [self.administration, self.siret],
            "profiles": self.profiles,
            "positions": self.positions,
            "team": self.team,
            "people": self.people,
            "attachment": self.attachment.checksum if self.attachment else "",
        }


def _text(champ: dict) -> str:
    value = champ.get("value") if champ["__typename"] == "TextChamp" else champ.get("stringValue")
    return "" if value is None else str(value).strip()


def _boolean(champ: dict):
    typename = champ["__typename"]
    if typename == "CheckboxChamp":
        return bool(champ.get("checked"))
    return champ.get("yes")  # YesNoChamp: None when not answered


def _number(champ: dict, problems: list[str], label: str):
    value = champ.get("integerValue", champ.get("decimalValue"))
    if value is None:
        text = (champ.get("stringValue") or "").replace("\u202f", "").replace(" ", "").replace(",", ".")
        if not text:
            return None
        value = text
    try:
        return decimal.Decimal(str(value))
    except decimal.InvalidOperation:
        problems.append(
            _("« %(label)s » n’est pas un nombre : « %(value)s »") % {"label": label, "value": value}
        )
        return None


def _choices(champ: dict) -> list[str]:
    if champ["__typename"] == "MultipleDropDownListChamp":
        return [value.strip() for value in champ.get("values") or [] if value.strip()]
    if champ["__typename"] == "DropDownListChamp":
        return [champ["choice"].strip()] if champ.get("choice") else []
    return [item.strip() for item in re.split(r"[;,\n]", _text(champ)) if item.strip()]


def _siret(champ: dict) -> str:
    if champ["__typename"] == "SiretChamp":
        return ((champ.get("etablissement") or {}).get("siret") or "").strip()
    return re.sub(r"\s", "", _text(champ))


class ProfileReader:
    """A DS choice as a profile code of the promotion's call: the mapping's table, else the
    call's code or label (whatever the case and accents)."""

    def __init__(self, call, table: dict):
        profiles = call_profiles.of_call(call)
        self.codes = {profile.code.casefold(): profile.code for profile in profiles}
        self.labels = {folded(profile.label): profile.code for profile in profiles}
        self.table = {folded(str(key)): str(value) for key, value in (table or {}).items()}

    def code(self, choice: str) -> str | None:
        key = folded(choice)
        code = self.table.get(key) or choice
        return self.codes.get(code.casefold()) or self.labels.get(folded(code)) or self.labels.get(key)


def map_dossier(node: dict, mapping: dict, profiles: ProfileReader) -> Mapped:
    states = {**STATES, **(mapping.get("states") or {})}
    mapped = Mapped(
        number=node["number"],
        ds_state=node["state"],
        updated_at=node["dateDerniereModification"],
        state=str(states.get(node["state"], S.SUBMITTED)),
    )
    demandeur = node.get("demandeur") or {}
    if demandeur.get("__typename") == "PersonneMorale":
        mapped.siret = (demandeur.get("siret") or "").strip()
        mapped.administration = ((demandeur.get("entreprise") or {}).get("raisonSociale") or "").strip()
    for section in ("champs", "annotations"):
        entries = mapping.get(section) or {}
        for champ in node.get(section) or []:
            entry = entries.get(champ["champDescriptorId"])
            if entry and entry.get("to"):
                _apply(mapped, entry, champ, profiles)
    if not mapped.fields.get("name"):
        mapped.problems.append(_("nom du défi absent"))
    if not mapped.administration:
        mapped.problems.append(_("administration absente (ni champ, ni demandeur personne morale)"))
    return mapped


def _apply(mapped: Mapped, entry: dict, champ: dict, profiles: ProfileReader):
    target, label, problems = entry["to"], champ.get("label", ""), mapped.problems
    kind = TARGETS[target]
    if target == "administration":
        mapped.administration = _text(champ) or mapped.administration
    elif target == "administration.siret":
        mapped.siret = _siret(champ) or mapped.siret
    elif target == "positions.profiles":
        mapped.profiles = _profiles(_choices(champ), profiles, problems)
    elif target == "pitch_deck":
        files = champ.get("files") or []
        if files:
            file = files[0]
            mapped.attachment = Attachment(
                file["filename"],
                file["contentType"],
                file["checksum"],
                int(file["byteSizeBigInt"]),
                file["url"],
            )
    elif kind == ROWS:
        rows = _rows(entry, champ, problems)
        if target == "positions":
            codes = _profiles([row.get("profile", "") for row in rows], profiles, problems)
            mapped.profiles = codes
            mapped.positions = [
                {"profile": code, "mission": row.get("mission", ""), "expertise": row.get("expertise", "")}
                for code, row in zip(codes, rows, strict=False)
            ]
        else:
            mapped.team = rows
    elif target.startswith("people."):
        _, role, name = target.split(".")
        mapped.people.setdefault(role, {})[name] = _text(champ)
    elif kind == BOOLEAN:
        mapped.fields[target] = _boolean(champ)
    elif kind == NUMBER:
        value = _number(champ, problems, label)
        mapped.fields[target] = None if value is None else str(value)
    else:
        mapped.fields[target] = _text(champ)


def _profiles(choices: list[str], profiles: ProfileReader, problems: list[str]) -> list[str]:
    codes = []
    for choice in choices:
        code = profiles.code(choice)
        if code is None:
            problems.append(_("profil inconnu de l’appel : « %(choice)s »") % {"choice": choice})
        else:
            codes.append(code)
    return codes


def _rows(entry: dict, champ: dict, problems: list[str]) -> list[dict]:
    columns = entry.get("columns") or {}
    rows = []
    for row in champ.get("rows") or []:
        values = {}
        for sub in row.get("champs") or []:
            column = columns.get(sub["champDescriptorId"]) or {}
            name = column.get("to")
            if not name:
                continue
            target = COLUMNS[entry["to"]][name]
            if target == NUMBER:
                number = _number(sub, problems, sub.get("label", ""))
                values[name] = None if number is None else int(number)
            else:
                values[name] = _text(sub)
        if any(value not in (None, "") for value in values.values()):
            rows.append(values)
    return rows
