from django.urls import path

from gendan.samples import views

app_name = "samples"

urlpatterns = [
    path("", views.sample_list, name="list"),
    path("new/", views.sample_add, name="add"),
    path("<int:sample_id>/", views.sample_detail, name="detail"),
    path("<int:sample_id>/edit/", views.sample_edit, name="edit"),
    path("<int:sample_id>/rounds/<int:round_number>/steps/", views.sample_steps, name="steps"),
    path("<int:sample_id>/rounds/<int:round_number>/attachments/", views.sample_attach, name="attach"),
    path("<int:sample_id>/<str:action>/", views.sample_action, name="action"),
    path("dispatches/", views.dispatch_list, name="dispatch_list"),
    path("dispatches/new/", views.dispatch_add, name="dispatch_add"),
    path("dispatches/<int:dispatch_id>/", views.dispatch_detail, name="dispatch"),
    path("dispatches/<int:dispatch_id>/edit/", views.dispatch_edit, name="dispatch_edit"),
    path("dispatches/<int:dispatch_id>/arrived/", views.dispatch_arrived, name="dispatch_arrived"),
    path("dispatches/<int:dispatch_id>/feedback/", views.dispatch_feedback, name="dispatch_feedback"),
    path("dispatches/<int:dispatch_id>/slip.pdf", views.dispatch_slip, name="dispatch_slip"),
]
