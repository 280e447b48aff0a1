"""The django-q2 entry points of the lifecycle."""

from lifecycle import anchoring


def publish_audit_head():
    published = anchoring.publish_head()
    count = len(published.recipients)
    return f"tête {published.text} publiée dans {published.location} ({count} destinataire(s))"
