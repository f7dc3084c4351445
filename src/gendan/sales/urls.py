from django.urls import path

from gendan.sales import views

app_name = "sales"

urlpatterns = [
    path("", views.order_list, name="order_list"),
    path("add/", views.order_add, name="order_add"),
    path("export/", views.order_export, name="order_export"),
    path("import/", views.order_import, name="order_import"),
    path("import/template/", views.order_import_template, name="order_import_template"),
    path("<int:order_id>/", views.order_detail, name="order"),
    path("<int:order_id>/edit/", views.order_edit, name="order_edit"),
    path("<int:order_id>/do/<slug:action>/", views.order_action, name="order_action"),
    path("<int:order_id>/review/<int:item_id>/", views.review_decide, name="review_decide"),
    path("<int:order_id>/attachments/", views.order_attach, name="order_attach"),
]
