from django.urls import path

from gendan.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("panel/", views.panel, name="panel"),
    path("sales/", views.sales, name="sales"),
    path("inventory/", views.inventory, name="inventory"),
    path("collection/", views.collection, name="collection"),
    path("delivery/", views.delivery, name="delivery"),
    path("exchange-rates/", views.rates, name="rates"),
    path("exchange-rates/<int:pk>/", views.rate_edit, name="rate_edit"),
    path("exchange-rates/<int:pk>/delete/", views.rate_delete, name="rate_delete"),
]
