"""Inventory pages under /inventory/: stock, movements, a material's stock, warehouses and their locations."""

from django.urls import path

from gendan.inventory import allocation_views, views

app_name = "inventory"

urlpatterns = [
    path("", views.stock_list, name="stock_list"),
    path("export/", views.stock_export, name="stock_export"),
    path("materials/<int:pk>/", views.material_stock, name="material_stock"),
    path("movements/", views.movement_list, name="movement_list"),
    path("movements/add/", views.movement_add, name="movement_add"),
    path("movements/export/", views.movement_export, name="movement_export"),
    path("warehouses/", views.warehouse_list, name="warehouse_list"),
    path("warehouses/add/", views.warehouse_add, name="warehouse_add"),
    path("warehouses/<int:pk>/", views.warehouse_detail, name="warehouse"),
    path("warehouses/<int:pk>/edit/", views.warehouse_edit, name="warehouse_edit"),
    path("warehouses/<int:pk>/locations/add/", views.location_add, name="location_add"),
    # allocation of short stock (缺货分配)
    path("allocation/", allocation_views.short_stock, name="allocation_short"),
    path("allocation/product/", allocation_views.pick_product, name="allocation_pick"),
    path("allocation/product/<int:pk>/", allocation_views.product_allocation, name="allocation_product"),
    path("allocation/product/<int:pk>/end/", allocation_views.end, name="allocation_end"),
    path("allocation/<int:pk>/issue/", allocation_views.issue, name="allocation_issue"),
]
