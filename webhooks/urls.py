"""A person's webhooks, in their account: compte/webhooks/…"""

from django.urls import path

from webhooks import pages

app_name = "webhooks"

urlpatterns = [
    path("compte/webhooks/", pages.webhook_list, name="list"),
    path("compte/webhooks/<int:pk>/", pages.webhook_detail, name="detail"),
    path("compte/webhooks/<int:pk>/desactiver/", pages.webhook_disable, name="disable"),
    path("compte/webhooks/<int:pk>/envois/<int:delivery_pk>/rejouer/", pages.delivery_replay, name="replay"),
]
