from django.urls import path

from helpdesk.views import desk

app_name = "desk"

urlpatterns = [
    path("", desk.desk_home, name="home"),
    path("notifications/read/", desk.notifications_read, name="notifications-read"),
]
