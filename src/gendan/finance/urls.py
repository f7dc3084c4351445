from django.urls import path

from gendan.finance import views

app_name = "finance"

urlpatterns = [
    path("", views.invoice_list, name="invoices"),
    path("invoices/add/", views.invoice_add, name="invoice_add"),
    path("invoices/<int:invoice_id>/", views.invoice_detail, name="invoice"),
    path("invoices/<int:invoice_id>/cancel/", views.invoice_cancel, name="invoice_cancel"),
    path("receipts/", views.receipt_list, name="receipts"),
    path("receipts/add/", views.receipt_add, name="receipt_add"),
    path("receipts/<int:receipt_id>/", views.receipt_detail, name="receipt"),
    path("receipts/<int:receipt_id>/allocate/", views.receipt_allocate, name="receipt_allocate"),
    path("receipts/<int:receipt_id>/settle/", views.receipt_settle, name="receipt_settle"),
    path("fx-settlements/", views.fx_list, name="fx"),
    path("customers/", views.customer_list, name="balances"),
    path("customers/<int:customer_id>/terms/", views.customer_terms_set, name="balance_terms"),
    path("customers/<int:customer_id>/statement/", views.customer_statement, name="statement"),
    path("customers/<int:customer_id>/statement.pdf", views.customer_statement, {"fmt": "pdf"}, name="statement_pdf"),
    path(
        "customers/<int:customer_id>/statement.xlsx", views.customer_statement, {"fmt": "xlsx"}, name="statement_xlsx"
    ),
    path("ageing/", views.ageing_report, name="ageing"),
    path("terms/", views.term_list, name="terms"),
    path("terms/add/", views.term_add, name="term_add"),
    path("terms/<int:term_id>/", views.term_edit, name="term_edit"),
    path("orders/<int:order_id>/terms/", views.order_terms_set, name="order_terms"),
]
