"""The payment terms every export business starts with (付款方式), created once; users edit or add their own."""

from decimal import Decimal

from django.db import migrations

# code, Chinese name, English name, parts as (share %, rule, days)
DEFAULT_TERMS = [
    ("TT30-70BL", "T/T 30%订金，70%见提单副本", "T/T 30% deposit, 70% against copy B/L",
     [("30", "deposit", 7), ("70", "copy_bl", 0)]),
    ("TT30-70BS", "T/T 30%订金，70%出货前付清", "T/T 30% deposit, 70% before shipment",
     [("30", "deposit", 7), ("70", "before_shipment", 0)]),
    ("TT100BS", "T/T 100%出货前付清", "T/T 100% before shipment", [("100", "before_shipment", 0)]),
    ("LC-SIGHT", "即期信用证", "L/C at sight", [("100", "lc_sight", 15)]),
    ("LC-90", "远期信用证提单日后90天", "L/C 90 days after B/L date", [("100", "lc_usance", 90)]),
    ("OA30", "赊销提单日后30天", "O/A 30 days after B/L date", [("100", "oa_bl", 30)]),
    ("OA60", "赊销提单日后60天", "O/A 60 days after B/L date", [("100", "oa_bl", 60)]),
    ("OA30INV", "赊销发票日后30天", "O/A 30 days after invoice date", [("100", "oa_invoice", 30)]),
]


def create_terms(apps, schema_editor):  # noqa: ANN001, ANN201
    PaymentTerm = apps.get_model("finance", "PaymentTerm")
    PaymentTermPart = apps.get_model("finance", "PaymentTermPart")
    for code, name, name_en, parts in DEFAULT_TERMS:
        term, created = PaymentTerm.objects.get_or_create(code=code, defaults={"name": name, "name_en": name_en})
        if created:
            PaymentTermPart.objects.bulk_create(
                [
                    PaymentTermPart(term=term, position=i, share_pct=Decimal(share), rule=rule, days=days)
                    for i, (share, rule, days) in enumerate(parts, start=1)
                ]
            )


class Migration(migrations.Migration):
    dependencies = [("finance", "0001_initial")]

    operations = [migrations.RunPython(create_terms, migrations.RunPython.noop)]
