"""`gendan replay`: a short replay (one month of 20 orders) is the same history twice from the same seed, and every
event in it went through the services (each record has its audit trail); the command writes only into its own
database and the `gendan` entry point points it there."""

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command

from gendan import cli
from gendan.core import clock
from gendan.core.choices import AuditAction
from gendan.core.models import ObjectChange
from gendan.demo.replay import Replay, ReplayResult
from gendan.followup.models import FollowUp, Milestone, RiskFlag
from gendan.foresight import selectors
from gendan.foresight.history import delay_samples
from gendan.procurement.models import IncomingInspection, PurchaseOrder, Receipt
from gendan.production.models import DailyReport, ProductionNotice
from gendan.quality.models import Inspection
from gendan.sales.choices import OrderStatus
from gendan.sales.models import Order
from gendan.samples.models import Sample
from gendan.shipping.models import Shipment

SHORT = {"months": 1, "orders_per_month": 20, "seed": 7, "progress": False}


def history(result: ReplayResult) -> dict[str, Any]:
    """What a replay left behind: the two methods' foresight reports over its orders, its counts, and a fingerprint
    of its orders' lives."""
    with clock.frozen(result.end):
        reports = selectors.compare(result.report_start, result.report_end)
    return {
        "reports": {method: report.as_dict() for method, report in reports.items()},
        "result": {**result.__dict__, "seconds": None, "timings": None},
        "orders": list(Order.objects.order_by("pk").values_list("number", "status", "ex_factory_date", "risk")),
        "milestones": list(
            Milestone.objects.order_by("order_id", "position").values_list("order_id", "code", "actual_date")
        ),
        "flags": list(RiskFlag.objects.order_by("pk").values_list("order_id", "method", "flagged_on", "cleared_on")),
        "counts": {
            model.__name__: model.objects.count()
            for model in (PurchaseOrder, Receipt, IncomingInspection, DailyReport, FollowUp, Sample, Shipment)
        },
        "changes": ObjectChange.objects.count(),
    }


def audited(model: type, action: str = AuditAction.CREATE) -> set[int]:
    kind = ContentType.objects.get_for_model(model)
    return set(ObjectChange.objects.filter(content_type=kind, action=action).values_list("object_id", flat=True))


def test_a_replay_goes_through_the_services(db) -> None:
    result = Replay(**SHORT).run()
    orders = list(Order.objects.order_by("pk"))
    # every order was created, reviewed and confirmed by its services: each has its audit trail and a plan
    assert len(orders) == result.orders >= 10
    assert {o.pk for o in orders} <= audited(Order)
    assert {o.pk for o in orders} <= audited(Order, AuditAction.TRANSITION)
    assert all(o.status != OrderStatus.DRAFT for o in orders)
    assert Milestone.objects.filter(order__in=orders).values("order").distinct().count() == len(orders)
    # purchasing, production, quality and shipping left their records through their services too
    assert set(PurchaseOrder.objects.values_list("pk", flat=True)) <= audited(PurchaseOrder)
    assert set(ProductionNotice.objects.values_list("pk", flat=True)) <= audited(ProductionNotice)
    assert set(Inspection.objects.values_list("pk", flat=True)) <= audited(Inspection)
    assert set(Shipment.objects.values_list("pk", flat=True)) <= audited(Shipment)
    assert IncomingInspection.objects.filter(status="done").count() > 0
    assert DailyReport.objects.exists()
    assert FollowUp.objects.exists()
    # orders shipped through the shipments (the ex-factory milestone recorded on loading), some flagged by the
    # nightly runs
    assert result.shipped > 0
    shipped = Order.objects.filter(status=OrderStatus.SHIPPED)
    assert shipped.count() == result.shipped
    assert not Milestone.objects.filter(order__in=shipped, is_ex_factory=True, actual_date=None).exists()
    assert RiskFlag.objects.filter(method="plan").exists()
    # the nightly learned forecast had history to learn from
    assert sum(len(v) for v in delay_samples(until=result.end).values()) >= 30
    fingerprint = history(result)
    assert fingerprint["reports"]["plan"]["late_orders"] == result.late


def _replay_json(path: Path) -> dict[str, Any]:
    """`gendan replay --json` of the short replay into a fresh database at `path`, as a user runs it."""
    command = [
        str(Path(sys.executable).with_name("gendan")),
        "replay",
        "--months",
        str(SHORT["months"]),
        "--orders-per-month",
        str(SHORT["orders_per_month"]),
        "--seed",
        str(SHORT["seed"]),
        "--db",
        str(path),
        "--json",
        "--quiet",
    ]
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env["GENDAN_VAR_DIR"] = str(path.parent)
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600, check=True)
    data = json.loads(done.stdout)
    for key in ("database", "seconds", "timings"):
        data.pop(key)
    return data


def test_the_same_seed_replays_the_same_history(tmp_path: Path) -> None:
    """Two replays with one seed, each in a database of its own: the same events and the same foresight reports."""
    first = _replay_json(tmp_path / "one" / "replay.sqlite3")
    second = _replay_json(tmp_path / "two" / "replay.sqlite3")
    assert first == second
    assert first["orders"] >= 10
    assert first["plan"]["late_orders"] == first["late"]


def test_the_command_refuses_a_database_with_content(tmp_path: Path) -> None:
    path = tmp_path / "mine.sqlite3"
    path.write_bytes(b"SQLite format 3\x00 something")
    with pytest.raises(CommandError, match="already has content"):
        call_command("replay", db=str(path), quiet=True, stdout=StringIO(), stderr=StringIO())
    assert path.read_bytes() == b"SQLite format 3\x00 something"


def test_the_command_writes_only_into_the_database_the_gendan_command_points_at(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    with pytest.raises(CommandError, match="run it as `gendan replay`"):
        call_command("replay", db=str(path), quiet=True, stdout=StringIO(), stderr=StringIO())
    assert not path.exists()


def test_the_entry_point_points_the_replay_at_its_own_database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://company/gendan")
    cli.replay_database(["gendan", "migrate"])
    assert os.environ["DATABASE_URL"] == "postgres://company/gendan"  # other commands keep the company's database
    cli.replay_database(["gendan", "replay", "--months", "1", "--db", str(tmp_path / "a.sqlite3")])
    assert os.environ["DATABASE_URL"] == f"sqlite:///{tmp_path / 'a.sqlite3'}"
    cli.replay_database(["gendan", "replay", f"--db={tmp_path / 'b.sqlite3'}"])
    assert os.environ["DATABASE_URL"] == f"sqlite:///{tmp_path / 'b.sqlite3'}"
    monkeypatch.setenv("GENDAN_VAR_DIR", str(tmp_path / "var"))
    cli.replay_database(["gendan", "replay", "--seed", "3"])
    assert os.environ["DATABASE_URL"] == f"sqlite:///{tmp_path / 'var' / 'replay.sqlite3'}"
