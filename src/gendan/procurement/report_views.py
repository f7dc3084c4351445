"""Purchasing reports: supplier scorecards and delay causes (filled in below)."""

from django.http import HttpRequest, HttpResponse

from gendan.core.pages import perm_required


@perm_required("procurement.view_purchaseorder")
def scorecards(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError


@perm_required("procurement.view_purchaseorder")
def scorecard(request: HttpRequest, supplier_id: int) -> HttpResponse:
    raise NotImplementedError


@perm_required("procurement.view_purchaseorder")
def delays(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError
