"""Partner pages under /partners/: customers, suppliers, contacts (NetBox-style names)."""

from django.urls import path

from gendan.partners import views

app_name = "partners"

urlpatterns = [
    path("customers/", views.customer_list, name="customer_list"),
    path("customers/add/", views.customer_add, name="customer_add"),
    path("customers/export/", views.customer_export, name="customer_export"),
    path("customers/import/", views.customer_import, name="customer_import"),
    path("customers/import/template/", views.customer_import_template, name="customer_import_template"),
    path("customers/<int:pk>/", views.customer_detail, name="customer"),
    path("customers/<int:pk>/edit/", views.customer_edit, name="customer_edit"),
    path("customers/<int:pk>/contacts/add/", views.customer_contact_add, name="customer_contact_add"),
    path("suppliers/", views.supplier_list, name="supplier_list"),
    path("suppliers/add/", views.supplier_add, name="supplier_add"),
    path("suppliers/export/", views.supplier_export, name="supplier_export"),
    path("suppliers/import/", views.supplier_import, name="supplier_import"),
    path("suppliers/import/template/", views.supplier_import_template, name="supplier_import_template"),
    path("suppliers/<int:pk>/", views.supplier_detail, name="supplier"),
    path("suppliers/<int:pk>/edit/", views.supplier_edit, name="supplier_edit"),
    path("suppliers/<int:pk>/contacts/add/", views.supplier_contact_add, name="supplier_contact_add"),
    path("contacts/<int:pk>/edit/", views.contact_edit, name="contact_edit"),
    path("contacts/<int:pk>/delete/", views.contact_delete, name="contact_delete"),
]
