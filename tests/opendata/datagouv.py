"""A stand-in for data.gouv.fr's API on loopback: a real HTTP server (a thread) that answers the
calls a publication makes as data.gouv.fr does, checks the X-API-KEY header and records every
request, so that tests see what went over the wire."""

import email.parser
import email.policy
import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DATASET = re.compile(r"^/api/1/datasets/(?P<dataset>[^/]+)/$")
UPLOAD = re.compile(r"^/api/1/datasets/(?P<dataset>[^/]+)/upload/$")
REPLACE = re.compile(r"^/api/1/datasets/(?P<dataset>[^/]+)/resources/(?P<resource>[^/]+)/upload/$")


@dataclass
class Request:
    method: str
    path: str
    api_key: str | None
    filename: str = ""
    content: bytes = b""
    content_type: str = ""


@dataclass
class FakeDataGouv:
    api_key: str = "cle-de-test-ne-pas-afficher"
    datasets: dict = field(default_factory=dict)  # {dataset id: {resource id: {"filename", "content"}}}
    requests: list = field(default_factory=list)
    # Answer this status to the uploads from the n-th one on (1 = the first), to test failures.
    fail_status: int | None = None
    fail_from_upload: int = 1
    delay: float = 0.0  # seconds before answering an upload (time-outs)

    def __post_init__(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet tests
                pass

            def do_GET(self):
                fake._get(self)

            def do_POST(self):
                fake._post(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/1"

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    @property
    def uploads(self) -> list[Request]:
        return [request for request in self.requests if request.method == "POST"]

    # The API ------------------------------------------------------------------------------------

    def _answer(self, handler, status, body):
        data = json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def _resource(self, dataset, resource_id):
        stored = self.datasets[dataset][resource_id]
        return {
            "id": resource_id,
            "title": stored["filename"],
            "url": f"{self.url}/fr/datasets/r/{resource_id}",
            "filesize": len(stored["content"]),
        }

    def _get(self, handler):
        self.requests.append(Request("GET", handler.path, handler.headers.get("X-API-KEY")))
        found = DATASET.match(handler.path)
        if not found or found["dataset"] not in self.datasets:
            return self._answer(handler, 404, {"message": "Not found"})
        dataset = found["dataset"]
        self._answer(
            handler,
            200,
            {
                "id": dataset,
                "page": f"{self.url}/fr/datasets/{dataset}/",
                "resources": [self._resource(dataset, rid) for rid in self.datasets[dataset]],
            },
        )

    def _post(self, handler):
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length)
        filename, content, content_type = _file_part(handler.headers.get("Content-Type", ""), body)
        key = handler.headers.get("X-API-KEY")
        self.requests.append(Request("POST", handler.path, key, filename, content, content_type))
        if self.delay:
            time.sleep(self.delay)
        if len(self.uploads) >= self.fail_from_upload and self.fail_status:
            return self._answer(handler, self.fail_status, {"message": "Échec simulé"})
        if key != self.api_key:
            return self._answer(handler, 401, {"message": "Invalid API Key"})
        replaced, created = REPLACE.match(handler.path), UPLOAD.match(handler.path)
        found = replaced or created
        if not found or found["dataset"] not in self.datasets:
            return self._answer(handler, 404, {"message": "Not found"})
        if not filename:
            return self._answer(handler, 400, {"message": "No file"})
        dataset = found["dataset"]
        if replaced:
            resource_id = replaced["resource"]
            if resource_id not in self.datasets[dataset]:
                return self._answer(handler, 404, {"message": "Resource not found"})
            status = 200
        else:
            resource_id, status = str(uuid.uuid4()), 201
        self.datasets[dataset][resource_id] = {"filename": filename, "content": content}
        self._answer(handler, status, self._resource(dataset, resource_id))


def _file_part(content_type: str, body: bytes) -> tuple[str, bytes, str]:
    """The multipart body's `file` field: its file name, bytes and type."""
    if not content_type.startswith("multipart/form-data"):
        return "", b"", ""
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    for part in message.iter_parts():
        if part.get_param("name", header="content-disposition") == "file":
            return part.get_filename() or "", part.get_payload(decode=True), part.get_content_type()
    return "", b"", ""
