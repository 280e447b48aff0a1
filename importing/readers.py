"""Reading an import file into records, each with the line where it starts.

YAML (PyYAML's marks give each challenge's line; a plain list of challenges is read in one pass
over the parser's events, anything else node by node), CSV (the standard library's reader, which
knows the physical line of a row even when a cell holds several lines), JSON (an element's
position in the list: the standard parser gives no line), and spreadsheets, XLSX and ODS,
through tablib (a row's number in the sheet).
"""

import csv
import io
import json
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import tablib
import yaml


class ImportFileError(Exception):
    """The file cannot be read at all (unknown format, missing, not the expected structure)."""


@dataclass
class Record:
    """A row as read from the file, before validation, with where it starts."""

    line: int  # its order in the file (a line, or an element for JSON)
    values: dict | None
    problem: str = ""
    unit: str = "ligne"

    @property
    def where(self) -> str:
        return f"{self.unit} {self.line}"


FORMATS = ".yml, .yaml, .json, .csv, .xlsx ou .ods"
# An import file is a list of challenges: bounded in size, in depth, in number of challenges and
# of values, and without YAML aliases that multiply (an "alias bomb" grows without bound when it
# is read); a spreadsheet, a zip archive, is bounded once unpacked too (a "zip bomb"). The
# programme's three first promotions are 100 kB of YAML, 130 challenges and 1,139 YAML values:
# these bounds leave room for far more, and keep what a file becomes in memory near 150 MB.
MAX_BYTES = 20 * 1024 * 1024
MAX_UNPACKED_BYTES = 25 * 1024 * 1024
MAX_DEPTH = 8
MAX_RECORDS = 5000
MAX_VALUES = 250_000


def _too_many_records(count) -> ImportFileError:
    return ImportFileError(
        f"Le fichier contient plus de {MAX_RECORDS} défis ({count}) : importez-le en plusieurs parties."
    )


def _too_many_values() -> ImportFileError:
    return ImportFileError(
        f"Le fichier contient plus de {MAX_VALUES} valeurs : ce n’est pas une liste de défis, ou "
        "importez-le en plusieurs parties."
    )


def read_records(path) -> list[Record]:
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in TEXT_READERS and suffix not in SHEET_FORMATS:
        raise ImportFileError(
            f"Format de fichier inconnu « {path.suffix or path.name} » : "
            f"le fichier doit se terminer par {FORMATS}."
        )
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ImportFileError(
                f"Le fichier {path.name} dépasse {MAX_BYTES // 1024 // 1024} Mo "
                f"({size // 1024 // 1024} Mo) : importez-le en plusieurs parties."
            )
        if suffix in SHEET_FORMATS:
            records = _sheet_records(path.read_bytes(), SHEET_FORMATS[suffix], path.name)
        else:
            records = TEXT_READERS[suffix](path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise ImportFileError(f"Fichier introuvable : {path}") from None
    except UnicodeDecodeError:
        raise ImportFileError(f"Le fichier {path.name} n’est pas encodé en UTF-8.") from None
    except OSError as error:
        raise ImportFileError(f"Lecture impossible de {path} : {error.strerror}") from None
    except MemoryError:
        raise ImportFileError(
            f"Le fichier {path.name} est trop gros pour la mémoire disponible : "
            "importez-le en plusieurs parties."
        ) from None
    if len(records) > MAX_RECORDS:
        raise _too_many_records(len(records))
    return records


def _children(node) -> list:
    if isinstance(node, yaml.SequenceNode):
        return node.value
    if isinstance(node, yaml.MappingNode):
        return [child for pair in node.value for child in pair]
    return []


def _check_yaml(root):
    """Bound what the file becomes once read: aliases (« *nom ») may reuse a value, not multiply
    it (an "alias bomb"), nor refer to themselves; no value deeper than MAX_DEPTH."""
    sizes, depths, unique = {}, {}, 0
    stack = [(root, False)]
    in_progress = set()
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            children = _children(node)
            sizes[key] = 1 + sum(sizes[id(child)] for child in children)
            depths[key] = 1 + max((depths[id(child)] for child in children), default=0)
            in_progress.discard(key)
            continue
        if key in sizes:
            continue
        if key in in_progress:
            raise ImportFileError(
                f"YAML refusé, ligne {node.start_mark.line + 1} : un alias (« *nom ») renvoie à lui-même."
            )
        unique += 1
        in_progress.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in sizes)
    if sizes[id(root)] > 4 * unique + 10_000:
        raise ImportFileError(
            f"YAML refusé : ses alias (« *nom ») multiplient les {unique} valeurs du fichier en "
            f"{sizes[id(root)]} ; écrivez chaque défi en entier."
        )
    if depths[id(root)] > MAX_DEPTH + 1:
        raise ImportFileError(f"YAML refusé : plus de {MAX_DEPTH} niveaux imbriqués.")


