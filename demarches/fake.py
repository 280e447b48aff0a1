"""A démarches-simplifiées of our own, on loopback, for the tests, the bench and the demo: a real
HTTP server that executes DS's GraphQL schema (demarches/queries/schema.graphql, the platform's
published one, from ../shared/reference/) with graphql-core over fixture dossiers, and serves
their attachments from expiring URLs. graphql-core is a development dependency: production never
imports this module.

It keeps DS's behaviour that a sync relies on: the Bearer token checked, pages of at most 100
ordered by last change when `updatedSince` is given, an opaque cursor, `deletedDossiers`, a 429
with `Retry-After`, a partial answer with `errors`, attachment URLs that expire. `script` queues
what the next requests meet ("429", "500", "error", "slow", "file-500"). Tests and the demo's
loading start it in a thread (`running()`); the benchmark in a process of its own (`python -m
demarches.fake N`), so that its time and memory are not the sync's; `make run` serves the demo's
dossiers (`python -m demarches.fake --demo --port 8765`) for the démarche's page to sync from.
"""

import base64
import contextlib
import datetime as dt
import hashlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import yaml
from graphql import build_schema, graphql_sync

SCHEMA_PATH = Path(__file__).parent / "queries" / "schema.graphql"
TOKEN = "jeton-de-test-ds"
DEMARCHE = 12345


def champ_id(number: int) -> str:
    return base64.b64encode(f"Champ-{number}".encode()).decode()


# The fixture démarche's champs: (number, type, label), and the mapping a manager would write.
NAME, SUMMARY, DESCRIPTION, PROBLEM, SIRET, ADMINISTRATION = 1, 2, 3, 4, 5, 6
POSITIONS, POSITION_PROFILE, POSITION_MISSION = 7, 71, 72
TEAM, TEAM_NAME, TEAM_FUNCTION, TEAM_SHARE = 8, 81, 82, 83
HR_FIRST, HR_LAST, HR_EMAIL, OUTSIDE_WALLS, DATA_ACCESSIBLE, DECK, SOURCE, HEADER = (
    9,
    10,
    11,
    12,
    13,
    14,
    15,
    16,
)
OPINION, COST = 101, 102
CHAMPS = [
    (HEADER, "HeaderSectionChamp", "Informations administratives"),
    (NAME, "TextChamp", "Nom du défi"),
    (ADMINISTRATION, "TextChamp", "Administration porteuse"),
    (SIRET, "SiretChamp", "SIRET de l’administration"),
    (SUMMARY, "TextChamp", "Résumé en une phrase"),
    (DESCRIPTION, "TextareaChamp", "Description publique"),
    (PROBLEM, "TextareaChamp", "Problématique à résoudre"),
    (POSITIONS, "RepetitionChamp", "Postes d’EIG"),
    (TEAM, "RepetitionChamp", "Équipe projet"),
    (HR_FIRST, "TextChamp", "Prénom du contact RH"),
    (HR_LAST, "TextChamp", "Nom du contact RH"),
    (HR_EMAIL, "EmailChamp", "E-mail du contact RH"),
    (OUTSIDE_WALLS, "CheckboxChamp", "Les EIG pourront travailler hors les murs"),
    (DATA_ACCESSIBLE, "YesNoChamp", "Les données sont-elles déjà accessibles ?"),
    (SOURCE, "TextChamp", "Code source existant"),
    (DECK, "PieceJustificativeChamp", "Présentation de synthèse (PDF)"),
]
COLUMNS = {
    POSITIONS: [
        (POSITION_PROFILE, "DropDownListChamp", "Profil"),
        (POSITION_MISSION, "TextareaChamp", "Mission"),
    ],
    TEAM: [
        (TEAM_NAME, "TextChamp", "Nom"),
        (TEAM_FUNCTION, "TextChamp", "Fonction"),
        (TEAM_SHARE, "IntegerNumberChamp", "Implication (%)"),
    ],
}
ANNOTATIONS = [
    (OPINION, "TextareaChamp", "Avis de l’instructeur"),
    (COST, "DecimalNumberChamp", "Coût employeur"),
]
TARGETS = {
    NAME: "name",
    ADMINISTRATION: "administration",
    SIRET: "administration.siret",
    SUMMARY: "summary",
    DESCRIPTION: "public_description",
    PROBLEM: "problem",
    POSITIONS: "positions",
    POSITION_PROFILE: "profile",
    POSITION_MISSION: "mission",
    TEAM: "team",
    TEAM_NAME: "name",
    TEAM_FUNCTION: "function",
    TEAM_SHARE: "involvement_percent",
    HR_FIRST: "people.hr.first_name",
    HR_LAST: "people.hr.last_name",
    HR_EMAIL: "people.hr.email",
    OUTSIDE_WALLS: "attests_outside_walls",
    DATA_ACCESSIBLE: "datasets_accessible",
    SOURCE: "source_code_url",
    DECK: "pitch_deck",
    COST: "total_employer_cost",
}
# The champ's type in a dossier (a Textarea or an e-mail champ reads as a TextChamp).
VALUE_TYPES = {"TextareaChamp": "TextChamp", "EmailChamp": "TextChamp"}


