"""The API's URLs, full paths (included at the root): /api/v1/…, its OpenAPI document and its
browsable documentation."""

from csp.decorators import csp_update
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView

from api import views

app_name = "api"

urlpatterns = [
    path("api/v1/promotions/", views.PromotionList.as_view(), name="promotions"),
    path("api/v1/challenges/", views.ChallengeList.as_view(), name="challenges"),
    path("api/v1/challenges/<int:pk>/", views.ChallengeDetail.as_view(), name="challenge"),
    path("api/v1/challenges/<int:pk>/moves/", views.ChallengeMove.as_view(), name="move"),
    path("api/v1/audit/", views.AuditEventList.as_view(), name="audit"),
    path("api/v1/promotions/<int:number>/", views.PromotionDetail.as_view(), name="promotion"),
    path("api/v1/promotions/<int:number>/ranking/", views.JuryRanking.as_view(), name="ranking"),
    path("api/v1/applications/", views.ApplicationList.as_view(), name="applications"),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Redoc (its files served from here) styles its page inline and searches in a worker: this page
    # alone allows both.
    path(
        "api/v1/docs/",
        csp_update({"style-src": ["'unsafe-inline'"], "worker-src": ["blob:"]})(
            SpectacularRedocView.as_view(url_name="api:schema")
        ),
        name="docs",
    ),
]