def _count_yaml_events(text: str, loader_class):
    """Parse without building anything, counting: a file of millions of tiny values would
    otherwise take gigabytes once composed."""
    for count, _event in enumerate(yaml.parse(text, Loader=loader_class)):
        if count > MAX_VALUES:
            raise _too_many_values()


class _NotPlain(Exception):
    """The file uses what only the careful reading handles (see _plain_yaml_records)."""


_YAML_STR = yaml.resolver.BaseResolver.DEFAULT_SCALAR_TAG
_YAML_INT = "tag:yaml.org,2002:int"
# The tags of keys the constructor treats apart (a merge key "<<", a value key "=").
_YAML_SPECIAL_KEYS = {"tag:yaml.org,2002:merge", "tag:yaml.org,2002:value"}
_YAML_COLLECTION_STARTS = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_YAML_COLLECTION_ENDS = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


def _plain_yaml_records(text: str, loader_class) -> list[Record]:
    """The records of a plain list of challenges, built in one pass over the parser's events,
    with the bounds of the careful reading (values, depth, aliases that multiply) counted on the
    way: counting the events, composing the nodes, walking them and constructing each row cost
    four times as much (4.5 s against 1.1 s for 5,000 challenges).

    Each value is the one the careful reading makes: a plain scalar resolved by the loader's own
    rules (`12` an integer, `yes` a boolean, `2019-01-01` a date), the others strings, an alias
    the value of its anchor (the same object). Raises _NotPlain on anything else (tags, merge
    keys, keys that are not scalars, not one document holding a list) and past a bound: the
    careful reading then reads the file, and refuses it in its own words where it must.
    """
    loader = loader_class(text)
    try:
        return _records_from_events(loader)
    finally:
        loader.dispose()


