"""Customer relations' pages under /relations/. `survey/<token>/` is the customer contact's page: it needs no login
(the signed link is the key)."""

from django.urls import path

from gendan.relations import views

app_name = "relations"

urlpatterns = [
    path("", views.relations_home, name="home"),
    path("visits/", views.visit_list, name="visit_list"),
    path("visits/new/", views.visit_add, name="visit_add"),
    path("visits/<int:visit_id>/", views.visit_detail, name="visit"),
    path("visits/<int:visit_id>/edit/", views.visit_edit, name="visit_edit"),
    path("visits/<int:visit_id>/minutes/", views.visit_minutes, name="visit_minutes"),
    path("visits/<int:visit_id>/plan.pdf", views.visit_plan, name="visit_plan"),
    path("visits/<int:visit_id>/tasks/add/<str:phase>/", views.task_add, name="task_add"),
    path("visits/<int:visit_id>/tasks/<int:task_id>/toggle/", views.task_toggle, name="task_toggle"),
    path("visits/<int:visit_id>/tasks/<int:task_id>/edit/", views.task_update, name="task_update"),
    path("visits/<int:visit_id>/tasks/<int:task_id>/remove/", views.task_remove, name="task_remove"),
    path("visits/<int:visit_id>/<str:action>/", views.visit_action, name="visit_action"),
    path("surveys/", views.round_list, name="survey_list"),
    path("surveys/new/", views.round_add, name="survey_add"),
    path("surveys/templates/", views.template_list, name="template_list"),
    path("surveys/templates/new/", views.template_add, name="template_add"),
    path("surveys/templates/<int:template_id>/", views.template_detail, name="template"),
    path("surveys/templates/<int:template_id>/edit/", views.template_edit, name="template_edit"),
    path("surveys/follow-ups/", views.follow_ups, name="follow_ups"),
    path("surveys/follow-ups/<int:follow_up_id>/done/", views.follow_up_done, name="follow_up_done"),
    path("surveys/<int:round_id>/", views.round_detail, name="survey"),
    path("surveys/<int:round_id>/edit/", views.round_edit, name="survey_edit"),
    path("surveys/<int:round_id>/recipients/", views.round_recipients, name="survey_recipients"),
    path("surveys/<int:round_id>/send/", views.round_send, name="survey_send"),
    path("surveys/<int:round_id>/remind/", views.round_remind, name="survey_remind"),
    path("surveys/<int:round_id>/close/", views.round_close, name="survey_close"),
    path("surveys/<int:round_id>/results/", views.round_results, name="survey_results"),
    path(
        "surveys/<int:round_id>/recipients/<int:invitation_id>/<str:action>/",
        views.recipient_action,
        name="recipient_action",
    ),
    path("survey/<str:token>/", views.survey_answer, name="survey_answer"),
]
