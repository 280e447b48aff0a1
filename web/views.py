from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from web import navigation


def home(request):
    if not request.user.is_authenticated:
        return redirect("login")
    return redirect(navigation.home_url(request.user))


@login_required
def space(request):
    """The landing page of roles whose part of the programme has no pages yet (jury, mentors)."""
    return render(request, "web/space.html", {"title": "Mon espace"})
