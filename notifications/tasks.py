"""The django-q2 entry points: one message, and the periodic sweep."""

from notifications import delivery


def deliver(notification_id):
    return delivery.deliver(notification_id)


def deliver_many(notification_ids):
    return delivery.deliver_many(notification_ids)


def send_pending():
    return delivery.send_due()
