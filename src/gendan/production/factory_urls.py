"""The subcontract factory's page behind its signed link (no account, no login): /f/<token>/."""

from django.urls import path

from gendan.production import subcontract_views

app_name = "factory"

urlpatterns = [
    path("<str:token>/", subcontract_views.factory_reports, name="reports"),
]