def mapping() -> dict:
    """The mapping of the fixture démarche, as a manager writes it."""

    def entry(number, ds_type, label):
        value = {"type": ds_type, "label": label, "to": TARGETS.get(number, "")}
        if number in COLUMNS:
            value["columns"] = {
                champ_id(n): {"type": t, "to": TARGETS[n]} for n, t, _label in COLUMNS[number]
            }
        return value

    return {
        "champs": {champ_id(n): entry(n, t, label) for n, t, label in CHAMPS},
        "annotations": {champ_id(n): entry(n, t, label) for n, t, label in ANNOTATIONS},
        "profiles": {"Développeur·se": "development", "Data scientist": "data_science", "Designer": "design"},
    }


def descriptors() -> dict:
    def descriptor(number, ds_type, label):
        value = {
            "__typename": f"{ds_type}Descriptor",
            "id": champ_id(number),
            "label": label,
            "required": True,
        }
        if number in COLUMNS:
            value["champDescriptors"] = [descriptor(*column) for column in COLUMNS[number]]
        return value

    return {
        "champDescriptors": [descriptor(*champ) for champ in CHAMPS],
        "annotationDescriptors": [descriptor(*annotation) for annotation in ANNOTATIONS],
    }


# Every champ of the démarche by number: (type, label).
_ALL = {n: (t, label) for n, t, label in [*CHAMPS, *ANNOTATIONS, *(c for cs in COLUMNS.values() for c in cs)]}


def _champ(number: int, value, updated_at: str) -> dict:
    ds_type, label = _ALL[number]
    typename = VALUE_TYPES.get(ds_type, ds_type)
    champ = {
        "__typename": typename,
        "id": base64.b64encode(f"Champ-{number}-{id(value)}".encode()).decode(),
        "champDescriptorId": champ_id(number),
        "label": label,
        "stringValue": None if value is None else str(value),
        "updatedAt": updated_at,
        "prefilled": False,
        "columns": [],
    }
    if typename in ("CheckboxChamp", "YesNoChamp"):
        champ["stringValue"] = {True: "Oui", False: "Non", None: None}[value]
        champ["value"] = bool(value) if typename == "CheckboxChamp" else value
    elif typename == "SiretChamp":
        champ["etablissement"] = value and {
            "siret": value,
            "entreprise": None,
            "__typename": "PersonneMorale",
        }
    else:
        champ["value"] = value
    return champ


def pdf(title: str, pages: int = 3) -> bytes:
    from demo.pdfs import slides_pdf

    return slides_pdf(
        title, [(f"Diapositive {n}", ["Un défi d’intérêt général"]) for n in range(1, pages + 1)]
    )


def siret_of(name: str) -> str:
    """The SIRET of the legal person filing for `name`: one per administration, stable."""
    from lifecycle.text import folded

    return "1" + str(int(hashlib.sha256(folded(name).encode()).hexdigest(), 16))[:13]


def checksum(content: bytes) -> str:
    return base64.b64encode(hashlib.md5(content, usedforsecurity=False).digest()).decode()


