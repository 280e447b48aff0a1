from django.core.management.base import BaseCommand
from django.utils import timezone

from lifecycle.actors import SYSTEM
from notifications import delivery, outbox
from notifications.enums import DeliveryStatus
from notifications.models import Notification


class Command(BaseCommand):
    help = "Boîte d’envoi : « status », « retry » (relance les échecs), « send-pending »."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("status", help="Nombre de messages par état, plus ancien en attente.")
        retry = actions.add_parser("retry", help="Remet en file les messages en échec.")
        retry.add_argument("ids", nargs="*", type=int, help="identifiants (par défaut : tous)")
        retry.add_argument(
            "--accept-duplicates",
            action="store_true",
            help="relance aussi les messages à la remise incertaine (le destinataire a pu les recevoir)",
        )
        actions.add_parser("send-pending", help="Envoie maintenant les messages dus.")

    def handle(self, *args, action, **options):
        getattr(self, action.replace("-", "_"))(**options)

    def status(self, **_options):
        counts = outbox.status_counts()
        for status in DeliveryStatus:
            count, oldest = counts.get(status, (0, None))
            line = f"{status.label:<35} {count:>7}"
            if status == DeliveryStatus.PENDING and oldest:
                line += f"   plus ancien : {timezone.localtime(oldest):%d/%m/%Y %H:%M:%S}"
            self.stdout.write(line)
        failed = Notification.objects.filter(status=DeliveryStatus.FAILED).order_by("-created_at")[:10]
        for notification in failed:
            self.stdout.write(
                f"  échec #{notification.pk} {notification.recipient_email} : {notification.last_error}"
            )

    def retry(self, ids, accept_duplicates=False, **_options):
        queryset = Notification.objects.all()
        if ids:
            queryset = queryset.filter(pk__in=ids)
        count = outbox.retry(queryset, by=SYSTEM, accept_duplicates=accept_duplicates)
        self.stdout.write(f"{count} message(s) remis en file d’envoi.")
        left = (
            0 if accept_duplicates else queryset.filter(status=DeliveryStatus.FAILED, uncertain=True).count()
        )
        if left:
            self.stdout.write(
                f"{left} message(s) à la remise incertaine laissé(s) de côté : --accept-duplicates pour "
                "les relancer (le destinataire a pu les recevoir)."
            )

    def send_pending(self, **_options):
        outcome = delivery.send_due()
        sent, pending, failed = (outcome.get(key, 0) for key in ("sent", "pending", "failed"))
        self.stdout.write(
            f"{sent} envoyé(s), {pending} à réessayer, {failed} en échec, "
            f"{outcome['abandoned']} envoi(s) interrompu(s) marqué(s) en échec."
        )
