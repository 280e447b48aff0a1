"""The django-q2 entry points: a batch of deliveries, and the periodic sweep."""

from webhooks import delivery


def deliver_many(delivery_ids):
    return delivery.deliver_many(delivery_ids)


def send_due():
    """The sweep, every minute: the old deliveries purged, then the due ones sent."""
    return {"purged": delivery.purge(), **delivery.send_due()}
