from django.urls import path

from mentoring import views

app_name = "mentoring"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("taches/<int:task_pk>/", views.task, name="task"),
    path("taches/<int:task_pk>/prendre/", views.take, name="take"),
]
