from django.urls import path

from gendan.production import import_views, plan_views, subcontract_views, tracking_views, views

app_name = "production"

urlpatterns = [
    path("capacity-check/", views.capacity_check, name="capacity_check"),
    path("notices/", views.notice_list, name="notice_list"),
    path("load/", views.load_chart, name="load"),
    path("reports/", views.report_grid, name="reports"),
    path("reports/import/", import_views.report_import, name="report_import"),
    path("reports/import/template.xlsx", import_views.report_import_template, name="report_import_template"),
    path("variances/", views.variances, name="variances"),
    path("tracking/", tracking_views.tracking, name="tracking"),
    path("anomalies/", views.anomaly_list, name="anomaly_list"),
    path("anomalies/<int:anomaly_id>/", views.anomaly_detail, name="anomaly"),
    path("orders/<int:order_id>/anomalies/add/", views.anomaly_add, name="anomaly_add"),
    path("notices/<int:notice_id>/", views.notice_detail, name="notice"),
    path("notices/<int:notice_id>/document.pdf", views.notice_document, name="notice_document"),
    path("notices/<int:notice_id>/plan/", plan_views.plan_edit, name="plan"),
    path("notices/<int:notice_id>/release/", views.notice_release, name="notice_release"),
    path("lines/<int:line_id>/notice/", views.notice_add, name="notice_add"),
    path("subcontracts/", subcontract_views.subcontract_list, name="subcontract_list"),
    path("notices/<int:notice_id>/subcontract/", subcontract_views.subcontract_add, name="subcontract_add"),
    path("subcontracts/<int:sc_id>/", subcontract_views.subcontract_detail, name="subcontract"),
    path("subcontracts/<int:sc_id>/edit/", subcontract_views.subcontract_edit, name="subcontract_edit"),
    path("subcontracts/<int:sc_id>/receive/", subcontract_views.subcontract_receive, name="subcontract_receive"),
    path("subcontracts/<int:sc_id>/<str:action>/", subcontract_views.subcontract_action, name="subcontract_action"),
    path("factories/", subcontract_views.factories, name="factories"),
    path("factories/<int:factory_id>/link/<str:action>/", subcontract_views.factory_link, name="factory_link"),
]
