"""Supplier scorecard (five rights), delay-cause Pareto, and their SVG charts: hand-computed figures."""

import dataclasses
import datetime as dt
import itertools
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation
from django.utils.formats import date_format
from django.utils.safestring import SafeString

from gendan.core import clock
from gendan.core.charts import pareto_svg, trend_svg
from gendan.core.choices import Role
from gendan.inventory.models import Location, Warehouse
from gendan.procurement import reports
from gendan.procurement.choices import DelayCause, DelayFamily, Disposition, InspectionStatus, PoStatus
from gendan.procurement.models import IncomingInspection, PurchaseOrder, PurchaseOrderLine, Receipt, ReceiptLine
from tests.factories import MaterialFactory, SupplierFactory

pytestmark = pytest.mark.django_db

NS = {"svg": "http://www.w3.org/2000/svg"}
D = Decimal
OCT1, OCT31 = dt.date(2026, 10, 1), dt.date(2026, 10, 31)
_numbers = itertools.count(1)


def day(month: int, d: int) -> dt.date:
    return dt.date(2026, month, d)


@pytest.fixture(autouse=True)
def _weights(settings) -> None:
    settings.GENDAN_SCORECARD_WEIGHTS = "time:35,quality:30,quantity:15,price:10,place:10"


class Scene:
    """Warehouses A (where POs deliver) and B, a buyer, and helpers to build POs, lines and receipts."""

    def __init__(self, buyer) -> None:
        self.buyer = buyer
        self.wh_a = Warehouse.objects.create(code="WA", name="Material store")
        self.wh_b = Warehouse.objects.create(code="WB", name="Outside store")
        self.loc_a = Location.objects.create(warehouse=self.wh_a, code="A1")
        self.loc_b = Location.objects.create(warehouse=self.wh_b, code="B1")
        self.material = MaterialFactory()

    def po(self, supplier, *, status=PoStatus.CONFIRMED, ship_to=None) -> PurchaseOrder:
        return PurchaseOrder.objects.create(
            number=f"PO-T{next(_numbers):05d}",
            supplier=supplier,
            buyer=self.buyer,
            order_date=day(9, 1),
            ship_to=ship_to or self.wh_a,
            status=status,
        )

    def line(
        self,
        po,
        *,
        qty="100",
        price="10",
        required=None,
        first_promised=None,
        confirmed=None,
        received="0",
        accepted=None,
        cause="",
    ) -> PurchaseOrderLine:
        return PurchaseOrderLine.objects.create(
            purchase_order=po,
            position=po.lines.count() + 1,
            material=self.material,
            quantity=D(qty),
            confirmed_qty=D(confirmed) if confirmed is not None else None,
            unit_price=D(price),
            required_date=required or day(10, 10),
            first_promised_date=first_promised,
            promised_date=first_promised,
            received_qty=D(received),
            accepted_qty=D(accepted if accepted is not None else received),
            delay_cause=cause,
        )

    def receive(self, po, on, items, *, location=None) -> Receipt:
        """items: (line, qty, invoiced price[, (accepted, rejected, disposition[, status])])."""
        receipt = Receipt.objects.create(
            number=f"RC-T{next(_numbers):05d}",
            purchase_order=po,
            received_date=on,
            location=location or self.loc_a,
            received_by=self.buyer,
            created_at=clock.now(),
        )
        for line, qty, price, *inspection in items:
            rl = ReceiptLine.objects.create(receipt=receipt, po_line=line, quantity=D(qty), unit_price=D(price))
            if inspection:
                accepted, rejected, disposition, *status = inspection[0]
                IncomingInspection.objects.create(
                    receipt_line=rl,
                    status=status[0] if status else InspectionStatus.DONE,
                    inspected_on=on,
                    checked_qty=D(accepted) + D(rejected),
                    accepted_qty=D(accepted),
                    rejected_qty=D(rejected),
                    disposition=disposition,
                )
        return receipt

    def perfect(self, supplier, on=None) -> None:
        """One line ordered and delivered exactly: on time, accepted, at the agreed price, to the right place."""
        po = self.po(supplier)
        line = self.line(po, first_promised=day(10, 10), received="100")
        self.receive(po, on or day(10, 9), [(line, "100", "10", ("100", "0", Disposition.ACCEPT))])


@pytest.fixture
def scene(make_user) -> Scene:
    return Scene(make_user(Role.PURCHASING))


# ---------------------------------------------------------------------------------------------- weights


def test_weights_default_normalised_to_100() -> None:
    assert reports.scorecard_weights() == {
        "time": D(35),
        "quality": D(30),
        "quantity": D(15),
        "price": D(10),
        "place": D(10),
    }


def test_weights_need_not_sum_to_100(settings) -> None:
    settings.GENDAN_SCORECARD_WEIGHTS = " time:7, quality:6,quantity:3,price:2,place:2 "
    assert reports.scorecard_weights() == {
        "time": D(35),
        "quality": D(30),
        "quantity": D(15),
        "price": D(10),
        "place": D(10),
    }
    settings.GENDAN_SCORECARD_WEIGHTS = "time:1,quality:1"
    assert reports.scorecard_weights() == {"time": 50, "quality": 50, "quantity": 0, "price": 0, "place": 0}


@pytest.mark.parametrize("text", ["time:abc", "speed:10", "time:-1", "time:0", "time:10,time:5", "time", ""])
def test_weights_bad_text(settings, text: str) -> None:
    settings.GENDAN_SCORECARD_WEIGHTS = text
    with pytest.raises(ImproperlyConfigured):
        reports.scorecard_weights()


# ---------------------------------------------------------------------------------------------- each measure


def test_on_time_against_first_promise_else_required_date(scene: Scene) -> None:
    s = SupplierFactory()
    po = scene.po(s)
    early = scene.line(po, first_promised=day(10, 10))
    unpromised = scene.line(po, required=day(10, 10))
    slipped = scene.line(po, first_promised=day(10, 5))
    slipped.promised_date = day(10, 20)  # the later promise does not excuse it
    slipped.save()
    scene.receive(po, day(10, 9), [(early, "100", "10")])
    scene.receive(po, day(10, 10), [(unpromised, "100", "10")])
    scene.receive(po, day(10, 15), [(slipped, "100", "10")])

    card = reports.scorecard(s, OCT1, OCT31)

    assert card.lines_due == 3
    assert card.on_time_lines == 2
    assert card.on_time_pct == D("66.7")
    assert card.rank is None


def test_quality_counts_concession_as_not_right_and_ignores_pending(scene: Scene) -> None:
    s = SupplierFactory()
    po = scene.po(s)
    lines = [scene.line(po) for _ in range(4)]
    scene.receive(
        po,
        day(10, 9),
        [
            (lines[0], "100", "10", ("100", "0", Disposition.ACCEPT)),
            (lines[1], "100", "10", ("80", "20", Disposition.REJECT)),
            (lines[2], "100", "10", ("100", "0", Disposition.CONCESSION)),
            (lines[3], "100", "10", ("0", "0", "", InspectionStatus.PENDING)),
        ],
    )
    card = reports.scorecard(s, OCT1, OCT31)
    assert card.inspected_qty == D(300)
    assert card.quality_pct == D("60.0")  # 180 right of 300


def test_quantity_accuracy(scene: Scene) -> None:
    s = SupplierFactory()
    po = scene.po(s)
    over = scene.line(po, qty="100", received="110")  # 100 / 110 = 90.909
    confirmed = scene.line(po, qty="100", confirmed="90", received="90")  # 90 of the 90 confirmed = 100
    partial = scene.line(po, qty="100", received="50")  # still open: not measured
    scene.receive(po, day(10, 9), [(over, "110", "10"), (confirmed, "90", "10"), (partial, "50", "10")])

    card = reports.scorecard(s, OCT1, OCT31)
    assert card.quantity_lines == 2
    assert card.quantity_pct == D("95.5")  # (90.909 + 100) / 2

    closed = scene.po(s, status=PoStatus.CLOSED)
    short = scene.line(closed, qty="100", received="80")  # closed short: 80
    scene.receive(closed, day(10, 12), [(short, "80", "10")])
    card = reports.scorecard(s, OCT1, OCT31)
    assert card.quantity_lines == 3
    assert card.quantity_pct == D("90.3")  # (90.909 + 100 + 80) / 3


def test_over_delivery_alone(scene: Scene) -> None:
    s = SupplierFactory()
    po = scene.po(s)
    line = scene.line(po, qty="100", received="110")
    scene.receive(po, day(10, 9), [(line, "60", "10")])
    scene.receive(po, day(10, 19), [(line, "50", "10")])
    card = reports.scorecard(s, OCT1, OCT31)
    assert (card.quantity_lines, card.quantity_pct) == (1, D("90.9"))  # one PO line, counted once


