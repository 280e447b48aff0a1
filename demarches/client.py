"""A thin client of démarches-simplifiées' GraphQL API v2 over httpx (no maintained Python client
exists; ../shared/reference/ds-api-notes.md). The queries are demarches/queries/demarche.graphql.

Its limits are respected: a 429 waits the `Retry-After` it gives; a time-out, a lost connection
or a server error is tried again after a growing pause; any top-level GraphQL error fails the page
(its partial data is never used). The token goes in the Authorization header only: it never
appears in a message, an exception or a log, and is never sent to an attachment's host.
"""

import base64
import email.utils
import hashlib
import time
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import httpx
from django.conf import settings

QUERIES = Path(__file__).with_name("queries") / "demarche.graphql"
PAGE_SIZE = 100  # DS's largest page
MAX_ATTEMPTS = 4  # a request's tries (time-outs, lost connections, 5xx, 429)
MAX_RETRY_AFTER = 120.0  # seconds: a longer wait asked by a 429 fails the page instead


class DsError(Exception):
    """A request to DS that failed for good; the message, in French, says why (never the token)."""


class DownloadError(DsError):
    """An attachment that could not be downloaded (an expired URL, a refusal, a time-out)."""


@cache
def query_text() -> str:
    return QUERIES.read_text(encoding="utf-8")


@dataclass
class Page:
    nodes: list[dict]
    end_cursor: str | None
    has_next: bool


def _retry_after(response: httpx.Response) -> float:
    """The seconds a 429 asks to wait: a number or an HTTP date (1 s when it says nothing)."""
    value = response.headers.get("Retry-After", "").strip()
    if value.isdigit():
        return float(value)
    if value:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return 1.0
        return max(0.0, when.timestamp() - time.time())
    return 1.0


def checksum_of(content: bytes) -> str:
    """DS's checksum of a file: the base64 of its MD5 (Active Storage's)."""
    return base64.b64encode(hashlib.md5(content, usedforsecurity=False).digest()).decode()


class DsClient:
    """One client per sync: one connection kept open, `waited` the seconds spent on DS (the
    server's time and the pauses it asked for), which the benchmark leaves out."""

    def __init__(self, *, url=None, token=None, timeout=None, backoff=None, sleep=time.sleep):
        self.url = url or settings.DS_API_URL
        token = token if token is not None else settings.DS_API_TOKEN
        if not token:
            raise DsError("Aucun jeton de l’API démarches-simplifiées : définissez DS_API_TOKEN.")
        self.backoff = settings.DS_RETRY_BACKOFF if backoff is None else backoff
        self.sleep, self.waited, self.requests = sleep, 0.0, 0
        self.http = httpx.Client(
            timeout=timeout or settings.DS_TIMEOUT,
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
        )
        # Attachments live on another host (an object store's signed URLs): no token there.
        self.files = httpx.Client(timeout=timeout or settings.DS_TIMEOUT, follow_redirects=True)

    def close(self):
        self.http.close()
        self.files.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _send(self, send, what: str) -> httpx.Response:
        """The response of `send()`, tried again on a 429, a 5xx, a time-out or a lost connection."""
        for attempt in range(1, MAX_ATTEMPTS + 1):
            started = time.perf_counter()
            try:
                response = send()
            except httpx.TimeoutException:
                problem = f"{what} : pas de réponse dans les {self.http.timeout.read:g} s"
                response = None
            except httpx.TransportError as error:
                problem = f"{what} : connexion impossible ({type(error).__name__})"
                response = None
            finally:
                self.waited += time.perf_counter() - started
                self.requests += 1
            if response is not None:
                if response.status_code == 429:
                    pause = _retry_after(response)
                    if pause > MAX_RETRY_AFTER:
                        raise DsError(f"{what} : limite de l’API atteinte, réessayer dans {pause:.0f} s")
                    problem = f"{what} : limite de l’API atteinte (429)"
                elif response.status_code >= 500:
                    problem = f"{what} : erreur du serveur ({response.status_code})"
                    pause = self.backoff * 2 ** (attempt - 1)
                else:
                    return response
            else:
                pause = self.backoff * 2 ** (attempt - 1)
            if attempt == MAX_ATTEMPTS:
                raise DsError(f"{problem}, après {MAX_ATTEMPTS} essais")
            started = time.perf_counter()
            self.sleep(pause)
            self.waited += time.perf_counter() - started
        raise AssertionError("unreachable")

    def execute(self, operation: str, variables: dict) -> dict:
        """The data of one operation of the queries' file; DsError on any error, partial or not."""
        what = f"démarches-simplifiées ({operation})"
        response = self._send(
            lambda: self.http.post(
                self.url,
                json={"query": query_text(), "operationName": operation, "variables": variables},
            ),
            what,
        )
        if response.status_code in (401, 403):
            raise DsError(f"{what} : jeton refusé ({response.status_code}), vérifiez DS_API_TOKEN")
        if response.status_code != 200:
            raise DsError(f"{what} : réponse {response.status_code}")
        try:
            body = response.json()
        except ValueError as error:
            raise DsError(f"{what} : réponse illisible (pas du JSON)") from error
        if body.get("errors"):
            messages = "; ".join(str(error.get("message", error)) for error in body["errors"][:3])
            raise DsError(f"{what} : {messages}")
        if not isinstance(body.get("data"), dict):
            raise DsError(f"{what} : réponse sans données")
        return body["data"]

    def demarche(self, number: int) -> dict:
        return self.execute("getDemarche", {"number": number})["demarche"]

    def dossier(self, number: int) -> dict:
        return self.execute("getDossier", {"number": number})["dossier"]

    def _pages(self, operation, key, variables) -> Iterator[Page]:
        after = variables.pop("after", None)
        while True:
            data = self.execute(operation, {**variables, "first": PAGE_SIZE, "after": after})
            connection = data["demarche"][key]
            info = connection["pageInfo"]
            page = Page(
                [node for node in connection["nodes"] if node], info["endCursor"], info["hasNextPage"]
            )
            yield page
            if not page.has_next or not page.end_cursor:
                return
            after = page.end_cursor

    def dossier_pages(self, number: int, *, updated_since: str | None, after: str | None) -> Iterator[Page]:
        """The démarche's dossiers changed since `updated_since`, a page at a time from `after`."""
        return self._pages(
            "getDossiers", "dossiers", {"number": number, "updatedSince": updated_since, "after": after}
        )

    def deleted_pages(self, number: int, *, since: str | None) -> Iterator[Page]:
        return self._pages("getDeletedDossiers", "deletedDossiers", {"number": number, "deletedSince": since})

    def download(self, url: str, *, max_bytes: int) -> bytes:
        """An attachment's bytes, read in pieces and refused above `max_bytes`."""
        what = "pièce jointe"

        def send():
            with self.files.stream("GET", url) as response:
                if response.status_code != 200:
                    return response
                content = bytearray()
                for chunk in response.iter_bytes():
                    content += chunk
                    if len(content) > max_bytes:
                        raise DownloadError(f"{what} : plus de {max_bytes // 1024 // 1024} Mo")
                response._content = bytes(content)
                return response

        try:
            response = self._send(send, what)
        except DownloadError:
            raise
        except DsError as error:
            raise DownloadError(str(error)) from error
        if response.status_code in (401, 403, 404, 410):
            raise DownloadError(f"{what} : lien expiré ou refusé ({response.status_code})")
        if response.status_code != 200:
            raise DownloadError(f"{what} : réponse {response.status_code}")
        return response.content
