"""A webhook receiver on loopback, as a receiver of ours would be written: it checks each
delivery's signature and time (`signing.verify`), answers 401 to a forged or stale one, and drops
a delivery whose id it already took. The tests, the bench and the demo send to it.

    python -m webhooks.receiver --port 8766 --secret whsec_…    (prints what it receives)
    python -m webhooks.receiver --port 8766 --secret-file .demo-webhook-secret    (make run)
"""

import argparse
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from webhooks import signing


class Receiver:
    def __init__(self, secret: str = "", *, port: int = 0, status: int = 200, delay: float = 0, echo=False):
        self.secret, self.port, self.status, self.delay, self.echo = secret, port, status, delay, echo
        self.taken: list[dict] = []  # the deliveries accepted, in order
        self.duplicates: list[str] = []  # ids received again after being taken
        self.rejected: list[str] = []  # why each refused request was refused
        self._seen: set[str] = set()
        self._lock = threading.Lock()
        self._server = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/webhook"

    def start(self):
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def take(self, body: bytes, headers) -> int:
        """The answer to one request: 401 if its signature fails, 200 (a duplicate dropped) else."""
        if self.delay:
            time.sleep(self.delay)
        try:
            signing.verify(self.secret, body, headers)
        except signing.InvalidSignature as error:
            with self._lock:
                self.rejected.append(str(error))
            return 401
        delivery = headers.get("X-EIG-Delivery", "")
        with self._lock:
            if delivery in self._seen:
                self.duplicates.append(delivery)
                return 200
            if self.status >= 300:
                return self.status
            try:
                content = json.loads(body)
            except ValueError:
                self.rejected.append("the body is not JSON")
                return 400
            self._seen.add(delivery)
            self.taken.append({"id": delivery, "headers": dict(headers), "body": content})
        if self.echo:
            print(headers.get("X-EIG-Event"), delivery, body.decode(), flush=True)
        return self.status

    def _handler(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = self.headers.get("Content-Length") or "0"
                if not length.isdigit():
                    status = 400
                else:
                    status = receiver.take(self.rfile.read(int(length)), self.headers)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        return Handler


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8766)
    given = parser.add_mutually_exclusive_group(required=True)
    given.add_argument("--secret", help="the webhook's secret (whsec_…)")
    given.add_argument("--secret-file", help="a file holding it (the demo writes .demo-webhook-secret)")
    args = parser.parse_args()
    secret = args.secret
    if args.secret_file:
        try:
            secret = Path(args.secret_file).read_text(encoding="utf-8").strip()
        except OSError as error:
            parser.error(f"cannot read the secret: {error}")
    receiver = Receiver(secret, port=args.port, echo=True).start()
    print(f"Webhooks received at {receiver.url}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        receiver.stop()


if __name__ == "__main__":
    main()
