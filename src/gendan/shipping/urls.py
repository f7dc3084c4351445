from django.urls import path

from gendan.shipping import views

app_name = "shipping"

urlpatterns = [
    path("", views.shipment_list, name="shipment_list"),
    path("new/", views.shipment_new, name="shipment_new"),
    path("profiles/", views.profiles, name="profiles"),
    path("<int:pk>/", views.shipment_detail, name="shipment"),
    path("<int:pk>/edit/", views.shipment_edit, name="shipment_edit"),
    path("<int:pk>/documents/<str:kind>.<str:fmt>", views.document, name="document"),
    path("<int:pk>/<str:action>/", views.shipment_action, name="shipment_action"),
]