def _records_from_events(loader) -> list[Record]:
    resolve, construct = loader.resolve, loader.construct_object
    # A plain scalar starting with a character no implicit rule starts with is a string.
    first_characters = loader.yaml_implicit_resolvers
    events = iter(loader.get_event, None)
    if None in first_characters or not (
        isinstance(next(events), yaml.StreamStartEvent) and isinstance(next(events), yaml.DocumentStartEvent)
    ):
        raise _NotPlain
    records, anchors, nodes = [], {}, 0  # anchors: {name: (value, size, depth, line)}
    # The collections being read: [value, key (a 1-tuple once read), is a mapping, size once
    # its aliases are expanded, depth, line, anchor].
    stack = []
    for count, event in enumerate(events, start=3):
        kind = type(event)
        expecting_key = bool(stack) and stack[-1][2] and stack[-1][1] is None
        if count > MAX_VALUES + 1 or len(stack) > MAX_DEPTH + 1:
            raise _NotPlain
        if kind is yaml.ScalarEvent:
            if event.tag is not None:
                raise _NotPlain
            nodes += 1
            value, anchor = event.value, event.anchor
            if event.implicit[0] and (not value or value[0] in first_characters):
                tag = resolve(yaml.ScalarNode, value, event.implicit)
                if tag == _YAML_INT and value.isascii() and value.isdigit() and value[0] != "0":
                    value = int(value)  # what the constructor makes of a decimal, at a tenth of its cost
                elif tag != _YAML_STR:
                    if expecting_key and tag in _YAML_SPECIAL_KEYS:
                        raise _NotPlain
                    node = yaml.ScalarNode(tag, value, event.start_mark, event.end_mark, event.style)
                    value = construct(node, deep=True)
            size, depth, line = 1, 1, event.start_mark.line + 1
        elif kind in _YAML_COLLECTION_STARTS:
            if event.tag is not None or expecting_key:
                raise _NotPlain
            nodes += 1
            is_mapping = kind is yaml.MappingStartEvent
            stack.append(
                [{} if is_mapping else [], None, is_mapping, 1, 1, event.start_mark.line + 1, event.anchor]
            )
            continue
        elif kind in _YAML_COLLECTION_ENDS:
            value, _key, _is_mapping, size, depth, line, anchor = stack.pop()
        elif kind is yaml.AliasEvent and not expecting_key and event.anchor in anchors:
            value, size, depth, line = anchors[event.anchor]
            anchor = None
        else:
            raise _NotPlain  # an alias of a collection still open, or of no anchor
        if anchor is not None:
            if anchor in anchors:
                raise _NotPlain  # the same anchor twice
            anchors[anchor] = (value, size, depth, line)
        if not stack:
            break
        parent = stack[-1]
        parent[3] += size
        parent[4] = max(parent[4], depth + 1)
        if not parent[2]:
            parent[0].append(value)
        elif parent[1] is None:
            parent[1] = (value,)
        else:
            parent[0][parent[1][0]] = value
            parent[1] = None
        if len(stack) == 1:
            records.append(Record(line, value if isinstance(value, dict) else None))
    else:
        raise _NotPlain
    if not isinstance(value, list) or size > 4 * nodes + 10_000 or depth > MAX_DEPTH + 1:
        raise _NotPlain
    if not (
        isinstance(next(events), yaml.DocumentEndEvent) and isinstance(next(events), yaml.StreamEndEvent)
    ):
        raise _NotPlain
    if next(events, None) is not None:
        raise _NotPlain
    return records


def _yaml_records(text: str) -> list[Record]:
    loader_class = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return _plain_yaml_records(text, loader_class)
    except Exception:  # anything unusual, even an error: the careful reading decides, in its words
        return _careful_yaml_records(text, loader_class)


def _careful_yaml_records(text: str, loader_class) -> list[Record]:
    """Count the events, compose the nodes, bound them (_check_yaml), then construct each row."""
    loader = loader_class(text)
    try:
        _count_yaml_events(text, loader_class)
        root = loader.get_single_node()
        if root is None:
            return []
        if not isinstance(root, yaml.SequenceNode):
            raise ImportFileError("Le fichier YAML doit contenir une liste de défis (« - title: … »).")
        _check_yaml(root)
        records = []
        for node in root.value:
            value = loader.construct_object(node, deep=True)
            records.append(Record(node.start_mark.line + 1, value if isinstance(value, dict) else None))
        return records
    except yaml.MarkedYAMLError as error:
        line = error.problem_mark.line + 1 if error.problem_mark else "?"
        if "nesting depth" in (error.problem or ""):  # libyaml's own bound, far beyond ours
            raise ImportFileError(f"YAML refusé : plus de {MAX_DEPTH} niveaux imbriqués.") from None
        raise ImportFileError(f"YAML illisible, ligne {line} : {error.problem}") from None
    except yaml.reader.ReaderError as error:
        line = text.count("\n", 0, error.position) + 1
        raise ImportFileError(
            f"YAML illisible, ligne {line} : caractère interdit (#x{error.character:04x})."
        ) from None
    except yaml.YAMLError as error:
        raise ImportFileError(f"YAML illisible : {error}") from None
    finally:
        loader.dispose()


def _json_depth(value) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        stack.extend((child, depth + 1) for child in children)
    return deepest


