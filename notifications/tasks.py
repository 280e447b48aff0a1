"""The django-q2 entry points: a batch of messages, and the periodic sweep."""

from notifications import delivery


def deliver_many(notification_ids):
    return delivery.deliver_many(notification_ids)


def send_pending():
    return delivery.send_due()
