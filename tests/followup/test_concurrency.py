"""Two people change two milestones of one order at the same moment (PostgreSQL, real transactions): both changes
stay, and the order's stored forecast is the one its final plan gives, not one computed from a stale read."""

import contextvars
import threading
import time

import pytest
from django.db import connection, connections

from gendan.core.calendar import company_calendar
from gendan.followup import services
from tests.followup.conftest import plan

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")


@pytest.mark.django_db(transaction=True)
def test_two_changes_to_one_plan_at_once_keep_both_and_a_true_forecast(
    confirmed_order, merchandiser, buyer, monkeypatch
) -> None:
    order = confirmed_order()
    p = plan(order)
    cal = company_calendar()
    # materials ordered 5 working days late pushes production start a little; the PP sample 15 days late, more
    changes = {
        "mo": (p["MO"], buyer, {"forecast_date": cal.add(p["MO"].planned_date, 5), "note": "mill is full"}),
        "pps": (p["PPS"], merchandiser, {"forecast_date": cal.add(p["PPS"].planned_date, 15), "note": "re-do"}),
    }
    read_plan, save = services._rows_of, services._save_outcome

    def slow_read(order_id: int) -> list:
        time.sleep(0.3)  # both have written their milestone before either reads the plan back
        return read_plan(order_id)

    def slow_save(order_id: int, outcome: services.Outcome) -> None:
        if threading.current_thread().name == "mo":
            time.sleep(0.5)  # and the materials change commits last
        save(order_id, outcome)

    monkeypatch.setattr(services, "_rows_of", slow_read)
    monkeypatch.setattr(services, "_save_outcome", slow_save)
    errors: list[BaseException] = []

    def change(milestone, user, data) -> None:  # noqa: ANN001
        try:
            services.update_milestone(milestone=milestone, by=user, data=data)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(name=name, target=contextvars.copy_context().run, args=(change, *args))
        for name, args in changes.items()
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    monkeypatch.undo()
    assert errors == []
    after = plan(order)
    assert after["MO"].promised_date == changes["mo"][2]["forecast_date"]
    assert after["PPS"].promised_date == changes["pps"][2]["forecast_date"]
    order.refresh_from_db()
    stored = (order.forecast_ex_factory_date, order.risk, order.driving_milestone)
    stored_plan = {c: (m.forecast_date, m.driven_by) for c, m in after.items()}
    services.reforecast(order)
    order.refresh_from_db()
    assert stored_plan == {c: (m.forecast_date, m.driven_by) for c, m in plan(order).items()}
    assert stored == (order.forecast_ex_factory_date, order.risk, order.driving_milestone)
    assert after["PS"].driven_by == "PPS"