def _json_records(text: str) -> list[Record]:
    # An upper bound of the values (every value but the last of a list or object is followed by
    # a comma), counted before anything is built.
    if text.count(",") + text.count("[") + text.count("{") > MAX_VALUES:
        raise _too_many_values()
    try:
        items = json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportFileError(f"JSON illisible, ligne {error.lineno} : {error.msg}") from None
    except ValueError:  # the only other error of the parser: a number of thousands of digits
        raise ImportFileError(
            f"JSON refusé : un de ses nombres a plus de {sys.get_int_max_str_digits()} chiffres."
        ) from None
    except RecursionError:
        raise ImportFileError(f"JSON refusé : plus de {MAX_DEPTH} niveaux imbriqués.") from None
    if _json_depth(items) > MAX_DEPTH:
        raise ImportFileError(f"JSON refusé : plus de {MAX_DEPTH} niveaux imbriqués.")
    if not isinstance(items, list):
        raise ImportFileError("Le fichier JSON doit contenir une liste de défis ([ … ]).")
    return [
        Record(number, item if isinstance(item, dict) else None, unit="élément")
        for number, item in enumerate(items, start=1)
    ]


def _csv_records(text: str) -> list[Record]:
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [name.strip() for name in next(reader, [])]
        records = []
        end_of_previous = reader.line_num
        for values in reader:
            if len(records) == MAX_RECORDS:
                raise _too_many_records(f"{MAX_RECORDS + 1} et plus")
            line, end_of_previous = end_of_previous + 1, reader.line_num
            if not any(value.strip() for value in values):
                continue
            if len(values) != len(header):
                problem = (
                    f"{len(values)} colonnes au lieu des {len(header)} de l’en-tête (un guillemet oublié ?)"
                )
                records.append(Record(line, None, problem))
                continue
            records.append(
                Record(
                    line, {name: value.strip() or None for name, value in zip(header, values, strict=True)}
                )
            )
        return records
    except csv.Error as error:
        raise ImportFileError(f"CSV illisible, ligne {reader.line_num} : {error}") from None


def _cell(value):
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, float) and value.is_integer():
        return int(value)  # spreadsheets store whole numbers as floats
    return value


def _check_unpacked_size(content: bytes, name: str):
    """A spreadsheet is a zip archive: refuse one that would unpack beyond MAX_UNPACKED_BYTES,
    by what its directory declares (and the zip reader stops at the declared size)."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(item.file_size for item in archive.infolist())
    except zipfile.BadZipFile:
        raise ImportFileError(f"Tableur illisible ({name}) : ce n’est pas un fichier XLSX ou ODS.") from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise ImportFileError(
            f"Tableur refusé ({name}) : une fois décompressé, il ferait {unpacked // 1024 // 1024} Mo "
            f"(au plus {MAX_UNPACKED_BYTES // 1024 // 1024} Mo) ; importez-le en plusieurs parties."
        )


def _sheet_records(content: bytes, file_format: str, name: str) -> list[Record]:
    """The first sheet, its first row the header: row N of the sheet is "ligne N"."""
    _check_unpacked_size(content, name)
    try:
        dataset = tablib.Dataset().load(content, format=file_format)
    except Exception as error:  # each format's library has its own errors for a broken file
        raise ImportFileError(f"Tableur illisible ({name}) : {error}") from None
    header = [str(title or "").strip() for title in dataset.headers or []]
    records = []
    for number, values in enumerate(dataset, start=2):
        if len(records) == MAX_RECORDS:
            raise _too_many_records(f"{MAX_RECORDS + 1} et plus")
        cells = [_cell(value) for value in values]
        if all(cell is None for cell in cells):
            continue
        records.append(Record(number, {key: cell for key, cell in zip(header, cells, strict=False) if key}))
    return records


TEXT_READERS = {".yml": _yaml_records, ".yaml": _yaml_records, ".json": _json_records, ".csv": _csv_records}
SHEET_FORMATS = {".xlsx": "xlsx", ".ods": "ods"}
