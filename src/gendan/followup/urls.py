from django.urls import path

from gendan.followup import views

app_name = "followup"

urlpatterns = [
    path("chase/", views.chase_page, name="chase"),
    path("risk/", views.risk_board, name="risk_board"),
    path("milestones/<int:milestone_id>/done/", views.milestone_done, name="milestone_done"),
    path("milestones/<int:milestone_id>/forecast/", views.milestone_forecast, name="milestone_forecast"),
    path("milestones/<int:milestone_id>/edit/", views.milestone_edit, name="milestone_edit"),
    path("milestones/<int:milestone_id>/remove/", views.milestone_remove, name="milestone_remove"),
    path("milestones/<int:milestone_id>/reassign/", views.reassign, name="reassign"),
    path("orders/<int:order_id>/milestones/add/", views.milestone_add, name="milestone_add"),
    path("orders/<int:order_id>/follow-ups/add/", views.follow_up_add, name="follow_up_add"),
    path("templates/", views.template_list, name="template_list"),
    path("templates/add/", views.template_add, name="template_add"),
    path("templates/<int:template_id>/", views.template_detail, name="template"),
    path("templates/<int:template_id>/edit/", views.template_edit, name="template_edit"),
]
