from django.urls import path

from gendan.finance import credit_note_views, rebate_views, views

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
    path("credit-notes/", credit_note_views.credit_note_list, name="credit_notes"),
    path("credit-notes/add/", credit_note_views.credit_note_add, name="credit_note_add"),
    path("credit-notes/<int:note_id>/", credit_note_views.credit_note_detail, name="credit_note"),
    path("credit-notes/<int:note_id>/apply/", credit_note_views.credit_note_allocate, name="credit_note_allocate"),
    path("credit-notes/<int:note_id>/cancel/", credit_note_views.credit_note_cancel, name="credit_note_cancel"),
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
    path("verification/", rebate_views.verification_list, name="verification"),
    path("rebates/", rebate_views.rebate_list, name="rebates"),
    path("rebates/rates/", rebate_views.rate_list, name="rebate_rates"),
    path("rebates/rates/<int:rate_id>/", rebate_views.rate_edit, name="rebate_rate_edit"),
    path("rebates/rates/<int:rate_id>/delete/", rebate_views.rate_delete, name="rebate_rate_delete"),
    path("rebates/vat-invoices/", rebate_views.vat_list, name="vat_invoices"),
    path("rebates/vat-invoices/<int:invoice_id>/", rebate_views.vat_edit, name="vat_invoice_edit"),
    path("rebates/declarations/<int:declaration_id>/", rebate_views.rebate_declaration, name="rebate"),
    path("rebates/declarations/<int:declaration_id>/match/", rebate_views.rebate_match, name="rebate_match"),
    path(
        "rebates/declarations/<int:declaration_id>/matches/<int:match_id>/delete/",
        rebate_views.rebate_unmatch,
        name="rebate_unmatch",
    ),
    path(
        "rebates/declarations/<int:declaration_id>/claim/<str:step>/",
        rebate_views.rebate_claim_step,
        name="rebate_claim",
    ),
]
