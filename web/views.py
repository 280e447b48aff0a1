from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render

from accounts import services as accounts
from accounts.passwords import QueuedPasswordResetForm
from web import navigation, throttle


def home(request):
    if not request.user.is_authenticated:
        return redirect("login")
    return redirect(navigation.home_url(request.user))


@login_required
def space(request):
    """The landing page of roles whose part of the programme has no pages yet (jury, mentors)."""
    return render(request, "web/space.html", {"title": "Mon espace"})


class ThrottledPasswordResetView(auth_views.PasswordResetView):
    """Django's reset (the same answer, as fast, whether the address has an account or not: the
    e-mail goes through the task queue), at most a few requests per address and per e-mail in
    the throttling window."""

    form_class = QueuedPasswordResetForm

    def form_valid(self, form):
        if not throttle.allow(self.request, "password-reset", form.cleaned_data["email"]):
            return self.render_to_response(
                self.get_context_data(form=form, throttled=throttle.too_many_message())
            )
        return super().form_valid(form)


class AuditedPasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's new-password page; the new password is an audited change of the account."""

    @transaction.atomic
    def form_valid(self, form):
        response = super().form_valid(form)
        accounts.record_password_set(form.user, by=form.user)
        return response
