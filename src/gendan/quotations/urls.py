from django.urls import path

from gendan.quotations import views

app_name = "quotations"

urlpatterns = [
    path("", views.quotation_list, name="list"),
    path("new/", views.quotation_add, name="add"),
    path("rates/", views.rates, name="rates"),
    path("report/", views.report, name="report"),
    path("<int:quotation_id>/", views.quotation_detail, name="detail"),
    path("<int:quotation_id>/edit/", views.quotation_edit, name="edit"),
    path("<int:quotation_id>/pdf/", views.quotation_pdf, name="pdf"),
    path("<int:quotation_id>/send/", views.quotation_send, name="send"),
    path("<int:quotation_id>/to-order/", views.quotation_to_order, name="to_order"),
    path("<int:quotation_id>/lines/add/", views.line_add, name="line_add"),
    path("<int:quotation_id>/lines/<int:line_id>/", views.line_update, name="line"),
    path("<int:quotation_id>/lines/<int:line_id>/refresh/", views.line_refresh, name="line_refresh"),
    path("<int:quotation_id>/lines/<int:line_id>/remove/", views.line_remove, name="line_remove"),
    path("<int:quotation_id>/<str:action>/", views.quotation_action, name="action"),
]