class Store:
    """The démarche's dossiers (number → the dossier's values) and its attachments."""

    def __init__(self):
        self.dossiers: dict[int, dict] = {}
        self.deleted: list[dict] = []
        self.files: dict[str, bytes] = {}  # key → content
        self.clock = dt.datetime(2018, 9, 3, 9, 0, tzinfo=dt.UTC)
        self.lock = threading.Lock()

    def tick(self) -> str:
        self.clock += dt.timedelta(seconds=1)
        return self.clock.isoformat()

    def put(self, number: int, values: dict, *, state="en_construction", deck: bytes | None = None):
        """A dossier filed (or changed): `values` by champ number (POSITIONS and TEAM: lists of rows)."""
        with self.lock:
            updated_at = self.tick()
            if deck is not None:
                self.files[f"{number}-{checksum(deck)}"] = deck
            self.dossiers[number] = {
                "number": number,
                "state": state,
                "values": values,
                "deck": deck,
                "updated_at": updated_at,
                "filed_at": self.dossiers.get(number, {}).get("filed_at", updated_at),
            }

    def change(self, number: int, **changes):
        record = self.dossiers[number]
        values = {**record["values"], **changes.pop("values", {})}
        self.put(
            number,
            values,
            state=changes.get("state", record["state"]),
            deck=changes.get("deck", record["deck"]),
        )

    def delete(self, number: int, reason="user_request"):
        with self.lock:
            record = self.dossiers.pop(number)
            self.deleted.append(
                {
                    "number": number,
                    "dateSupression": self.tick(),
                    "reason": reason,
                    "state": record["state"],
                    "id": str(number),
                }
            )

    def node(self, record: dict, base_url: str, expired: bool = False) -> dict:
        values, updated_at = record["values"], record["updated_at"]
        champs = []
        for number, ds_type, _label in CHAMPS:
            if ds_type == "HeaderSectionChamp":
                champs.append(_champ(number, None, updated_at))
            elif number in COLUMNS:
                champ = _champ(number, None, updated_at)
                champ["rows"] = [
                    {
                        "id": f"row-{i}",
                        "champs": [_champ(n, row.get(n), updated_at) for n, _t, _l in COLUMNS[number]],
                    }
                    for i, row in enumerate(values.get(number) or [])
                ]
                champs.append(champ)
            elif number == DECK:
                champ = _champ(number, None, updated_at)
                deck = record["deck"]
                champ["files"] = (
                    [
                        {
                            "filename": values.get("deck_name", "présentation.pdf"),
                            "contentType": values.get("deck_type", "application/pdf"),
                            "checksum": values.get("deck_checksum", checksum(deck)),
                            "byteSizeBigInt": str(len(deck)),
                            "url": f"{base_url}/fichiers/{record['number']}-{checksum(deck)}"
                            f"?expire={0 if expired else int(time.time()) + 3600}",
                        }
                    ]
                    if deck
                    else []
                )
                champs.append(champ)
            elif number in values:  # a champ left empty on DS is still listed, without a value
                champs.append(_champ(number, values[number], updated_at))
            else:
                champs.append(_champ(number, None, updated_at))
        return {
            "number": record["number"],
            "state": record["state"],
            "dateDepot": record["filed_at"],
            "dateDerniereModification": updated_at,
            "demandeur": {
                "__typename": "PersonneMorale",
                "siret": values.get(SIRET) or siret_of(values.get(ADMINISTRATION) or ""),
                "entreprise": {"raisonSociale": values.get("raison_sociale", "")},
            },
            "champs": champs,
            "annotations": [_champ(n, values.get(n), updated_at) for n, _t, _l in ANNOTATIONS],
        }


def _cursor(record: dict) -> str:
    return base64.b64encode(json.dumps([record["updated_at"], record["number"]]).encode()).decode()