def test_price_variance_and_price_score(scene: Scene) -> None:
    s = SupplierFactory()
    po = scene.po(s)
    line = scene.line(po, price="10")
    scene.receive(po, day(10, 9), [(line, "100", "10.5")])
    card = reports.scorecard(s, OCT1, OCT31)
    assert card.price_variance_pct == D("5.0")
    assert card.price_score == D("50.0")


def test_price_variance_weighted_by_quantity_and_cheaper_is_negative(scene: Scene) -> None:
    s = SupplierFactory()
    po = scene.po(s)
    a = scene.line(po, price="10")
    b = scene.line(po, price="20")
    # 100 × (9 − 10) + 50 × (20 − 20) = −100 on 100 × 10 + 50 × 20 = 2000: −5 %
    scene.receive(po, day(10, 9), [(a, "100", "9"), (b, "50", "20")])
    card = reports.scorecard(s, OCT1, OCT31)
    assert card.price_variance_pct == D("-5.0")
    assert card.price_score == D("50.0")  # paying less than agreed is off the agreement too


def test_price_score_floor_is_zero(scene: Scene) -> None:
    s = SupplierFactory()
    po = scene.po(s)
    line = scene.line(po, price="10")
    scene.receive(po, day(10, 9), [(line, "100", "12")])
    card = reports.scorecard(s, OCT1, OCT31)
    assert (card.price_variance_pct, card.price_score) == (D("20.0"), D("0.0"))


def test_place_errors(scene: Scene) -> None:
    s = SupplierFactory()
    po = scene.po(s)  # to warehouse A
    line = scene.line(po)
    scene.receive(po, day(10, 9), [(line, "50", "10")], location=scene.loc_a)
    scene.receive(po, day(10, 10), [(line, "50", "10")], location=scene.loc_b)
    card = reports.scorecard(s, OCT1, OCT31)
    assert (card.receipts, card.place_errors, card.place_pct) == (2, 1, D("50.0"))


# ---------------------------------------------------------------------------------------------- score and rank


def test_weighted_score_and_ranking(scene: Scene) -> None:
    good = SupplierFactory(code="S-GOOD")
    scene.perfect(good)

    meh = SupplierFactory(code="S-MEH")
    po = scene.po(meh)
    on_time = scene.line(po, first_promised=day(10, 10), received="100")
    late = scene.line(po, first_promised=day(10, 1), received="100")
    scene.receive(
        po,
        day(10, 9),
        [
            (on_time, "100", "10.5", ("100", "0", Disposition.ACCEPT)),
            (late, "100", "10.5", ("100", "0", Disposition.ACCEPT)),
        ],
    )

    cards = reports.scorecards(OCT1, OCT31)

    assert [(c.supplier_code, c.rank) for c in cards] == [("S-GOOD", 1), ("S-MEH", 2)]
    best, second = cards
    assert best.score == D("100.0")
    assert (second.on_time_pct, second.quality_pct, second.quantity_pct) == (D("50.0"), D("100.0"), D("100.0"))
    assert (second.price_variance_pct, second.price_score, second.place_pct) == (D("5.0"), D("50.0"), D("100.0"))
    # (35 × 50 + 30 × 100 + 15 × 100 + 10 × 50 + 10 × 100) / 100
    assert second.score == D("77.5")
    assert best.supplier_name == good.name
    assert best.date_from == OCT1
    assert best.date_to == OCT31


def test_other_weights_change_the_score(scene: Scene, settings) -> None:
    s = SupplierFactory()
    po = scene.po(s)
    late = scene.line(po, first_promised=day(10, 1), received="100")
    scene.receive(po, day(10, 9), [(late, "100", "10", ("100", "0", Disposition.ACCEPT))])
    settings.GENDAN_SCORECARD_WEIGHTS = "time:1,quality:1"
    card = reports.scorecard(s, OCT1, OCT31)
    assert card.score == D("50.0")  # (0 + 100) / 2


def test_missing_measures_renormalise_the_weights(scene: Scene) -> None:
    s = SupplierFactory()
    po = scene.po(s)
    line = scene.line(po, first_promised=day(10, 1), received="40")  # late, partial, inspection not done
    scene.receive(po, day(10, 9), [(line, "40", "10", ("0", "0", "", InspectionStatus.PENDING))])

    card = reports.scorecard(s, OCT1, OCT31)

    assert card.quality_pct is None
    assert card.quantity_pct is None
    assert (card.on_time_pct, card.price_score, card.place_pct) == (D("0.0"), D("100.0"), D("100.0"))
    # only time (35), price (10) and place (10) have data: (35 × 0 + 10 × 100 + 10 × 100) / 55
    assert card.score == D("36.4")


