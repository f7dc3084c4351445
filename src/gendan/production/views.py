"""Production pages: the capacity check (能否按期交货?) of a quantity or of an order, with its measures."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from gendan.catalog.models import Product
from gendan.core.exceptions import GendanError
from gendan.core.pages import apply_errors, error_text, perm_required
from gendan.production import services
from gendan.production.forms import CapacityCheckForm
from gendan.sales.models import Order


def pivot(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The load rows as a table: one row per work centre, one column per day."""
    days = sorted({r["date"] for r in rows})
    centres: dict[str, dict[Any, Any]] = {}
    for r in rows:
        amount = r["hours"] if r["hours"] is not None else r["units"]
        cells = centres.setdefault(r["work_centre"], {})
        cells[r["date"]] = cells.get(r["date"], 0) + amount
    return {
        "days": days,
        "rows": [{"centre": code, "cells": [cells.get(d) for d in days]} for code, cells in sorted(centres.items())],
    }


@perm_required("production.view_planload")
def capacity_check(request: HttpRequest) -> HttpResponse:
    """Check a what-if quantity of a product (GET with the form's fields), or an order (?order=<id>)."""
    context: dict[str, Any] = {"result": None, "order_result": None}
    order_id = request.GET.get("order")
    if order_id and order_id.isdigit():
        order = Order.objects.filter(pk=order_id).select_related("customer").first()
        if order is not None:
            context["order"] = order
            try:
                result = services.order_capacity_check(order=order, priority=request.GET.get("priority") or "edd")
            except GendanError as exc:
                context["error"] = error_text(exc)
            else:
                context["order_result"] = result
                context["pivot"] = pivot(result["load"])
        form = CapacityCheckForm()
    else:
        form = CapacityCheckForm(request.GET or None)
        if form.is_valid():
            data = form.cleaned_data
            product = Product.objects.filter(code=data["product"].strip()).first()
            if product is None:
                form.add_error("product", _("There is no product %(id)s.") % {"id": data["product"]})
            else:
                try:
                    result = services.capacity_check(
                        product=product,
                        quantity=data["quantity"],
                        due_date=data["due_date"],
                        priority=data["priority"] or "edd",
                    )
                except GendanError as exc:
                    apply_errors(form, exc)
                else:
                    context["result"] = result
                    context["product"] = product
                    context["pivot"] = pivot(result.load)
    context["form"] = form
    return render(request, "production/capacity_check.html", context)
