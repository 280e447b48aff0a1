"""What the thread's form says after a post, across the redirect to its page: the outcome of a
message sent (to whom), or a refused text kept with its errors by field so that nothing typed
is lost. Kept in the session for one challenge, read once by the page that shows the thread."""

SESSION_KEY = "conversations.feedback"


def announce(request, challenge, text: str, *, level: str = "success"):
    request.session[SESSION_KEY] = {"challenge": challenge.pk, "notice": text, "level": level}


def keep(request, challenge, *, body: str, errors: dict, attachment: str = ""):
    request.session[SESSION_KEY] = {
        "challenge": challenge.pk,
        "body": body,
        "errors": {field: [str(message) for message in messages] for field, messages in errors.items()},
        # A file is never sent back to the browser: the form says to attach it again.
        "attachment": attachment if "attachment" not in errors else "",
    }


def take(request, challenge) -> dict:
    """What was kept for this challenge, removed from the session; {} when there is nothing."""
    session = getattr(request, "session", None)
    if session is None:
        return {}
    kept = session.get(SESSION_KEY)
    if not kept or kept.get("challenge") != challenge.pk:
        return {}
    del session[SESSION_KEY]
    return kept
