from django.urls import path

from cohort import views

app_name = "cohort"

urlpatterns = [
    path("calendrier/<slug:token>.ics", views.ics, name="ics"),
]
