"""Delivering the outbox through SMTP, each message once.

A message is claimed by a conditional UPDATE (pending → sending) before it is sent: of two
workers, a retried task or a restarted worker, only one claim succeeds, on SQLite and PostgreSQL
alike. A message left "sending" by a worker that died is never resent by itself: after a
timeout it is marked failed with "delivery uncertain", for a manager to decide. So is a message
whose connection broke while it was being sent (a timeout, a dropped connection): the server may
have it already, and sending it again could deliver it twice. An SMTP reply (4xx, 5xx) says for
sure that it was not taken: retried later, or failed for good.
"""

import datetime as dt
import logging
import smtplib
import socket
from email import encoders
from email.message import Message
from email.mime.base import MIMEBase

from django.conf import settings
from django.core.mail import BadHeaderError, EmailMessage, get_connection
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.enums import DeliveryStatus
from notifications.models import Notification

logger = logging.getLogger(__name__)

TEMPORARY_ERRORS = (
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
    socket.timeout,
    ConnectionError,
    OSError,
)
# Errors of the connection itself, not replies of the server.
CONNECTION_ERRORS = (smtplib.SMTPServerDisconnected, socket.timeout, ConnectionError, OSError)


def _is_permanent(error) -> bool:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in error.recipients.values()]
        return all(code >= 500 for code in codes)
    code = getattr(error, "smtp_code", None)
    return code is not None and code >= 500


def _describe(error) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "; ".join(
            f"{address}: {code} {message.decode(errors='replace')}"
            for address, (code, message) in error.recipients.items()
        )
    code = getattr(error, "smtp_code", None)
    if code is not None:
        message = error.smtp_error
        return f"{code} {message.decode(errors='replace') if isinstance(message, bytes) else message}"
    return f"{type(error).__name__}: {error}"


def _claim(notification_id) -> bool:
    return bool(
        Notification.objects.filter(
            pk=notification_id,
            status=DeliveryStatus.PENDING,
            next_attempt_at__lte=timezone.now(),
        ).update(status=DeliveryStatus.SENDING, attempts=F("attempts") + 1, claimed_at=timezone.now())
    )


def _attachment(notification) -> MIMEBase:
    """The notification's file as a MIME part, its type sent with all its parameters (a
    calendar's `method=REQUEST`: mail software shows an invitation), its bytes as stored (in
    base64, which keeps them exact, line ends included). PostgreSQL reads it as a memoryview."""
    header = Message()
    header["Content-Type"] = notification.attachment_type
    part = MIMEBase(
        header.get_content_maintype(), header.get_content_subtype(), **dict(header.get_params()[1:])
    )
    part.set_payload(bytes(notification.attachment))
    encoders.encode_base64(part)
    name = notification.attachment_name
    part.add_header(
        "Content-Disposition", "attachment", filename=name if name.isascii() else ("utf-8", "", name)
    )
    return part


def _message(notification, connection) -> EmailMessage:
    message = EmailMessage(
        subject=notification.subject,
        body=notification.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.recipient_email],
        headers={
            "Message-ID": notification.message_id,
            "X-EIG-Idempotency-Key": notification.idempotency_key,
        },
        connection=connection,
    )
    if notification.attachment_name:
        message.attach(_attachment(notification))
    return message


