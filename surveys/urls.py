"""Surveys: the public page at /survey/<token>/ and the supervisors' page at /desk/surveys/."""

from django.urls import path

from surveys import views

app_name = "surveys"

urlpatterns = [
    path("survey/thanks/", views.thanks_view, name="thanks"),
    path("survey/<str:token>/", views.survey_view, name="survey"),
    path("desk/surveys/", views.desk_view, name="desk"),
    path("desk/surveys/export.csv", views.export_view, name="export"),
    path("desk/surveys/follow-ups/<int:pk>/", views.follow_up_view, name="follow-up"),
]
