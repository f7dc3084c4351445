"""The supplier's pages behind its signed link (no account, no login): /s/<token>/."""

from django.urls import path

from gendan.procurement import views

app_name = "supplier"

urlpatterns = [
    path("po/<str:token>/", views.supplier_po, name="po"),
    path("po/<str:token>/document.pdf", views.supplier_document, name="po_document"),
]
