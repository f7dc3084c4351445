"""The root-cause categories a new database starts with (4M1E of the fishbone, and what export complaints add)."""

from django.db import migrations

# frozen here: the list in choices.py may grow, this migration must not change
DEFAULT_CAUSES = [
    ("man", "人员", "Man (operator)"),
    ("machine", "设备", "Machine"),
    ("material", "物料", "Material"),
    ("method", "方法/工艺", "Method (process)"),
    ("measurement", "测量/检验", "Measurement (inspection)"),
    ("environment", "环境", "Environment"),
    ("packaging", "包装", "Packaging"),
    ("transport", "运输", "Transport"),
    ("design", "设计", "Design"),
    ("supplier", "供应商", "Supplier"),
    ("customer_use", "客户使用", "Customer use"),
    ("other", "其他", "Other"),
]


def add_causes(apps, schema_editor):  # noqa: ANN001, ANN201
    RootCause = apps.get_model("service", "RootCause")
    existing = set(RootCause.objects.values_list("code", flat=True))
    RootCause.objects.bulk_create(
        [
            RootCause(code=code, name_zh=zh, name_en=en, position=10 * n)
            for n, (code, zh, en) in enumerate(DEFAULT_CAUSES, start=1)
            if code not in existing
        ]
    )


class Migration(migrations.Migration):
    dependencies = [("service", "0001_initial")]

    operations = [migrations.RunPython(add_causes, migrations.RunPython.noop)]
