from django.urls import path

from gendan.service import views

app_name = "service"

urlpatterns = [
    path("", views.complaint_list, name="list"),
    path("new/", views.complaint_add, name="add"),
    path("report/", views.report, name="report"),
    path("causes/", views.causes, name="causes"),
    path("causes/<int:cause_id>/", views.cause_edit, name="cause_edit"),
    path("<int:complaint_id>/", views.complaint_detail, name="detail"),
    path("<int:complaint_id>/edit/", views.complaint_edit, name="edit"),
    path("<int:complaint_id>/answer.pdf", views.answer_pdf, name="answer_pdf"),
    path("<int:complaint_id>/photos/", views.photo_add, name="photos"),
    path("<int:complaint_id>/actions/", views.action_add, name="action_add"),
    path("<int:complaint_id>/actions/<int:action_id>/", views.action_edit, name="action_edit"),
    path("<int:complaint_id>/actions/<int:action_id>/done/", views.action_done, name="action_done"),
    path("<int:complaint_id>/<str:step>/", views.complaint_step, name="step"),
]
