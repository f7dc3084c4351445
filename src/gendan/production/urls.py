from django.urls import path

from gendan.production import views

app_name = "production"

urlpatterns = [
    path("capacity-check/", views.capacity_check, name="capacity_check"),
]
