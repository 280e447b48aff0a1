"""Matching administrations by name: the kind of a body from its French name, and the
supervising ministry of well-known operators."""

import re

from lifecycle.enums import AdministrationKind
from lifecycle.text import folded

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


def inferred_kind(name: str) -> str:
    """The kind of an administration from its French name; a State service when nothing matches."""
    plain = folded(name)
    for kind, pattern in KIND_RULES:
        if pattern.search(plain):
            return kind
    return K.MINISTRY


def supervising_ministry(name: str) -> str | None:
    plain = folded(name)
    return next((ministry for pattern, ministry in SUPERVISING_MINISTRIES if pattern.search(plain)), None)