def test_ties_rank_by_supplier_code(scene: Scene) -> None:
    for code in ("S-C", "S-A", "S-B"):
        scene.perfect(SupplierFactory(code=code))
    cards = reports.scorecards(OCT1, OCT31)
    assert [(c.supplier_code, c.rank, c.score) for c in cards] == [
        ("S-A", 1, D("100.0")),
        ("S-B", 2, D("100.0")),
        ("S-C", 3, D("100.0")),
    ]


def test_period_and_supplier_filter(scene: Scene) -> None:
    inside, outside, other = SupplierFactory(), SupplierFactory(), SupplierFactory()
    scene.perfect(inside, on=day(10, 31))
    scene.perfect(outside, on=day(11, 1))
    scene.perfect(other, on=day(10, 1))
    SupplierFactory()  # nothing received at all

    assert {c.supplier_id for c in reports.scorecards(OCT1, OCT31)} == {inside.pk, other.pk}
    assert [c.supplier_id for c in reports.scorecards(OCT1, OCT31, supplier_ids=[inside.pk])] == [inside.pk]
    assert reports.scorecard(outside, OCT1, OCT31) is None
    assert reports.scorecards(OCT31, OCT1) == []


def test_single_scorecard_matches_the_ranked_one(scene: Scene) -> None:
    a, b = SupplierFactory(), SupplierFactory()
    scene.perfect(a)
    po = scene.po(b)
    line = scene.line(po, first_promised=day(10, 1), received="110")
    scene.receive(po, day(10, 9), [(line, "110", "10.2", ("100", "10", Disposition.REWORK))])
    ranked = {c.supplier_id: c for c in reports.scorecards(OCT1, OCT31)}
    alone = reports.scorecard(b.pk, OCT1, OCT31)
    assert alone == dataclasses.replace(ranked[b.pk], rank=None)
    assert alone.quality_pct == D("90.9")  # rework is not a concession: 100 of 110


def test_scorecards_queries_do_not_grow_with_suppliers(scene: Scene, django_assert_max_num_queries) -> None:
    for _ in range(2):
        scene.perfect(SupplierFactory())
    with django_assert_max_num_queries(3):
        assert len(reports.scorecards(OCT1, OCT31)) == 2
    for _ in range(6):
        scene.perfect(SupplierFactory())
    with django_assert_max_num_queries(3):
        assert len(reports.scorecards(OCT1, OCT31)) == 8


# ---------------------------------------------------------------------------------------------- trend


def test_trend_one_point_per_month(scene: Scene, django_assert_max_num_queries) -> None:
    s = SupplierFactory()
    scene.perfect(s, on=day(9, 15))
    po = scene.po(s)
    late = scene.line(po, first_promised=day(10, 1), received="100")
    scene.receive(po, day(11, 3), [(late, "100", "10", ("100", "0", Disposition.ACCEPT))])
    scene.perfect(s, on=dt.date(2025, 11, 30))  # 13 months ago: outside the trend

    with django_assert_max_num_queries(3):
        trend = reports.scorecard_trend(s)

    assert [month for month, _card in trend] == [dt.date(2025, 12, 1)] + [day(m, 1) for m in range(1, 12)]
    by_month = dict(trend)
    assert sum(card is not None for card in by_month.values()) == 2
    assert by_month[day(9, 1)].score == D("100.0")
    assert by_month[day(9, 1)].date_to == day(9, 30)
    november = by_month[day(11, 1)]
    assert (november.on_time_pct, november.lines_due, november.date_to) == (D("0.0"), 1, clock.today())
    assert november == reports.scorecard(s, day(11, 1), clock.today())
    assert by_month[day(10, 1)] is None


def test_trend_months_and_until(scene: Scene) -> None:
    s = SupplierFactory()
    scene.perfect(s, on=dt.date(2026, 2, 10))
    trend = reports.scorecard_trend(s, months=3, until=dt.date(2026, 3, 5))
    assert [m for m, _c in trend] == [dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 3, 1)]
    assert [c is not None for _m, c in trend] == [False, True, False]
    assert trend[-1][0] == dt.date(2026, 3, 1)


# ---------------------------------------------------------------------------------------------- delay Pareto


