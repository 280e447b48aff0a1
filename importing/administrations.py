"""Administrations in an import: which one a row designates (`match`, `Directory`), the kind of
a new one from its French name, and the supervising ministry of well-known operators."""

import functools
import re

from lifecycle.enums import AdministrationKind
from lifecycle.text import folded, normalized

K = AdministrationKind

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


@functools.lru_cache(maxsize=4096)  # asked once per row, and rows repeat their administrations
def inferred_kind(name: str) -> str:
    """The kind of an administration from its French name; a State service when nothing matches."""
    plain = folded(name)
    for kind, pattern in KIND_RULES:
        if pattern.search(plain):
            return kind
    return K.MINISTRY


@functools.lru_cache(maxsize=4096)
def supervising_ministry(name: str) -> str | None:
    plain = folded(name)
    return next((ministry for pattern, ministry in SUPERVISING_MINISTRIES if pattern.search(plain)), None)


# Matching -------------------------------------------------------------------------------------
#
# One administration, whatever the spelling a file uses, found in this order:
# 1. by SIRET, when the row gives one an administration has (it wins over the name);
# 2. by name: as written but for case, apostrophes and spaces; else also without accents,
#    punctuation, a leading article, nor the article after "ministère" ("Ministère des Armées",
#    "ministere des armees" and "Le ministère Armées" are one; "Ministère des Armées, DGA" another);
# 3. by acronym: the row's, else its name when one word ("MINARM"), among the administrations'
#    `acronyms`, the one a name ends with ("… numérique (DINUM)") and one-word names.
# Two candidates are never chosen between, nor a name and an acronym that designate two
# administrations: `Ambiguous` names them, for a manager to decide.

_NOT_ALPHANUMERIC = re.compile(r"[\W_]+")
_LEADING_ARTICLE = re.compile(r"^(le|la|les|l) ")
_MINISTRY_ARTICLE = re.compile(r"^(ministeres?) (de la|de l|des|du|de|d) ")
_TRAILING_ACRONYM = re.compile(r"\(([^\s()]{2,15})\)\s*$")
SIRET = re.compile(r"^\d{14}$")


class MatchError(Exception):
    """A row's administration cannot be decided: the message says why, in French."""


class Ambiguous(MatchError):
    """Several administrations fit: `candidates`, none is chosen."""

    def __init__(self, name: str, candidates: list):
        self.name, self.candidates = name, candidates
        listed = ", ".join(f"« {candidate.name} »" for candidate in candidates)
        super().__init__(
            f"administration « {name} » ambiguë : {listed} lui correspondent "
            "(précisez son nom exact ou son SIRET)"
        )


class SiretConflict(MatchError):
    """The name designates an administration whose SIRET is another."""

    def __init__(self, siret: str, administration):
        self.siret, self.administration = siret, administration
        super().__init__(
            f"le SIRET {siret} n’est pas celui de « {administration.name} » ({administration.siret})"
        )


def name_key(name: str) -> str:
    """A name without case, accents, punctuation, leading article or article after "ministère"."""
    text = " ".join(_NOT_ALPHANUMERIC.sub(" ", folded(name)).split())
    text = _LEADING_ARTICLE.sub("", text)
    return _MINISTRY_ARTICLE.sub(r"\1 ", text)


def acronym_key(acronym: str) -> str:
    """An acronym without case, accents, dots, hyphens or spaces: "A.P.-H.P." is "aphp"."""
    return _NOT_ALPHANUMERIC.sub("", folded(acronym))


def acronyms_of(administration) -> list[str]:
    """Its listed acronyms, the one its name ends with in parentheses, its name if one word."""
    written = [part.strip() for part in (administration.acronyms or "").split(",") if part.strip()]
    if found := _TRAILING_ACRONYM.search(administration.name):
        written.append(found.group(1))
    if len(administration.name.split()) == 1:
        written.append(administration.name)
    return written


def clean_siret(value) -> str:
    """The SIRET without its spaces ("130 025 265 00013"); "" when none."""
    return re.sub(r"\s", "", str(value or ""))


class Directory:
    """The administrations to match against, indexed once; `add` makes one created meanwhile (or
    still to create: an unsaved instance) found by the next rows."""

    def __init__(self, administrations=()):
        self.by_siret: dict[str, object] = {}
        self.by_exact: dict[str, list] = {}
        self.by_name: dict[str, list] = {}
        self.by_acronym: dict[str, list] = {}
        for administration in administrations:
            self.add(administration)

    @classmethod
    def from_database(cls) -> "Directory":
        from lifecycle.models import Administration

        return cls(Administration.objects.all())

    @staticmethod
    def _put(index: dict, key: str, administration):
        if key:
            entries = index.setdefault(key, [])
            if not any(entry is administration for entry in entries):
                entries.append(administration)

    def add(self, administration):
        if administration.siret:
            self.by_siret[administration.siret] = administration
        self._put(self.by_exact, normalized(administration.name), administration)
        self._put(self.by_name, name_key(administration.name), administration)
        for acronym in acronyms_of(administration):
            self._put(self.by_acronym, acronym_key(acronym), administration)

    def add_acronyms(self, administration, acronyms: str):
        """Record `acronyms` ("A, B") on an administration still to create, and index them."""
        listed = [part.strip() for part in administration.acronyms.split(",") if part.strip()]
        for acronym in (part.strip() for part in acronyms.split(",")):
            if acronym and all(acronym_key(acronym) != acronym_key(known) for known in listed):
                listed.append(acronym)
                self._put(self.by_acronym, acronym_key(acronym), administration)
        administration.acronyms = ", ".join(listed)

    def _by_acronyms(self, acronyms: str) -> list:
        found = []
        for acronym in acronyms.split(","):
            for candidate in self.by_acronym.get(acronym_key(acronym), []):
                if not any(candidate is known for known in found):
                    found.append(candidate)
        return found

    def match(self, name: str, *, siret="", acronym=""):
        """The administration `name` designates, or None; raises Ambiguous when several fit and
        SiretConflict when the name's administration has another SIRET."""
        siret = clean_siret(siret)
        if siret and siret in self.by_siret:
            return self.by_siret[siret]
        candidates = self.by_exact.get(normalized(name)) or self.by_name.get(name_key(name)) or []
        if len(candidates) > 1:
            raise Ambiguous(name, candidates)
        found = candidates[0] if candidates else None
        by_acronym = self._by_acronyms(acronym) if acronym else []
        if found is None:
            if not by_acronym and len(name.split()) == 1:
                by_acronym = self._by_acronyms(name)  # the name is an acronym: "MINARM"
            if len(by_acronym) > 1:
                raise Ambiguous(name, by_acronym)
            found = by_acronym[0] if by_acronym else None
        elif by_acronym and not any(candidate is found for candidate in by_acronym):
            raise Ambiguous(name, [found, *by_acronym])
        if found is not None and siret and found.siret and found.siret != siret:
            raise SiretConflict(siret, found)
        return found


def match(name: str, *, siret="", acronym=""):
    """The administration of the database that `name` (its SIRET, its acronym) designates, or
    None; raises Ambiguous (its `candidates`) or SiretConflict. For one lookup: an import of many
    rows builds one `Directory` and asks it."""
    return Directory.from_database().match(name, siret=siret, acronym=acronym)
