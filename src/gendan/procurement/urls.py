from django.urls import path

from gendan.procurement import report_views, views

app_name = "procurement"

urlpatterns = [
    path("", views.po_list, name="po_list"),
    path("add/", views.po_add, name="po_add"),
    path("requirements/", views.requirements, name="requirements"),
    path("from-requirements/", views.from_requirements, name="from_requirements"),
    path("orders/<int:order_id>/requirements/run/", views.requirements_run, name="requirements_run"),
    path("scorecards/", report_views.scorecards, name="scorecards"),
    path("scorecards/<int:supplier_id>/", report_views.scorecard, name="scorecard"),
    path("delays/", report_views.delays, name="delays"),
    path("inspections/", views.inspection_list, name="inspection_list"),
    path("inspections/<int:inspection_id>/", views.inspection_detail, name="inspection"),
    path("<int:po_id>/", views.po_detail, name="po"),
    path("<int:po_id>/edit/", views.po_edit, name="po_edit"),
    path("<int:po_id>/receive/", views.receive, name="receive"),
    path("<int:po_id>/document.<str:fmt>", views.po_document, name="po_document"),
    path("<int:po_id>/link/<str:action>/", views.po_link, name="po_link"),
    path("<int:po_id>/lines/<int:line_id>/promise/", views.line_promise, name="line_promise"),
    path("<int:po_id>/lines/<int:line_id>/delay-cause/", views.line_delay_cause, name="line_delay_cause"),
    path("<int:po_id>/<str:action>/", views.po_action, name="po_action"),
]