@pytest.fixture
def delays(scene: Scene) -> dict:
    """Six caused lines due in November (3 over capacity, 2 weak expediting, 1 late information) and some
    without a cause."""
    s1, s2 = SupplierFactory(code="S-1"), SupplierFactory(code="S-2")
    po1, po2 = scene.po(s1), scene.po(s2)
    # over capacity, supplier 1: received 5 days late; open 4 days past due (today 24 Nov); received early
    late5 = scene.line(po1, first_promised=day(11, 1), received="100", cause=DelayCause.OVER_CAPACITY)
    scene.receive(po1, day(11, 6), [(late5, "100", "10")])
    scene.line(po1, required=day(11, 20), cause=DelayCause.OVER_CAPACITY)
    early = scene.line(po1, required=day(11, 10), received="100", cause=DelayCause.OVER_CAPACITY)
    scene.receive(po1, day(11, 8), [(early, "100", "10")])
    # weak expediting, supplier 2: 2 and 3 days late
    for lateness in (2, 3):
        line = scene.line(po2, first_promised=day(11, 10), received="100", cause=DelayCause.WEAK_EXPEDITING)
        scene.receive(po2, day(11, 10 + lateness), [(line, "100", "10")])
    # late information, supplier 2: partly received 1 Nov, still open: late until today (23 days)
    info = scene.line(po2, required=day(11, 1), received="50", cause=DelayCause.LATE_INFORMATION)
    scene.receive(po2, day(11, 2), [(info, "50", "10")])
    # outside the period, or on a cancelled PO: not counted
    scene.line(po1, required=day(10, 31), cause=DelayCause.OVER_CAPACITY)
    cancelled = scene.po(s1, status=PoStatus.CANCELLED)
    scene.line(cancelled, required=day(11, 5), cause=DelayCause.OVER_CAPACITY)
    # no cause: late received (counted), open past due (counted), on time (not), due later (not), closed short (not)
    uncaused_late = scene.line(po1, required=day(11, 3), received="100")
    scene.receive(po1, day(11, 4), [(uncaused_late, "100", "10")])
    scene.line(po1, required=day(11, 12))
    on_time = scene.line(po1, required=day(11, 12), received="100")
    scene.receive(po1, day(11, 12), [(on_time, "100", "10")])
    scene.line(po1, required=day(11, 28))
    closed = scene.po(s1, status=PoStatus.CLOSED)
    short = scene.line(closed, required=day(11, 5), received="80")
    scene.receive(closed, day(11, 5), [(short, "80", "10")])
    return {"s1": s1, "s2": s2}


def test_pareto_rows_sorted_with_cumulative_percentages(delays: dict) -> None:
    report = reports.delay_pareto(day(11, 1), day(11, 30))

    assert report["total_lines"] == 6
    assert [(r["cause"], r["lines"], r["pct"], r["cumulative_pct"]) for r in report["rows"]] == [
        (DelayCause.OVER_CAPACITY, 3, D("50.0"), D("50.0")),
        (DelayCause.WEAK_EXPEDITING, 2, D("33.3"), D("83.3")),
        (DelayCause.LATE_INFORMATION, 1, D("16.7"), D("100.0")),
    ]
    first = report["rows"][0]
    assert first["cause_label"] == str(DelayCause.OVER_CAPACITY.label)
    assert (first["family"], first["family_label"]) == (DelayFamily.SUPPLIER, str(DelayFamily.SUPPLIER.label))
    assert [r["late_days_total"] for r in report["rows"]] == [5 + 4 + 0, 2 + 3, 23]
    assert report["late_days_total"] == 37


def test_pareto_families_suppliers_and_uncaused(delays: dict) -> None:
    report = reports.delay_pareto(day(11, 1), day(11, 30))

    assert [(f["family"], f["lines"], f["pct"]) for f in report["by_family"]] == [
        (DelayFamily.SUPPLIER, 3, D("50.0")),
        (DelayFamily.COMPANY, 2, D("33.3")),
        (DelayFamily.COMMUNICATION, 1, D("16.7")),
    ]
    # both suppliers have 3 lines: ties by code
    assert [(s["supplier_code"], s["lines"], s["by_family"]) for s in report["by_supplier"]] == [
        ("S-1", 3, {"supplier": 3, "company": 0, "communication": 0}),
        ("S-2", 3, {"supplier": 0, "company": 2, "communication": 1}),
    ]
    assert report["uncaused_late_lines"] == 2


