"""The office's pages under /office/, and the outside party's notice page under /office/n/<token>/ (no login: the
signed link is the key)."""

from django.urls import path
from django.views.generic import RedirectView

from gendan.office import views

app_name = "office"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="office:task_list"), name="home"),
    path("tasks/", views.task_list, name="task_list"),
    path("tasks/new/", views.task_add, name="task_add"),
    path("tasks/<int:task_id>/", views.task_detail, name="task"),
    path("tasks/<int:task_id>/edit/", views.task_edit, name="task_edit"),
    path("tasks/<int:task_id>/comments/", views.task_comment, name="task_comment"),
    path("tasks/<int:task_id>/files/", views.task_attach, name="task_attach"),
    path("tasks/<int:task_id>/files/<int:attachment_id>/", views.task_file, name="task_file"),
    path("tasks/<int:task_id>/<str:action>/", views.task_action, name="task_action"),
    path("notices/", views.notice_list, name="notice_list"),
    path("notices/new/", views.notice_add, name="notice_add"),
    path("notices/<int:notice_id>/", views.notice_detail, name="notice"),
    path("notices/<int:notice_id>/notice.pdf", views.notice_pdf, name="notice_pdf"),
    path("notices/<int:notice_id>/acknowledge/", views.notice_acknowledge, name="notice_acknowledge"),
    path("notices/<int:notice_id>/recipients/", views.notice_recipients, name="notice_recipients"),
    path("notices/<int:notice_id>/files/", views.notice_attach, name="notice_attach"),
    path("notices/<int:notice_id>/files/<int:attachment_id>/", views.notice_file, name="notice_file"),
    path(
        "notices/<int:notice_id>/suppliers/<int:supplier_id>/link/<str:action>/",
        views.notice_link,
        name="notice_link",
    ),
    path("notices/<int:notice_id>/<str:action>/", views.notice_action, name="notice_action"),
    path("summary/", views.summary_page, name="summary"),
    path("summary/panel/", views.summary_panel, name="summary_panel"),
    path("n/<str:token>/", views.public_notice, name="public_notice"),
    path("n/<str:token>/notice.pdf", views.public_notice_pdf, name="public_notice_pdf"),
    path("n/<str:token>/files/<int:attachment_id>/", views.public_notice_file, name="public_notice_file"),
]
