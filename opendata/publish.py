"""Publishing the open-data files to a data.gouv.fr dataset, through its API (httpx).

The dataset's id and the API key come from the environment (`DATAGOUV_DATASET_ID`,
`DATAGOUV_API_KEY`; `DATAGOUV_API_URL` for the demo platform). The key goes in the `X-API-KEY`
header and nowhere else: never in a message, a log or a page.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from lifecycle import audit, clock, rules
from lifecycle.actors import SYSTEM
from lifecycle.enums import AuditKind
from opendata import export
from opendata.models import Publication, RemoteResource


class PublicationFailed(Exception):
    """Why a publication did not go through, in French, for the page and the command."""


@dataclass(frozen=True)
class Target:
    api_url: str
    api_key: str = field(repr=False)  # never in a traceback's locals nor a log
    dataset_id: str
    timeout: float

    @classmethod
    def from_settings(cls) -> "Target":
        return cls(
            api_url=settings.DATAGOUV_API_URL.rstrip("/"),
            api_key=settings.DATAGOUV_API_KEY,
            dataset_id=settings.DATAGOUV_DATASET_ID,
            timeout=settings.DATAGOUV_TIMEOUT,
        )

    def problems(self) -> list[str]:
        """What is missing for a publication (the key's value never said)."""
        missing = []
        if not self.dataset_id:
            missing.append(_("DATAGOUV_DATASET_ID (l’identifiant du jeu de données) n’est pas défini."))
        if not self.api_key:
            missing.append(_("DATAGOUV_API_KEY (la clé d’API de data.gouv.fr) n’est pas définie."))
        return missing


def _refusal(response: httpx.Response, what: str) -> PublicationFailed:
    status = response.status_code
    if status == 401:
        text = _("data.gouv.fr refuse la clé d’API (401) : vérifiez DATAGOUV_API_KEY.")
    elif status == 403:
        text = _(
            "La clé d’API n’a pas le droit de modifier ce jeu de données (403) : elle doit être celle "
            "d’un membre de l’organisation qui le publie."
        )
    elif status == 404:
        text = _("data.gouv.fr ne connaît pas ce jeu de données (404) : vérifiez DATAGOUV_DATASET_ID.")
    elif status >= 500:
        text = _("data.gouv.fr est en erreur (%(status)d) : réessayez plus tard.") % {"status": status}
    else:
        text = _("data.gouv.fr a répondu %(status)d de façon inattendue.") % {"status": status}
    return PublicationFailed(_("%(what)s : %(why)s") % {"what": what, "why": text})


class Client:
    """The few calls of data.gouv.fr's API that a publication makes."""

    def __init__(self, target: Target):
        self.target = target
        self.http = httpx.Client(
            base_url=target.api_url,
            headers={"X-API-KEY": target.api_key, "Accept": "application/json"},
            timeout=target.timeout,
        )

    def close(self):
        self.http.close()

    def _send(self, what: str, method: str, path: str, **kwargs) -> httpx.Response:
        try:
            return self.http.request(method, path, **kwargs)
        except httpx.TimeoutException as error:
            raise PublicationFailed(
                _("%(what)s : data.gouv.fr n’a pas répondu dans les %(seconds)s secondes.")
                % {"what": what, "seconds": f"{self.target.timeout:g}"}
            ) from error
        except httpx.HTTPError as error:
            raise PublicationFailed(
                _("%(what)s : data.gouv.fr est injoignable (%(kind)s).")
                % {"what": what, "kind": type(error).__name__}
            ) from error

    def _json(self, response: httpx.Response, what: str) -> dict:
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            raise PublicationFailed(
                _("%(what)s : la réponse de data.gouv.fr n’est pas lisible.") % {"what": what}
            )
        return answer

    def dataset(self) -> dict:
        what = _("Lecture du jeu de données")
        response = self._send(what, "GET", f"/datasets/{self.target.dataset_id}/")
        if response.status_code != 200:
            raise _refusal(response, what)
        return self._json(response, what)

    def upload(self, file: export.File, resource_id: str | None) -> tuple[dict, bool]:
        """Send `file`: replace the file of `resource_id`, else create a resource; a resource that
        no longer exists is created again. (the resource as data.gouv.fr describes it, created)."""
        dataset = self.target.dataset_id
        what = _("Envoi de %(filename)s") % {"filename": file.filename}
        upload = {"file": (file.filename, file.content, file.content_type)}
        if resource_id:
            response = self._send(
                what, "POST", f"/datasets/{dataset}/resources/{resource_id}/upload/", files=upload
            )
            if response.status_code != 404:
                if response.status_code not in (200, 201):
                    raise _refusal(response, what)
                return self._json(response, what), False
        response = self._send(what, "POST", f"/datasets/{dataset}/upload/", files=upload)
        if response.status_code not in (200, 201):
            raise _refusal(response, what)
        answer = self._json(response, what)
        if not answer.get("id"):
            raise PublicationFailed(
                _("%(what)s : data.gouv.fr n’a pas donné l’identifiant de la ressource.") % {"what": what}
            )
        return answer, True


def publish(*, by, target: Target | None = None, progress: Callable[[str], None] | None = None):
    """Publish the open-data files (every promotion's published challenges: the CSV, the JSON
    and their schema) to the data.gouv.fr dataset. In order:

    1. check the right: a programme manager, or the system (the command);
    2. check the settings: the dataset's id and the API key (PublicationFailed, nothing sent);
    3. make the files from the database, at once (one choice of columns for the three);
    4. read the dataset (it exists; its page's address);
    5. send each file: a file that went up before replaces its resource's file (its id kept in
       `RemoteResource`), else a new resource is created and its id kept at once, so that a
       publication failing at a later file still replaces, next time, what it created;
    6. only once every file is up: record the `Publication` and its audited event
       (`open_data_published`, subject "publication:<pk>"), in one transaction.

    Any refusal of data.gouv.fr (401, 403, 404, 5xx, a time-out) raises PublicationFailed with
    its French reason, and no publication is recorded. `progress` is told each step.
    """
    if not (rules.is_system(by) or rules.is_programme_manager(by)):
        raise PermissionDenied(_("Seul·e un·e chargé·e de programme publie les données ouvertes."))
    target = target or Target.from_settings()
    if problems := target.problems():
        raise PublicationFailed(" ".join(problems))
    tell = progress or (lambda text: None)
    made = export.bundle()
    client = Client(target)
    sent = []
    try:
        tell(_("Lecture du jeu de données %(dataset)s…") % {"dataset": target.dataset_id})
        dataset = client.dataset()
        known = {
            resource.filename: resource.resource_id
            for resource in RemoteResource.objects.filter(dataset_id=target.dataset_id)
        }
        for file in made.files:
            tell(
                _("Envoi de %(filename)s (%(size)d octets)…")
                % {"filename": file.filename, "size": len(file.content)}
            )
            resource, created = client.upload(file, known.get(file.filename))
            resource_id = str(resource.get("id") or known[file.filename])
            RemoteResource.objects.update_or_create(
                dataset_id=target.dataset_id,
                filename=file.filename,
                defaults={"resource_id": resource_id, "url": str(resource.get("url") or "")[:500]},
            )
            sent.append(
                {
                    "filename": file.filename,
                    "resource_id": resource_id,
                    "url": str(resource.get("url") or ""),
                    "created": created,
                    "bytes": len(file.content),
                }
            )
    finally:
        client.close()
    return _recorded(
        by, target, dataset, made.challenge_count, [column.name for column in made.columns], sent
    )


def _recorded(by, target, dataset, count, names, sent) -> Publication:
    with transaction.atomic():
        publication = Publication.objects.create(
            published_at=clock.now(),
            published_by=None if by is SYSTEM else by,
            dataset_id=target.dataset_id,
            dataset_url=str(dataset.get("page") or "")[:500],
            challenge_count=count,
            columns=names,
            files=sent,
        )
        audit.record(
            None,
            AuditKind.OPEN_DATA_PUBLISHED,
            by=by,
            subject=f"publication:{publication.pk}",
            changes={
                "dataset_id": [None, target.dataset_id],
                "challenge_count": [None, count],
                "files": [None, [f"{item['filename']} ({item['resource_id']})" for item in sent]],
            },
        )
    return publication


def last_publication():
    return Publication.objects.select_related("published_by").first()