class FakeDs:
    def __init__(
        self, store: Store | None = None, *, token=TOKEN, demarche=DEMARCHE, title="Appel à défis EIG 3"
    ):
        self.store = store or Store()
        self.token, self.demarche, self.title = token, demarche, title
        self.schema = build_schema(SCHEMA_PATH.read_text(encoding="utf-8"))
        self.script: list[str] = []  # what the next requests meet
        self.expired_files: set[int] = set()  # dossiers whose next attachment URL is already expired
        self.requests: list[dict] = []  # the GraphQL requests received (operation, variables)
        self.downloads: list[str] = []
        self.authorizations: list[str] = []
        self.server_seconds = 0.0
        self.base_url = ""
        self._wire()

    def _wire(self):
        schema, ds = self.schema, self

        def demarche(_root, _info, number):
            if number != ds.demarche:
                raise ValueError(f"Démarche {number} introuvable")
            return {
                "number": number,
                "title": ds.title,
                "state": "publiee",
                "activeRevision": descriptors(),
            }

        def dossiers(_root, info, first=100, after=None, updatedSince=None, **_ignored):
            records = list(ds.store.dossiers.values())
            if updatedSince:
                records = [r for r in records if r["updated_at"] >= updatedSince]
                records.sort(key=lambda r: (r["updated_at"], r["number"]))
            else:
                records.sort(key=lambda r: r["number"])
            if after:
                last = json.loads(base64.b64decode(after))
                key = (lambda r: (r["updated_at"], r["number"])) if updatedSince else (lambda r: r["number"])
                mark = tuple(last) if updatedSince else last[1]
                records = [r for r in records if key(r) > mark]
            page = records[: min(first, 100)]
            nodes = [ds.node(record) for record in page]
            return {
                "nodes": nodes,
                "pageInfo": {
                    "endCursor": _cursor(page[-1]) if page else None,
                    "hasNextPage": len(records) > len(page),
                    "hasPreviousPage": bool(after),
                    "startCursor": _cursor(page[0]) if page else None,
                },
            }

        def deleted(_root, _info, first=100, after=None, deletedSince=None, **_ignored):
            rows = [
                row for row in ds.store.deleted if not deletedSince or row["dateSupression"] > deletedSince
            ]
            start = int(after) if after else 0
            page = rows[start : start + min(first, 100)]
            return {
                "nodes": page,
                "pageInfo": {
                    "endCursor": str(start + len(page)) if page else None,
                    "hasNextPage": start + len(page) < len(rows),
                    "hasPreviousPage": False,
                },
            }

        def dossier(_root, _info, number):
            if number not in ds.store.dossiers:
                raise ValueError(f"Dossier {number} introuvable")
            return ds.node(ds.store.dossiers[number])

        schema.query_type.fields["demarche"].resolve = demarche
        schema.query_type.fields["dossier"].resolve = dossier
        schema.get_type("Demarche").fields["dossiers"].resolve = dossiers
        schema.get_type("Demarche").fields["deletedDossiers"].resolve = deleted

    def node(self, record: dict) -> dict:
        expired = record["number"] in self.expired_files
        self.expired_files.discard(record["number"])
        return self.store.node(record, self.base_url, expired=expired)

    # HTTP -----------------------------------------------------------------------------------

    def handler(self):
        ds = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def reply(self, status, body: bytes, content_type="application/json", headers=()):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in headers:
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                started = time.perf_counter()
                path, _, query = self.path.partition("?")
                key = path.removeprefix("/fichiers/")
                ds.downloads.append(key)
                ds.authorizations.append(self.headers.get("Authorization", ""))
                expires = int(
                    dict(part.split("=") for part in query.split("&") if "=" in part).get("expire", 0)
                )
                if ds.script and ds.script[0] == "file-500":
                    ds.script.pop(0)
                    self.reply(500, b"erreur")
                elif key not in ds.store.files:
                    self.reply(404, b"introuvable", "text/plain")
                elif expires < time.time():
                    self.reply(
                        403, b"<Error><Code>AccessDenied</Code>Request has expired</Error>", "application/xml"
                    )
                else:
                    self.reply(200, ds.store.files[key], "application/pdf")
                ds.server_seconds += time.perf_counter() - started

            def do_POST(self):
                started = time.perf_counter()
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                ds.authorizations.append(self.headers.get("Authorization", ""))
                if self.path != "/api/v2/graphql":
                    self.reply(404, b"{}")
                    return
                if self.headers.get("Authorization") != f"Bearer {ds.token}":
                    self.reply(
                        401, b'{"errors":[{"message":"Without a token, only persisted queries are allowed"}]}'
                    )
                    return
                request = json.loads(body)
                ds.requests.append(
                    {"operation": request.get("operationName"), "variables": request.get("variables")}
                )
                step = ds.script.pop(0) if ds.script else ""
                if step == "429":
                    self.reply(
                        429, b'{"errors":[{"message":"Too many requests"}]}', headers=[("Retry-After", "1")]
                    )
                    return
                if step == "500":
                    self.reply(502, b"Bad gateway", "text/html")
                    return
                if step == "slow":
                    time.sleep(3)
                with ds.store.lock:
                    result = graphql_sync(
                        ds.schema,
                        request["query"],
                        variable_values=request.get("variables"),
                        operation_name=request.get("operationName"),
                    )
                answer = result.formatted
                if step == "error":  # a resolver timed out: part of the data, and the error
                    answer = {
                        **answer,
                        "errors": [{"message": "Timeout on dossiers.champs", "path": ["demarche"]}],
                    }
                self.reply(200, json.dumps(answer).encode())
                ds.server_seconds += time.perf_counter() - started

        return Handler