def deliver(notification_id, *, connection=None) -> str:
    """Send one message if it is still due; returns its new status (or "skipped").

    A message that cannot be written (a line break in its subject or address: Django refuses the
    header) fails at once with its reason: it never left, it is not "uncertain", and the other
    messages of the batch go on."""
    if not _claim(notification_id):
        return "skipped"
    notification = Notification.objects.get(pk=notification_id)
    try:
        message = _message(notification, connection or get_connection())
        message.message()  # builds the headers: a bad one is refused here, before any sending
    except (BadHeaderError, ValueError) as error:
        _record_unsendable(notification, error)
        return notification.status
    connection = message.connection
    try:
        _ensure_open(connection)
    except (smtplib.SMTPException, *TEMPORARY_ERRORS) as error:  # nothing was sent: retry later
        _record_failure(notification, error)
        _close(connection)
        return notification.status
    try:
        message.send()
    except (smtplib.SMTPException, *TEMPORARY_ERRORS) as error:
        # A broken connection is closed: the next message opens a new one.
        _close(connection)
        if isinstance(error, CONNECTION_ERRORS) and not isinstance(error, smtplib.SMTPResponseException):
            _record_uncertain(notification, error)
        else:
            _record_failure(notification, error)
    else:
        notification.status = DeliveryStatus.SENT
        notification.sent_at = timezone.now()
        notification.last_error = ""
        notification.save(update_fields=["status", "sent_at", "last_error"])
    return notification.status


def _ensure_open(connection):
    """Open the connection if it is not (the first message, or the one after a failure)."""
    if getattr(connection, "connection", True) is None:
        connection.open()


def _close(connection):
    try:
        connection.close()
    except Exception:  # a connection already broken may fail to say goodbye
        if hasattr(connection, "connection"):
            connection.connection = None


def _open(connection):
    """Open the SMTP connection once for several messages; if the server is down, each message
    records its own (temporary) failure."""
    try:
        connection.open()
    except (smtplib.SMTPException, *TEMPORARY_ERRORS):
        pass
    return connection


def deliver_many(notification_ids) -> dict:
    """Send several messages over one connection; one that fails never stops the others."""
    outcome = {}
    connection = _open(get_connection())
    try:
        for notification_id in notification_ids:
            try:
                status = deliver(notification_id, connection=connection)
            except Exception:  # an unforeseen error of one message: logged, the batch goes on
                logger.exception("Delivery of notification %s failed", notification_id)
                status = "error"
            outcome[status] = outcome.get(status, 0) + 1
    finally:
        _close(connection)
    return outcome


def _record_unsendable(notification, error):
    notification.status = DeliveryStatus.FAILED
    notification.last_error = _(
        "Message non envoyé : il ne peut pas être écrit (%(error)s). Corrigez l’objet ou l’adresse."
    ) % {"error": error}
    notification.save(update_fields=["status", "last_error"])


def _record_uncertain(notification, error):
    notification.status = DeliveryStatus.FAILED
    notification.uncertain = True
    notification.last_error = _(
        "Connexion interrompue pendant l’envoi (%(error)s) : remise incertaine, le serveur a pu "
        "recevoir le message. Vérifiez avant de relancer."
    ) % {"error": _describe(error)}
    notification.save(update_fields=["status", "uncertain", "last_error"])


def _record_failure(notification, error):
    delays = settings.NOTIFICATIONS_RETRY_DELAYS
    notification.last_error = _describe(error)
    if _is_permanent(error):
        notification.status = DeliveryStatus.FAILED
    elif notification.attempts <= len(delays):
        notification.status = DeliveryStatus.PENDING
        notification.next_attempt_at = timezone.now() + dt.timedelta(
            seconds=delays[notification.attempts - 1]
        )
    else:
        notification.status = DeliveryStatus.FAILED
    notification.save(update_fields=["status", "last_error", "next_attempt_at"])


def send_due(*, limit=None) -> dict:
    """The sweep: send every pending message that is due, and settle abandoned sends."""
    stale = timezone.now() - dt.timedelta(seconds=settings.NOTIFICATIONS_SENDING_TIMEOUT)
    abandoned = Notification.objects.filter(status=DeliveryStatus.SENDING, claimed_at__lt=stale).update(
        status=DeliveryStatus.FAILED,
        uncertain=True,
        last_error=_(
            "Envoi interrompu (le processus d’envoi s’est arrêté) : remise incertaine, "
            "vérifiez avant de relancer."
        ),
    )
    due = (
        Notification.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=timezone.now())
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)
    )
    return {"abandoned": abandoned, **deliver_many(list(due[:limit] if limit else due))}
