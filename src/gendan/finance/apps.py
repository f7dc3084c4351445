from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from gendan.core.choices import Role


def payments_section(request: Any, order: Any) -> dict[str, Any] | None:
    """The order page's Payments: the order's invoices, invoiced / paid / open, its payment term."""
    from gendan.finance.views import order_section_context

    if not request.user.has_perm("finance.view_invoice"):
        return None
    return {
        "template": "finance/partials/_order_section.html",
        "context": order_section_context(request, order),
        "order": 170,
    }


def receivables_section(request: Any, customer: Any) -> dict[str, Any] | None:
    """The customer file's receivables: open and overdue per currency, credit on account, the payment history of the
    last 12 months, the latest receipts and credit notes."""
    from gendan.finance import selectors
    from gendan.finance.models import CreditNote, Receipt

    if not request.user.has_perm("finance.view_invoice"):
        return None
    return {
        "template": "finance/partials/_customer_section.html",
        "context": {
            "exposure": selectors.customer_exposure(customer.pk),
            "credit": selectors.customer_credit(customer.pk),
            "history": selectors.payment_history(customer.pk),
            "receipts": list(Receipt.objects.filter(customer=customer).order_by("-received_date", "-id")[:5]),
            "credit_notes": list(CreditNote.objects.filter(customer=customer).order_by("-issue_date", "-id")[:5]),
        },
        "order": 60,
    }


class FinanceConfig(AppConfig):
    """Finance (货款): invoices and receivables, receipts, statements, FX settlement, verification, tax rebate."""

    name = "gendan.finance"
    label = "finance"
    verbose_name = _("Finance")

    _view = [
        "view_invoice",
        "view_invoiceline",
        "view_receipt",
        "view_allocation",
        "view_paymentterm",
        "view_creditnote",
    ]
    _terms = [*_view, "view_customerterms", "view_orderterms", "add_orderterms", "change_orderterms"]
    _rebates_view = ["view_rebaterate", "view_purchasevatinvoice", "view_vatmatch", "view_rebateclaim"]
    _finance = [
        *_terms,
        "add_invoice",
        "change_invoice",
        "cancel_invoice",
        "add_receipt",
        "change_receipt",
        "add_allocation",
        "add_creditnote",
        "change_creditnote",
        "add_paymentterm",
        "change_paymentterm",
        "add_customerterms",
        "change_customerterms",
        "view_fxsettlement",
        "add_fxsettlement",
        *_rebates_view,
        "add_rebaterate",
        "change_rebaterate",
        "delete_rebaterate",
        "add_purchasevatinvoice",
        "change_purchasevatinvoice",
        "add_vatmatch",
        "delete_vatmatch",
        "add_rebateclaim",
        "change_rebateclaim",
    ]
    role_permissions = {
        Role.MERCHANDISER: _terms,
        Role.SALES: _terms,
        Role.SHIPPING: _view,
        Role.FINANCE: _finance,
        Role.MANAGER: [
            *_terms,
            "view_fxsettlement",
            *_rebates_view,
            "add_paymentterm",
            "change_paymentterm",
            "add_customerterms",
            "change_customerterms",
        ],
    }

    def ready(self) -> None:
        from gendan.finance import hooks, selectors  # noqa: F401 - selectors registers the invoices' chase rows
        from gendan.partners.hub import register_customer_section
        from gendan.sales.hub import register_section

        register_section(payments_section)
        register_customer_section(receivables_section)
        hooks.connect()