@contextlib.contextmanager
def running(ds: FakeDs | None = None):
    """The server in a thread on 127.0.0.1, for the block."""
    ds = ds or FakeDs()
    server = ThreadingHTTPServer(("127.0.0.1", 0), ds.handler())
    ds.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield ds
    finally:
        server.shutdown()
        server.server_close()


DEMO_DEMARCHE = 4242  # the demo's démarche, for promotion 9 (its open call)
DEMO_TITLE = "Appel à projets EIG 9 (démo) – dépôt des dossiers"


def demo_store() -> Store:
    """The demo's démarche: six dossiers from the programme's real challenges, one with its pitch
    deck, one filed without its name (refused until its administration adds it)."""
    store, challenges = Store(), real_challenges()
    picks = [challenges[i] for i in (2, 6, 9, 13, 17)]
    for number, challenge in enumerate(picks, start=101):
        values = values_of(challenge, number) | {NAME: f"{challenge['title']} (DS)"}
        store.put(number, values, deck=pdf(challenge["title"]) if number == 101 else None)
    store.put(106, {ADMINISTRATION: "Ville de Paris", SUMMARY: "Signaler une anomalie dans l’espace public"})
    return store


def real_challenges() -> list[dict]:
    """The programme's real challenges (demo/data): titles, administrations, long descriptions."""
    path = Path(__file__).resolve().parent.parent / "demo" / "data" / "eig-defis-2017-2019.yml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def values_of(challenge: dict, index: int = 0) -> dict:
    """A dossier's values from a real challenge, shaped as its administration fills DS's form."""
    return {
        NAME: challenge["title"],
        ADMINISTRATION: challenge["administration"],
        SUMMARY: challenge.get("summary"),
        DESCRIPTION: challenge.get("long_description"),
        PROBLEM: "Les données existent mais sont dispersées entre plusieurs services.",
        POSITIONS: [
            {POSITION_PROFILE: "Développeur·se", POSITION_MISSION: "Construire le service avec les agents."},
            {POSITION_PROFILE: "Data scientist", POSITION_MISSION: "Explorer les données et les croiser."},
        ],
        TEAM: [{TEAM_NAME: "Équipe métier", TEAM_FUNCTION: "Cheffe de projet", TEAM_SHARE: 50}],
        HR_FIRST: "Hélène",
        HR_LAST: f"Lefèvre-{index}",
        HR_EMAIL: f"rh{index}@example.gouv.fr",
        OUTSIDE_WALLS: True,
        DATA_ACCESSIBLE: None,
        COST: 123456.5,
    }


def main():
    """`python -m demarches.fake DOSSIERS` (the bench) or `--demo` (`make run`): serve that many
    dossiers, or the demo's; prints the address."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("dossiers", nargs="?", type=int, default=5000)
    parser.add_argument("--demo", action="store_true", help="the demo's démarche (demo_store)")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    if args.demo:
        ds = FakeDs(demo_store(), demarche=DEMO_DEMARCHE, title=DEMO_TITLE)
    else:
        store, challenges = Store(), real_challenges()
        for number in range(1, args.dossiers + 1):
            challenge = challenges[number % len(challenges)]
            values = values_of(challenge, number)
            values[NAME] = f"{challenge['title']} ({number})"[:200]
            store.put(number, values)
        ds = FakeDs(store)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), ds.handler())
    ds.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    print(ds.base_url, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
