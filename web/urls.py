from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy
from django.utils.translation import gettext_lazy as _

from accounts.views import accept_invitation
from web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("espace/", views.space, name="space"),
]

# Django's own account views, under their usual names so that password reset e-mails work.
account_urlpatterns = [
    path(
        "compte/connexion/",
        auth_views.LoginView.as_view(
            redirect_authenticated_user=True, extra_context={"title": _("Connexion")}
        ),
        name="login",
    ),
    path("compte/deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "compte/mot-de-passe/oubli/",
        views.ThrottledPasswordResetView.as_view(
            success_url=reverse_lazy("password_reset_done"), extra_context={"title": _("Mot de passe oublié")}
        ),
        name="password_reset",
    ),
    path(
        "compte/mot-de-passe/oubli/envoye/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "compte/mot-de-passe/nouveau/<uidb64>/<token>/",
        views.AuditedPasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "compte/mot-de-passe/change/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    # An invitation's link (accounts.invitations): the invited person chooses a password.
    path("compte/invitation/<str:token>/", accept_invitation, name="accept_invitation"),
]
