"""Pages of the allocation of short stock (缺货分配) under /inventory/allocation/: the short-stock list, a product's
proposal (ranked lines with editable quantities, the shortfall of each recomputed as the user types), its
confirmation, issuing allocated goods and ending the allocation; the order page's, the customer page's and the
dashboard's allocation sections. Thin: input in, an `inventory.allocation` call, a template out."""

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gendan.core.excel import Column, xlsx_download
from gendan.core.exceptions import GendanError, ValidationError
from gendan.core.models import ObjectChange
from gendan.core.pages import error_text, object_or_404, perm_required
from gendan.inventory import allocation
from gendan.inventory.models import Location, StockAllocation
from gendan.inventory.services import fmt, qty
from gendan.partners.choices import TIER_COLORS, CustomerTier
from gendan.sales.choices import STATUS_COLORS

PANEL_ROWS = 8
HISTORY_ROWS = 30

SHORT_COLUMNS = [
    Column("code", "产品编码", "Product", width=14),
    Column("name", "产品名称", "Name", width=28),
    Column("unit", "单位", "Unit", width=8),
    Column("on_hand", "在库", "On hand", width=12, number_format="#,##0.###"),
    Column("allocated", "已分配", "Allocated", width=12, number_format="#,##0.###"),
    Column("available", "可用", "Available", width=12, number_format="#,##0.###"),
    Column("demand", "未交需求", "Open demand", width=12, number_format="#,##0.###"),
    Column("shortfall", "缺口", "Shortfall", width=12, number_format="#,##0.###"),
    Column("lines", "订单明细数", "Open lines", width=10),
    Column("short_lines", "短缺明细数", "Lines left short", width=10),
]


def _product_url(product_id: int) -> str:
    return reverse("inventory:allocation_product", args=[product_id])


# ---- the short-stock list ---------------------------------------------------------------------------------------


@perm_required("inventory.view_stockallocation")
def short_stock(request: HttpRequest) -> HttpResponse:
    """Products whose stock is below their open demand, and those still under an allocation."""
    q = request.GET.get("q", "")
    rows = allocation.short_stock(q=q)
    if request.GET.get("format") == "xlsx":
        return xlsx_download(SHORT_COLUMNS, rows, title=_("Short stock"), stem="short-stock")
    context = {"rows": rows, "q": q, "products": allocation.products_with_demand()}
    return render(request, "inventory/allocation/short_stock.html", context)


@perm_required("inventory.view_stockallocation")
def pick_product(request: HttpRequest) -> HttpResponse:
    """The product picker's target: ?product=<id> opens that product's allocation."""
    product = request.GET.get("product", "")
    if product.isdigit():
        return redirect(_product_url(int(product)))
    return redirect(reverse("inventory:allocation_short"))


# ---- a product's proposal and allocation -------------------------------------------------------------------------


def _typed_quantities(request: HttpRequest, proposal: allocation.Proposal) -> tuple[dict[int, str], dict[str, str]]:
    """The quantities the user typed (qty-<line id>), as typed, and the errors of those that are not numbers."""
    typed: dict[int, str] = {}
    errors: dict[str, str] = {}
    for d in proposal.lines:
        raw = (request.POST.get(f"qty-{d.order_line_id}") or "").strip()
        typed[d.order_line_id] = raw
        if raw == "":
            errors[f"qty-{d.order_line_id}"] = _("Give a quantity (0 for none).")
            continue
        try:
            value = qty(raw, f"qty-{d.order_line_id}")
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.errors.items()})
            continue
        if value < 0:
            errors[f"qty-{d.order_line_id}"] = _("Enter zero or more.")
    return typed, errors


def _rows(proposal: allocation.Proposal, typed: dict[int, str], errors: dict[str, str]) -> list[dict[str, Any]]:
    """The table's rows: each ranked line with its quantity (typed, else proposed) and the shortfall it leaves."""
    rows = []
    for d in proposal.lines:
        raw = typed.get(d.order_line_id)
        value = d.proposed_quantity if raw is None else raw
        try:
            number = Decimal(str(value).replace(",", ""))
        except ArithmeticError:
            number = None
        line_errors = [errors[f"qty-{d.order_line_id}"]] if f"qty-{d.order_line_id}" in errors else []
        rows.append(
            {
                "d": d,
                "value": value if raw is not None else fmt(d.proposed_quantity),
                "number": number,
                "shortfall": (d.open_quantity - number) if number is not None and number.is_finite() else None,
                "errors": line_errors,
            }
        )
    return rows


def _totals(proposal: allocation.Proposal, rows: list[dict[str, Any]]) -> dict[str, Any]:
    numbers = [r["number"] for r in rows if r["number"] is not None and r["number"].is_finite()]
    total = sum(numbers, Decimal(0))
    return {
        "allocating": total,
        "left": proposal.allocatable - total,
        "over": total > proposal.allocatable,
        "short_lines": sum(1 for r in rows if r["shortfall"] is not None and r["shortfall"] > 0),
        "shortfall": sum(
            (r["shortfall"] for r in rows if r["shortfall"] is not None and r["shortfall"] > 0), Decimal(0)
        ),
    }


def _history(current: list[StockAllocation]) -> list[ObjectChange]:
    """The latest changes of the product's allocations, each with `line_label` (the order line it is about)."""
    labels = {a.pk: f"{a.order.number}#{a.order_line.position}" for a in current}
    ct = ContentType.objects.get_for_model(StockAllocation)
    changes = list(
        ObjectChange.objects.filter(content_type=ct, object_id__in=list(labels))
        .select_related("content_type")
        .order_by("-time", "-id")[:HISTORY_ROWS]
    )
    for c in changes:
        c.line_label = labels.get(c.object_id, c.object_repr)
    return changes


def _line_errors(exc: GendanError, proposal: allocation.Proposal) -> tuple[dict[str, str], list[str]]:
    """A service error as {qty-<line id>: message} for the lines it names, and the rest for the form's head."""
    if not isinstance(exc, ValidationError):
        return {}, [exc.message]
    by_index = {i: d for i, d in enumerate(proposal.lines, start=1)}
    fields: dict[str, str] = {}
    rest: list[str] = []
    for key, msgs in exc.errors.items():
        parts = key.split(".")
        if len(parts) == 3 and parts[0] == "lines" and parts[1].isdigit() and int(parts[1]) in by_index:
            fields[f"qty-{by_index[int(parts[1])].order_line_id}"] = msgs[0]
        else:
            rest.extend(msgs)
    return fields, rest


@perm_required("inventory.view_stockallocation")
def product_allocation(request: HttpRequest, pk: int) -> HttpResponse:
    """A product's stock, open demand and ranked proposal; POST confirms (or, from htmx, previews) the quantities."""
    product = object_or_404(allocation.get_product, pk)
    proposal = allocation.propose(product)
    typed: dict[int, str] = {}
    errors: dict[str, str] = {}
    form_errors: list[str] = []
    make_up = request.POST.get("make_up_date", "") if request.method == "POST" else ""
    start = request.GET.get("start") or ("current" if proposal.under_allocation else "proposal")
    if request.method == "GET" and start == "current":
        # under allocation, the form starts from what each line has; "Start from a fresh proposal" ranks afresh
        typed = {d.order_line_id: fmt(d.allocated if d.allocated is not None else Decimal(0)) for d in proposal.lines}
        dates = [d.make_up_date for d in proposal.lines if d.make_up_date]
        make_up = max(dates).isoformat() if dates else ""
    if request.method == "POST":
        if not request.user.has_perm("inventory.add_stockallocation"):
            raise DjangoPermissionDenied
        typed, errors = _typed_quantities(request, proposal)
        if request.POST.get("preview"):
            rows = _rows(proposal, typed, errors)
            context = {"proposal": proposal, "rows": rows, "totals": _totals(proposal, rows), "oob": True}
            return render(request, "inventory/allocation/partials/_totals.html", context)
        if not errors:
            lines = [{"order_line_id": lid, "quantity": raw} for lid, raw in typed.items()]
            try:
                done = allocation.confirm_allocation(
                    product=product, lines=lines, by=request.user, make_up_date=make_up or None
                )
            except GendanError as exc:
                errors, form_errors = _line_errors(exc, proposal)
            else:
                short = sum(1 for a in done if a.quantity < a.open_qty)
                messages.success(
                    request,
                    _("Allocation of %(product)s confirmed: %(n)s lines, %(short)s left short.")
                    % {"product": product.code, "n": len(done), "short": short},
                )
                return redirect(_product_url(product.pk))
    rows = _rows(proposal, typed, errors)
    current = list(allocation.allocation_list(product_id=product.pk))
    locations = allocation.stock_by_location(product)
    user = request.user
    context = {
        "product": product,
        "proposal": proposal,
        "rows": rows,
        "totals": _totals(proposal, rows),
        "form_errors": form_errors + ([errors["make_up_date"]] if "make_up_date" in errors else []),
        "make_up_date": make_up,
        "locations": locations,
        "start": start,
        "current": current,
        "active_statuses": allocation.HOLDING_STATUSES,
        "products": allocation.products_with_demand(),
        "history": _history(current),
        "tier_colors": TIER_COLORS,
        "tier_labels": dict(CustomerTier.choices),
        "status_colors": STATUS_COLORS,
        "can_allocate": user.has_perm("inventory.add_stockallocation"),
        "can_end": user.has_perm("inventory.change_stockallocation") and bool(current),
        "can_issue": user.has_perm("inventory.add_stockmovement"),
        "issue_locations": [loc for loc in locations if loc["on_hand"] > 0],
    }
    return render(request, "inventory/allocation/product.html", context)


@require_POST
@perm_required("inventory.change_stockallocation")
def end(request: HttpRequest, pk: int) -> HttpResponse:
    product = object_or_404(allocation.get_product, pk)
    try:
        n = allocation.end_allocation(product=product, by=request.user, reason=request.POST.get("reason", ""))
    except GendanError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(
            request, _("Allocation of %(product)s ended: %(n)s lines released.") % {"product": product.code, "n": n}
        )
    return redirect(_product_url(product.pk))


@require_POST
@perm_required("inventory.add_stockmovement", "inventory.view_stockallocation")
def issue(request: HttpRequest, pk: int) -> HttpResponse:
    """Take an allocated line's goods out of the store (location, quantity, reference)."""
    a = object_or_404(allocation.get_allocation, pk)
    location = Location.objects.select_related("warehouse").filter(pk=request.POST.get("location") or 0).first()
    try:
        if location is None:
            raise ValidationError({"location": _("Choose the location the goods leave from.")})
        movement = allocation.issue_allocated(
            allocation=a,
            location=location,
            quantity=request.POST.get("quantity", ""),
            by=request.user,
            reference=request.POST.get("reference", "")[:100],
        )
    except GendanError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(
            request,
            _("%(qty)s %(unit)s of %(product)s issued for %(order)s from %(loc)s.")
            % {
                "qty": fmt(-movement.quantity),
                "unit": a.product.unit,
                "product": a.product.code,
                "order": a.order.number,
                "loc": location,
            },
        )
    return redirect(_product_url(a.product_id) + "#current")


# ---- sections of other pages ------------------------------------------------------------------------------------


def order_section(request: Any, order: Any) -> dict[str, Any] | None:
    """The order page's allocations of short stock: per line, allocated, held, the shortfall and its make-up date."""
    if not request.user.has_perm("inventory.view_stockallocation"):
        return None
    rows = allocation.order_allocations(order.pk)
    if not rows:
        return None
    return {
        "template": "inventory/allocation/partials/_order_section.html",
        "context": {"allocations": rows},
        "order": 145,
    }


def customer_section(request: Any, customer: Any) -> dict[str, Any] | None:
    """The customer page's open lines under an allocation of short stock, those left short first."""
    if not request.user.has_perm("inventory.view_stockallocation"):
        return None
    rows = list(allocation.allocation_list(customer_id=customer.pk, active_only=True)[:50])
    if not rows:
        return None
    rows.sort(key=lambda a: (a.quantity >= a.open_qty, a.order.number))
    return {
        "template": "inventory/allocation/partials/_customer_section.html",
        "context": {"allocations": rows},
        "order": 160,
    }


def short_stock_panel(request: Any) -> dict[str, Any] | None:
    """The dashboard's short stock, for those who allocate it."""
    if not request.user.has_perm("inventory.add_stockallocation"):
        return None
    rows = [r for r in allocation.short_stock(include_allocated=False)]
    if not rows:
        return None
    return {
        "title": _("Short stock"),
        "template": "inventory/allocation/partials/_panel.html",
        "context": {"rows": rows[:PANEL_ROWS], "more": len(rows) > PANEL_ROWS, "count": len(rows)},
        "order": 60,
    }
