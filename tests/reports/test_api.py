"""The reports API: the four statistics as JSON and .xlsx, key figures, exchange rates — happy paths, 422 naming
the field, 409, 403, 404."""

import io
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook

from gendan.core.choices import Role
from gendan.core.models import ExchangeRate
from tests.reports.conftest import World

Q = {"from": "2026-09-01", "to": "2026-11-24"}


def test_sales_json_grouped_by_month_and_customer(world: World, manager, api_as) -> None:
    r = api_as(manager).get("/reports/sales", **Q, group_by="month,customer")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["report"] == "sales"
    assert body["currency"] == "CNY"
    assert body["from"] == "2026-09-01"
    assert body["to"] == "2026-11-24"
    assert body["group_by"] == ["month", "customer"]
    first = body["rows"][0]
    assert first == {
        "month": "2026-09", "month_label": "2026-09", "customer": world.a.pk, "customer_label": "A Alpha",
        "quantity": "110.000", "amount": "1750.00", "share": "38.4", "orders": 1, "lines": 2,
    }  # fmt: skip
    assert body["totals"]["amount"] == "4560.00"
    assert {"currency": "EUR", "month": "2026-10", "rate": "7.850000", "source": "receipts"} in body["rates"]
    assert len(body["warnings"]) == 1
    assert body["extra"]["trend"][-1] == {"month": "2026-11", "amount": "1210.00", "previous_amount": "144.00"}


def test_sales_filters_by_username(world: World, manager, api_as) -> None:
    r = api_as(manager).get("/reports/sales", **Q, merchandiser="mer2", group_by="customer")
    assert r.json()["totals"]["amount"] == "1600.00"
    r = api_as(manager).get("/reports/sales", **Q, merchandiser="nobody")
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["query", "merchandiser"]


@pytest.mark.parametrize("path", ["sales", "inventory", "collection", "delivery"])
def test_a_bad_group_by_is_a_422_naming_it(world: World, manager, api_as, path: str) -> None:
    r = api_as(manager).get(f"/reports/{path}", **Q, group_by="colour")
    assert r.status_code == 422
    detail = r.json()["detail"][0]
    assert detail["loc"] == ["query", "group_by"]
    assert "colour" in detail["msg"]


def test_bad_periods_and_filters_are_422(world: World, manager, api_as) -> None:
    api = api_as(manager)
    r = api.get("/reports/sales", **{"from": "2026-11-02", "to": "2026-11-01"})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["query", "to"]
    r = api.get("/reports/sales", **{"from": "yesterday"})
    assert r.status_code == 422
    r = api.get("/reports/sales", status="draft")
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["query", "status"]
    r = api.get("/reports/inventory", kind="fish")
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["query", "kind"]


def test_collection_and_delivery_json(world: World, finance_user, api_as) -> None:
    api = api_as(finance_user)
    body = api.get("/reports/collection", **Q, group_by="customer").json()
    assert body["totals"]["open"] == "6450.00"
    assert body["totals"]["dso"] == "45.2"
    body = api.get("/reports/delivery", **{"from": "2026-09-01", "to": "2026-11-30"}, group_by="factory").json()
    assert body["currency"] == ""
    assert body["totals"]["on_time_pct"] == "60.0"
    labels = {row["factory_label"] for row in body["rows"]}
    assert labels == {"F1 Dongguan Sewing", "In house"}
    assert {c["cause"] for c in body["extra"]["causes"]} == {
        "milestone:MIH", "milestone:PRD", "supplier:over_capacity", "production:equipment"
    }  # fmt: skip


def test_merchandisers_get_their_own_figures(world: World, api_as) -> None:
    body = api_as(world.mer2).get("/reports/sales", **Q, group_by="customer").json()
    assert [r["customer"] for r in body["rows"]] == [world.b.pk]
    body = api_as(world.mer1).get("/reports/collection", **Q, group_by="customer").json()
    assert [r["customer"] for r in body["rows"]] == [world.a.pk]


def test_roles_without_the_reports_get_403(world: World, make_user, api_as) -> None:
    qc = api_as(make_user(Role.QC))
    for path in ("sales", "collection", "delivery", "key-figures"):
        r = qc.get(f"/reports/{path}")
        assert r.status_code == 403, path
        assert "reports.view_reports" in r.json()["detail"]
    finance_less = api_as(make_user(Role.QC))  # QC may see stock: the inventory report is theirs too
    assert finance_less.get("/reports/inventory").status_code == 200
    assert api_as(None).get("/reports/sales").status_code == 401


