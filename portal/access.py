"""Who reaches the portal, and which dossiers: a contact sees its administration's, others a 404."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from lifecycle import rules
from lifecycle.models import Challenge


def is_portal_user(user) -> bool:
    return rules.is_administration_contact(user) and user.profile.administration_id is not None


def contact_required(view):
    """Anonymous users go to the login page; signed-in users other than contacts get a 404."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_portal_user(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return login_required(wrapper)


def challenges_of(user):
    administration_id = user.profile.administration_id
    return Challenge.objects.filter(
        Q(administration_id=administration_id) | Q(administrative_carrier_id=administration_id)
    )


def challenge_of(user, pk) -> Challenge:
    challenge = get_object_or_404(
        Challenge.objects.select_related("promotion__call", "administration", "administrative_carrier"),
        pk=pk,
    )
    if not rules.is_contact_of(user, challenge):
        raise Http404
    return challenge
