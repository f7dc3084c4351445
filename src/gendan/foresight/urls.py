from django.urls import path

from gendan.foresight import views

app_name = "foresight"

urlpatterns = [
    path("", views.report_page, name="report"),
]
