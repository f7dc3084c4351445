"""Catalog pages under /catalog/: products (with their BOMs and routings), materials and work centres (NetBox-style
names)."""

from django.urls import path

from gendan.catalog import views

app_name = "catalog"

urlpatterns = [
    path("products/", views.product_list, name="product_list"),
    path("products/add/", views.product_add, name="product_add"),
    path("products/export/", views.product_export, name="product_export"),
    path("products/import/", views.product_import, name="product_import"),
    path("products/import/template/", views.product_import_template, name="product_import_template"),
    path("products/<int:pk>/", views.product_detail, name="product"),
    path("products/<int:pk>/edit/", views.product_edit, name="product_edit"),
    path("products/<int:pk>/bom/", views.product_bom_edit, name="product_bom_edit"),
    path("products/<int:pk>/routing/", views.product_routing_edit, name="product_routing_edit"),
    path("boms/export/", views.bom_export, name="bom_export"),
    path("boms/import/", views.bom_import, name="bom_import"),
    path("boms/import/template/", views.bom_import_template, name="bom_import_template"),
    path("materials/", views.material_list, name="material_list"),
    path("materials/add/", views.material_add, name="material_add"),
    path("materials/export/", views.material_export, name="material_export"),
    path("materials/import/", views.material_import, name="material_import"),
    path("materials/import/template/", views.material_import_template, name="material_import_template"),
    path("materials/<int:pk>/", views.material_detail, name="material"),
    path("materials/<int:pk>/edit/", views.material_edit, name="material_edit"),
    path("work-centres/", views.work_centre_list, name="work_centre_list"),
    path("work-centres/add/", views.work_centre_add, name="work_centre_add"),
    path("work-centres/export/", views.work_centre_export, name="work_centre_export"),
    path("work-centres/<int:pk>/", views.work_centre_detail, name="work_centre"),
    path("work-centres/<int:pk>/edit/", views.work_centre_edit, name="work_centre_edit"),
    path("work-centres/<int:pk>/exceptions/", views.work_centre_exception_set, name="work_centre_exception_set"),
    path(
        "work-centres/<int:pk>/exceptions/remove/",
        views.work_centre_exception_remove,
        name="work_centre_exception_remove",
    ),
]
