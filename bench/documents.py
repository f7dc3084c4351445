"""Benchmark: the export documents of a 40-line shipment.

Setup (not timed): a customer, 40 products with carton data, one order of 40 lines in production, and one shipment
taking every line (its commercial invoice number issued once). Then it builds the commercial invoice and the
packing list `--runs` times each (default 100), as PDF (WeasyPrint) and as .xlsx (openpyxl), each run reading the
shipment afresh from the database, and prints the median and p95 per document and format. Target: under 300 ms
each. Asserts no timing.

Usage: .venv/bin/python bench/documents.py [--lines 40] [--runs 100] [--lang en|zh|both]
(DATABASE_URL=postgres://... for PostgreSQL: a throwaway test database on that server)
"""

import argparse
import datetime as dt
import statistics
import time
from decimal import Decimal

from benchdb import throwaway_database

TARGET_MS = 300.0


def build(lines: int) -> int:
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from gendan.catalog.models import Product
    from gendan.core import clock
    from gendan.core.choices import Role
    from gendan.core.models import User
    from gendan.partners.models import Customer
    from gendan.sales.choices import OrderStatus
    from gendan.sales.models import Order, OrderLine
    from gendan.shipping import services

    today = clock.today()
    with transaction.atomic():
        clerk = User.objects.create(username="doc_bench", password=make_password(None))
        from django.contrib.auth.models import Group

        clerk.groups.add(Group.objects.get(name=Role.SHIPPING))
        customer = Customer.objects.create(
            code="DOCC", name="单证客户", name_en="Documents Customer Ltd", country="DE", currency="USD"
        )
        products = Product.objects.bulk_create(
            [
                Product(
                    code=f"DP{i:04d}",
                    name=f"单证产品{i}",
                    name_en=f"Cotton product {i}",
                    spec=f"{40 + i}x60cm",
                    hs_code="63023100",
                    units_per_carton=12 + i % 12,
                    carton_length_cm=Decimal("58.5"),
                    carton_width_cm=Decimal("39.0"),
                    carton_height_cm=Decimal("31.5"),
                    net_weight_kg=Decimal("8.400"),
                    gross_weight_kg=Decimal("9.250"),
                )
                for i in range(lines)
            ]
        )
        order = Order.objects.create(
            number="DOC-0001",
            customer=customer,
            customer_po="PO-778812",
            order_date=today,
            currency="USD",
            incoterm="FOB",
            incoterm_place="Ningbo",
            payment_terms="T/T 30% deposit, 70% against B/L copy",
            ex_factory_date=today + dt.timedelta(days=20),
            merchandiser=clerk,
            status=OrderStatus.IN_PRODUCTION,
        )
        order_lines = OrderLine.objects.bulk_create(
            [
                OrderLine(
                    order=order,
                    position=i + 1,
                    product=p,
                    quantity=Decimal(500 + 37 * i),
                    unit="pcs",
                    unit_price=Decimal("1.2345") + i,
                    amount=(Decimal(500 + 37 * i) * (Decimal("1.2345") + i)).quantize(Decimal("0.01")),
                )
                for i, p in enumerate(products)
            ]
        )
    shipment = services.create_shipment(
        by=clerk,
        data={
            "lines": [{"order_line_id": ol.pk, "quantity": ol.quantity} for ol in order_lines],
            "port_of_loading": "Ningbo",
            "port_of_discharge": "Hamburg",
        },
    )
    services.issue_invoice_number(shipment=shipment, by=clerk)
    return shipment.pk


def timed(fn, runs: int) -> list[float]:  # noqa: ANN001
    fn()  # warm up: templates, fonts
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def report(name: str, samples: list[float]) -> None:
    samples.sort()
    p95 = samples[max(0, int(len(samples) * 0.95) - 1)]
    median = statistics.median(samples)
    flag = "ok" if p95 < TARGET_MS else "over target"
    print(f"{name:<32} median {median:7.1f} ms   p95 {p95:7.1f} ms   ({len(samples)} runs, {flag})")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=40)
    ap.add_argument("--runs", type=int, default=100)
    ap.add_argument("--lang", default="en", choices=["en", "zh", "both"])
    args = ap.parse_args()
    with throwaway_database("documents") as where:
        print(f"database: {where}")
        from gendan.shipping import documents
        from gendan.shipping.choices import DocumentKind

        shipment_id = build(args.lines)
        print(f"a shipment of {args.lines} lines, lang={args.lang}; target {TARGET_MS:.0f} ms per document")
        for kind in (DocumentKind.COMMERCIAL_INVOICE, DocumentKind.PACKING_LIST):
            pdf = documents.render_pdf(shipment_id, kind, args.lang)
            report(
                f"{kind}.pdf ({len(pdf) // 1024} KB)",
                timed(lambda k=kind: documents.render_pdf(shipment_id, k, args.lang), args.runs),
            )
            report(f"{kind}.xlsx", timed(lambda k=kind: documents.render_xlsx(shipment_id, k, args.lang), args.runs))


if __name__ == "__main__":
    main()
