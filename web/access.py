"""Access to the pages: what a user may not see answers 404, never a hint it exists."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404

from lifecycle import rules


def manager_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not rules.is_programme_manager(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def audit_reader_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not rules.can_view_audit_trail(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper
