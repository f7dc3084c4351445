"""The reports API: the four statistics as JSON and .xlsx, the key figures, and the exchange rates they convert at.

`GET /api/v1/reports/{sales|inventory|collection|delivery}?from=&to=&group_by=` (and `.xlsx`): `group_by` is one or
two dimensions separated by a comma (`month,customer`); an unknown one is a 422 naming `group_by`. People are
named by username (`merchandiser=`). Merchandisers and sales see their own figures, managers and finance all
(see `gendan.reports.selectors`).
"""

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import ValidationError as RequestInvalid

from gendan.core import fx
from gendan.core.apiutils import require_perm
from gendan.core.excel import xlsx_response
from gendan.core.exceptions import ValidationError
from gendan.core.models import ExchangeRate, User
from gendan.reports import exports, selectors
from gendan.reports.schemas import KeyFiguresOut, RateIn, RateOut, RatePage, RatePatch, ReportOut
from gendan.reports.selectors import (
    CollectionFilters,
    DeliveryFilters,
    InventoryFilters,
    Report,
    SalesFilters,
)

router = Router(tags=["reports"])
LANGS = {"zh": "zh-hans", "zh-hans": "zh-hans", "en": "en"}


def _query_invalid(exc: ValidationError) -> RequestInvalid:
    """A selector's refusal of a query parameter, shaped like ninja's own (loc: query, name)."""
    return RequestInvalid(
        [
            {"loc": ["query", field] if field != "__all__" else ["query"], "msg": msg, "type": "value_error"}
            for field, messages in exc.errors.items()
            for msg in messages
        ]
    )


def _user_id(username: str, field: str = "merchandiser") -> int | None:
    if not username:
        return None
    found = User.objects.filter(username=username).values_list("pk", flat=True).first()
    if found is None:
        raise RequestInvalid(
            [{"loc": ["query", field], "msg": _("No user “%(u)s”.") % {"u": username}, "type": "value_error"}]
        )
    return found


def report_dict(report: Report) -> dict[str, Any]:
    return {
        "report": report.kind,
        "currency": report.currency,
        "date_from": report.date_from,
        "date_to": report.date_to,
        "group_by": report.group_by,
        "rows": report.flat_rows(),
        "totals": report.totals,
        "warnings": report.warnings,
        "rates": [
            {"currency": r.currency, "month": f"{r.month:%Y-%m}", "rate": r.rate, "source": r.source}
            for r in report.rates
        ],
        "extra": report.extra,
    }


def _xlsx(report: Report, lang: str) -> HttpResponse:
    return xlsx_response(exports.report_xlsx(report, lang=LANGS.get(lang, "zh-hans")), exports.filename(report))


# ---- the four reports: one query schema each, shared by the JSON and the .xlsx endpoint ----------------------------


class PeriodQuery(Schema):
    date_from: dt.date | None = Field(None, alias="from", description="from (default: 12 months ago)")
    date_to: dt.date | None = Field(None, alias="to", description="to (default: today)")
    group_by: str = ""


class SalesQuery(PeriodQuery):
    group_by: str = Field(
        "", description="one or two of: " + ", ".join(selectors.SALES_DIMENSIONS) + " (default month)"
    )
    customer_id: int | None = None
    merchandiser: str = Field("", description="username")
    product_id: int | None = None
    category: str = ""
    country: str = Field("", description="ISO 3166 code of the customer's country")
    status: str = Field("", description="an order status from confirmed on")


class InventoryQuery(PeriodQuery):
    group_by: str = Field(
        "", description="one or two of: " + ", ".join(selectors.INVENTORY_DIMENSIONS) + " (default item,warehouse)"
    )
    warehouse_id: int | None = None
    kind: str = Field("", description="product or material")
    category: str = ""
    slow_days: int = Field(90, description="a slow mover has had nothing out in this many days")
    slow_only: bool = False


class CollectionQuery(PeriodQuery):
    group_by: str = Field(
        "", description="one or two of: " + ", ".join(selectors.COLLECTION_DIMENSIONS) + " (default month)"
    )
    customer_id: int | None = None
    merchandiser: str = Field("", description="username")
    country: str = ""
    currency: str = Field("", description="the invoices' currency")


class DeliveryQuery(PeriodQuery):
    group_by: str = Field(
        "", description="one or two of: " + ", ".join(selectors.DELIVERY_DIMENSIONS) + " (default month)"
    )
    customer_id: int | None = None
    merchandiser: str = Field("", description="username")
    factory_id: int | None = Field(None, description="a work centre of kind factory")
    country: str = ""


def _run(build: Any, q: PeriodQuery, **kwargs: Any) -> Report:
    """Run a selector with the query's period and grouping; its refusal of a parameter is a 422 naming it."""
    try:
        return build(date_from=q.date_from, date_to=q.date_to, group_by=q.group_by, **kwargs)
    except ValidationError as exc:
        raise _query_invalid(exc) from exc


def _sales(request: HttpRequest, q: SalesQuery) -> Report:
    return _run(
        selectors.sales_report,
        q,
        scope=selectors.scope_of(request.user),
        filters=SalesFilters(
            customer_id=q.customer_id,
            merchandiser_id=_user_id(q.merchandiser),
            product_id=q.product_id,
            category=q.category,
            country=q.country,
            status=q.status,
        ),
    )


def _inventory(request: HttpRequest, q: InventoryQuery) -> Report:
    require_perm(request, "inventory.view_stock")
    return _run(
        selectors.inventory_report,
        q,
        slow_days=q.slow_days,
        filters=InventoryFilters(warehouse_id=q.warehouse_id, kind=q.kind, category=q.category, slow_only=q.slow_only),
    )


def _collection(request: HttpRequest, q: CollectionQuery) -> Report:
    return _run(
        selectors.collection_report,
        q,
        scope=selectors.scope_of(request.user),
        filters=CollectionFilters(
            customer_id=q.customer_id,
            merchandiser_id=_user_id(q.merchandiser),
            country=q.country,
            currency=q.currency,
        ),
    )


def _delivery(request: HttpRequest, q: DeliveryQuery) -> Report:
    return _run(
        selectors.delivery_report,
        q,
        scope=selectors.scope_of(request.user),
        filters=DeliveryFilters(
            customer_id=q.customer_id,
            merchandiser_id=_user_id(q.merchandiser),
            factory_id=q.factory_id,
            country=q.country,
        ),
    )


@router.get("/reports/sales", response=ReportOut, by_alias=True)
def sales(request: HttpRequest, q: Query[SalesQuery]):
    """Sales (销量): quantity and amount (reporting currency) of the order lines of confirmed and later orders dated
    in the period, grouped; rows carry quantity, amount, share, orders, lines."""
    return report_dict(_sales(request, q))


@router.get("/reports/sales.xlsx")
def sales_xlsx(request: HttpRequest, q: Query[SalesQuery], lang: str = "zh"):
    return _xlsx(_sales(request, q), lang)


@router.get("/reports/inventory", response=ReportOut, by_alias=True)
def inventory(request: HttpRequest, q: Query[InventoryQuery]):
    """Inventory (库存) as of today: on hand, reserved, available, value, received and issued in the period, FIFO
    ageing (age_0_30 … age_365_plus, age_unknown), last movement out, slow movers."""
    return report_dict(_inventory(request, q))


@router.get("/reports/inventory.xlsx")
def inventory_xlsx(request: HttpRequest, q: Query[InventoryQuery], lang: str = "zh"):
    return _xlsx(_inventory(request, q), lang)


@router.get("/reports/collection", response=ReportOut, by_alias=True)
def collection(request: HttpRequest, q: Query[CollectionQuery]):
    """Collection (回款): invoiced, collected, credited, the receivable and its overdue part at the end of the
    period (or of each month), DSO = receivable ÷ invoiced × days."""
    return report_dict(_collection(request, q))


@router.get("/reports/collection.xlsx")
def collection_xlsx(request: HttpRequest, q: Query[CollectionQuery], lang: str = "zh"):
    return _xlsx(_collection(request, q), lang)


@router.get("/reports/delivery", response=ReportOut, by_alias=True)
def delivery(request: HttpRequest, q: Query[DeliveryQuery]):
    """Delivery performance (交货准时率): orders due, on time %, in full %, on time in full %, late, average days late,
    and in `extra.causes` the top causes of the late orders."""
    return report_dict(_delivery(request, q))


@router.get("/reports/delivery.xlsx")
def delivery_xlsx(request: HttpRequest, q: Query[DeliveryQuery], lang: str = "zh"):
    return _xlsx(_delivery(request, q), lang)


@router.get("/reports/key-figures", response=KeyFiguresOut)
def key_figures(request: HttpRequest):
    """The manager's dashboard figures (a merchandiser gets their own; stock value only for those who see all)."""
    scope = selectors.scope_of(request.user)
    figures = selectors.key_figures(scope=scope)
    return {**figures, "stock_value": figures.get("stock_value")}


# ---- exchange rates ------------------------------------------------------------------------------------------


def rate_dict(rate: ExchangeRate) -> dict[str, Any]:
    return {
        "id": rate.pk,
        "currency": rate.currency,
        "month": f"{rate.month:%Y-%m}",
        "rate": rate.rate,
        "note": rate.note,
        "version": rate.version,
        "updated_at": rate.updated_at,
        "updated_by": rate.updated_by.username if rate.updated_by_id else None,
    }


@router.get("/exchange-rates", response=RatePage)
def rate_list(
    request: HttpRequest,
    currency: str = "",
    year: int | None = Query(None, ge=1900, le=9999),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=10**9),
):
    """The stored rates to CNY, latest month first."""
    require_perm(request, "core.view_exchangerate")
    qs = fx.rates(currency=currency, year=year)
    return {"items": [rate_dict(r) for r in qs[offset : offset + limit]], "count": qs.count()}


@router.post("/exchange-rates", response={201: RateOut})
def rate_create(request: HttpRequest, data: RateIn):
    """Store a currency's rate for a month (one per currency and month: 422 on `month` when it exists)."""
    rate = fx.create_rate(by=request.user, data=data.model_dump())
    return Status(201, rate_dict(fx.get_rate(rate.pk)))


@router.get("/exchange-rates/{rate_id}", response=RateOut)
def rate_detail(request: HttpRequest, rate_id: int):
    require_perm(request, "core.view_exchangerate")
    return rate_dict(fx.get_rate(rate_id))


@router.patch("/exchange-rates/{rate_id}", response=RateOut)
def rate_update(request: HttpRequest, rate_id: int, data: RatePatch):
    """Change a rate (`version` as read; 409 stale_version when someone saved it since)."""
    values = data.model_dump(exclude_unset=True)
    version = values.pop("version", None)
    rate = fx.update_rate(rate=fx.get_rate(rate_id), by=request.user, data=values, version=version)
    return rate_dict(fx.get_rate(rate.pk))


@router.delete("/exchange-rates/{rate_id}", response={204: None})
def rate_delete(request: HttpRequest, rate_id: int, version: int | None = None):
    fx.delete_rate(rate=fx.get_rate(rate_id), by=request.user, version=version)
    return Status(204, None)
