"""The desk's complaint pages, mounted at /desk/complaints/."""

from django.urls import path

from . import views

app_name = "complaints"

urlpatterns = [
    path("", views.list_view, name="list"),
    path("new/", views.log_view, name="log"),
    path("<str:reference>/", views.detail_view, name="detail"),
]
