from django.urls import path

from gendan.production import views

app_name = "production"

urlpatterns = [
    path("capacity-check/", views.capacity_check, name="capacity_check"),
    path("notices/", views.notice_list, name="notice_list"),
    path("load/", views.load_chart, name="load"),
    path("reports/", views.report_grid, name="reports"),
    path("variances/", views.variances, name="variances"),
    path("anomalies/", views.anomaly_list, name="anomaly_list"),
    path("anomalies/<int:anomaly_id>/", views.anomaly_detail, name="anomaly"),
    path("orders/<int:order_id>/anomalies/add/", views.anomaly_add, name="anomaly_add"),
    path("notices/<int:notice_id>/", views.notice_detail, name="notice"),
    path("notices/<int:notice_id>/document.pdf", views.notice_document, name="notice_document"),
    path("notices/<int:notice_id>/release/", views.notice_release, name="notice_release"),
    path("lines/<int:line_id>/notice/", views.notice_add, name="notice_add"),
]