def test_excel_downloads(world: World, manager, api_as) -> None:
    r = api_as(manager).get("/reports/sales.xlsx", **Q, group_by="month,customer", lang="en")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="sales-20260901-20261124.xlsx"' in r["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(r.content)).active
    rows = list(sheet.values)
    assert rows[0][:4] == ("Month", "Customer", "Quantity", "Amount (CNY)")
    assert rows[1][:4] == ("2026-09", "A Alpha", D("110"), D("1750"))
    assert rows[-1][0] == "Total"
    assert rows[-1][3] == D("4560")
    zh = api_as(manager).get("/reports/collection.xlsx", **Q, group_by="customer", lang="zh")
    head = next(load_workbook(io.BytesIO(zh.content)).active.values)
    assert head[:3] == ("客户", "开票金额 (CNY)", "已收款 (CNY)")
    for path in ("inventory", "delivery"):
        assert api_as(manager).get(f"/reports/{path}.xlsx").status_code == 200
    assert api_as(manager).get("/reports/sales.xlsx", group_by="x").status_code == 422


def test_key_figures(world: World, manager, api_as) -> None:
    body = api_as(manager).get("/reports/key-figures").json()
    assert body["currency"] == "CNY"
    assert body["sales_this_month"] == "1210.00"  # S2 710 + S7 500
    assert body["sales_last_month"] == "1570.00"
    assert body["sales_same_month_last_year"] == "144.00"
    assert body["change_vs_last_month"] == "-22.9"
    assert body["open_orders"] == 6  # S1, S3, S7 (held after its confirmation), S9, D3, D4
    assert body["stock_value"] == "0.00"
    assert body["open_complaints"] == 0
    from gendan.service.models import Complaint

    for n, status in enumerate(("registered", "answered", "closed")):
        Complaint.objects.create(
            number=f"CP-{n}", customer=world.b, received_date=world.orders["S3"].order_date, title="Broken legs",
            description="2 chairs", owner=world.mer2, created_by=world.mer2, status=status,
        )  # fmt: skip
    assert api_as(manager).get("/reports/key-figures").json()["open_complaints"] == 2
    assert api_as(world.mer1).get("/reports/key-figures").json()["open_complaints"] == 0
    mine = api_as(world.mer2).get("/reports/key-figures").json()
    assert mine["open_complaints"] == 2
    assert mine["stock_value"] is None
    assert mine["sales_this_month"] == "0.00"


# ---- exchange rates ------------------------------------------------------------------------------------------


def test_exchange_rates_crud(world: World, finance_user, api_as) -> None:
    api = api_as(finance_user)
    r = api.post("/exchange-rates", {"currency": "gbp", "month": "2026-11", "rate": "9.05", "note": "bank"})
    assert r.status_code == 201, r.content
    made = r.json()
    assert (made["currency"], made["month"], made["rate"], made["version"]) == ("GBP", "2026-11", "9.050000", 1)
    assert made["updated_by"] == "fin"
    listed = api.get("/exchange-rates", currency="GBP").json()
    assert listed["count"] == 1
    r = api.patch(f"/exchange-rates/{made['id']}", {"version": 1, "rate": "9.10"})
    assert r.status_code == 200
    assert r.json()["rate"] == "9.100000"
    assert r.json()["version"] == 2
    r = api.patch(f"/exchange-rates/{made['id']}", {"version": 1, "rate": "9.20"})
    assert r.status_code == 409
    assert r.json()["code"] == "stale_version"
    assert r.json()["current_version"] == 2
    assert ExchangeRate.objects.get(pk=made["id"]).rate == D("9.10")
    assert api.get("/exchange-rates/999999").status_code == 404
    assert api.delete(f"/exchange-rates/{made['id']}").status_code == 204
    assert not ExchangeRate.objects.filter(pk=made["id"]).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"currency": "CNY", "month": "2026-11", "rate": "1"}, "currency"),
        ({"currency": "XYZ", "month": "2026-11", "rate": "1"}, "currency"),
        ({"currency": "USD", "month": "Nov", "rate": "7"}, "month"),
        ({"currency": "USD", "month": "2026-10", "rate": "7"}, "month"),  # exists
        ({"currency": "USD", "month": "2026-12", "rate": "0"}, "rate"),
        ({"currency": "USD", "month": "2026-12", "rate": "7.1234567"}, "rate"),
    ],
)
def test_bad_rates_are_refused_and_nothing_written(world: World, finance_user, api_as, body: dict, field: str) -> None:
    before = ExchangeRate.objects.count()
    r = api_as(finance_user).post("/exchange-rates", body)
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"][-1] == field
    assert ExchangeRate.objects.count() == before


def test_only_finance_and_managers_keep_rates(world: World, api_as) -> None:
    r = api_as(world.mer1).post("/exchange-rates", {"currency": "GBP", "month": "2026-11", "rate": "9"})
    assert r.status_code == 403
    assert api_as(world.mer1).get("/exchange-rates").status_code == 200