def test_pareto_of_one_supplier(delays: dict) -> None:
    report = reports.delay_pareto(day(11, 1), day(11, 30), supplier_id=delays["s2"].pk)
    assert [(r["cause"], r["lines"], r["cumulative_pct"]) for r in report["rows"]] == [
        (DelayCause.WEAK_EXPEDITING, 2, D("66.7")),
        (DelayCause.LATE_INFORMATION, 1, D("100.0")),
    ]
    assert [s["supplier_code"] for s in report["by_supplier"]] == ["S-2"]
    assert report["uncaused_late_lines"] == 0


def test_pareto_empty_period(delays: dict) -> None:
    report = reports.delay_pareto(day(1, 1), day(1, 31))
    assert (report["rows"], report["by_supplier"], report["total_lines"]) == ([], [], 0)
    assert [f["lines"] for f in report["by_family"]] == [0, 0, 0]


# ---------------------------------------------------------------------------------------------- charts


def parse(svg: str) -> ET.Element:
    assert isinstance(svg, SafeString)
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("viewBox", "").startswith("0 0 ")
    assert "<script" not in svg
    assert "href" not in svg
    return root


def texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]


def test_pareto_svg_from_the_report(delays: dict) -> None:
    with translation.override("en"):
        rows = reports.delay_pareto(day(11, 1), day(11, 30))["rows"]
        root = parse(pareto_svg(rows, title="Delays in November"))
    labels = texts(root)
    assert "Over capacity" in labels
    assert "Weak expediting" in labels
    assert "Information came late" in labels
    assert "Delays in November" in labels
    assert "80%" in labels
    bars = root.findall(".//svg:g[@data-kind='bar']", NS)
    assert [b.get("data-lines") for b in bars] == ["3", "2", "1"]
    assert [b.get("data-cause") for b in bars] == ["over_capacity", "weak_expediting", "late_information"]
    points = root.findall(".//svg:g[@data-kind='cumulative']/svg:circle", NS)
    assert [p.get("data-pct") for p in points] == ["50.0", "83.3", "100.0"]
    assert root.find(".//svg:g[@data-kind='guide']", NS) is not None
    assert root.find(".//svg:polyline", NS) is not None


def test_pareto_svg_sorts_escapes_and_fits_chinese_labels() -> None:
    rows = [
        {"cause": "a", "cause_label": "供应商产能不足", "lines": 1},
        {"cause": "b", "cause_label": 'Bad <b>&"label"', "lines": 4},
    ]
    svg = pareto_svg(rows, title="<script>alert(1)</script>")
    root = parse(svg)
    labels = texts(root)
    assert 'Bad <b>&"label"' in labels
    assert "供应商产能不足" in labels
    assert "<script>alert(1)</script>" in labels  # as text, escaped in the markup
    assert [b.get("data-cause") for b in root.findall(".//svg:g[@data-kind='bar']", NS)] == ["b", "a"]
    label = root.find(".//svg:text[@data-kind='cause-label']", NS)
    assert "rotate(" in label.get("transform")
    # the labels below the bars fit in the view box
    width, height = (float(v) for v in root.get("viewBox").split()[2:])
    assert height > 220 + 7 * 11 * 0.7


def test_pareto_svg_without_rows() -> None:
    root = parse(pareto_svg([]))
    assert root.find(".//svg:text[@data-kind='empty']", NS) is not None


def test_trend_svg(scene: Scene) -> None:
    s = SupplierFactory()
    scene.perfect(s, on=day(9, 15))
    scene.perfect(s, on=day(11, 2))
    trend = reports.scorecard_trend(s, months=4)
    points = [(month, card.score if card else None) for month, card in trend]
    with translation.override("en"):
        root = parse(trend_svg(points))
        months = [date_format(m, "M") for m, _s in points]
    labels = texts(root)
    for month in months:
        assert month in labels
    assert {"0", "50", "100", "2026"} <= set(labels)
    dots = root.findall(".//svg:circle", NS)
    assert [(d.get("data-month"), d.get("data-score")) for d in dots] == [
        ("2026-09", "100.0"),
        ("2026-11", "65.0"),  # received after the promise: no points for time
    ]
    assert root.findall(".//svg:polyline", NS) == []  # the missing October breaks the line


def test_trend_svg_line_and_empty() -> None:
    points = [(day(m, 1), D(v)) for m, v in ((8, "70"), (9, "85.5"), (10, "90"))]
    root = parse(trend_svg(points))
    assert len(root.findall(".//svg:polyline", NS)) == 1
    assert len(root.findall(".//svg:circle", NS)) == 3
    parse(trend_svg([]))
