"""A real SMTP server on loopback (aiosmtpd) that records what it receives."""

import asyncio
import email
import email.policy
import socket

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RecordingHandler:
    def __init__(self):
        self.received = []
        self.reply = None  # e.g. "451 4.3.0 Try again later" or "550 5.1.1 No such user"
        # Seconds to wait, message in hand, before saying so: for the first N messages.
        self.slow_replies, self.delay = 0, 0.0

    async def handle_DATA(self, server, session, envelope):
        if self.reply:
            return self.reply
        self.received.append(envelope)
        if self.slow_replies:
            self.slow_replies -= 1
            await asyncio.sleep(self.delay)
        return "250 Message accepted for delivery"


class SMTPServer:
    def __init__(self):
        self.port = free_port()
        self.handler = RecordingHandler()
        self.controller = None

    def start(self):
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self) -> list[email.message.EmailMessage]:
        return [
            email.message_from_bytes(envelope.original_content, policy=email.policy.default)
            for envelope in self.handler.received
        ]

    def header(self, name) -> list[str]:
        """A header of every message, unfolded as a mail reader shows it."""
        return [str(message[name]).strip() for message in self.messages]

    @property
    def envelopes(self):
        return self.handler.received
