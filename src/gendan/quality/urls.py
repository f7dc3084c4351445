from django.urls import path

from gendan.quality import views

app_name = "quality"

urlpatterns = [
    path("", views.inspection_list, name="inspection_list"),
    path("orders/<int:order_id>/inspections/add/", views.inspection_add, name="inspection_add"),
    path("inspections/<int:inspection_id>/", views.inspection_detail, name="inspection"),
    path("inspections/<int:inspection_id>/edit/", views.inspection_edit, name="inspection_edit"),
    path("inspections/<int:inspection_id>/report.pdf", views.inspection_report, name="inspection_report"),
    path("inspections/<int:inspection_id>/<str:action>/", views.inspection_action, name="inspection_action"),
    path("aql/", views.aql_table, name="aql"),
    path("defects/", views.defect_list, name="defects"),
    path("defaults/", views.customer_defaults, name="defaults"),
    path("records/", views.records, name="records"),
]
