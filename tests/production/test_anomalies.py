"""Production anomalies (生产异常): raised on an order, followed with actions, closed; open ones are chased."""

import pytest

from gendan.core import clock
from gendan.core.choices import Role
from gendan.core.exceptions import PermissionDenied, TransitionNotAllowed, ValidationError
from gendan.core.models import Notification
from gendan.followup.selectors import chase_list
from gendan.production import services
from tests.production.test_notices import confirmed_line, day

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(plant, merchandiser, manager):
    return confirmed_line(plant, merchandiser, manager, 500, day(20)).order


def test_an_anomaly_is_chased_by_its_owner_until_closed(plant, order, make_user):
    planner = make_user(Role.PLANNER, username="pmc1")
    qc = make_user(Role.QC, username="qc1")
    anomaly = services.raise_anomaly(
        by=qc,
        data={
            "order_id": order.pk,
            "kind": "equipment",
            "severity": "high",
            "description": "sewing machine 3 down",
            "owner": "pmc1",
            "work_centre_id": plant.sewing.pk,
        },
    )
    assert anomaly.due_date == day(1)  # the next working day by default
    assert Notification.objects.filter(recipient=planner, title__contains=order.number).exists()
    rows = [r for r in chase_list(planner, clock.today()) if r.kind == "anomaly"]
    assert [r.object_id for r in rows] == [anomaly.pk]
    assert "sewing machine 3 down" in rows[0].reason
    services.add_action(anomaly=anomaly, by=planner, text="mechanic called")
    with pytest.raises(ValidationError):
        services.close_anomaly(anomaly=anomaly, by=planner, resolution="")
    services.close_anomaly(anomaly=anomaly, by=planner, resolution="belt replaced")
    assert [r for r in chase_list(planner, clock.today()) if r.kind == "anomaly"] == []
    with pytest.raises(TransitionNotAllowed):
        services.add_action(anomaly=anomaly, by=planner, text="again")


def test_bad_anomalies_are_refused(order, make_user):
    qc = make_user(Role.QC)
    with pytest.raises(ValidationError) as bad:
        services.raise_anomaly(
            by=qc, data={"order_id": order.pk, "kind": "ghosts", "description": "", "owner": "nobody"}
        )
    assert {"kind", "description", "owner"} <= set(bad.value.errors)
    with pytest.raises(PermissionDenied):
        services.raise_anomaly(
            by=make_user(Role.FINANCE), data={"order_id": order.pk, "kind": "other", "description": "x"}
        )


def test_anomalies_through_the_api_and_the_pages(order, make_user, api_as, page_as):
    planner = make_user(Role.PLANNER, username="pmc1")
    client = api_as(planner)
    made = client.post("/anomalies", {"order_id": order.pk, "kind": "material", "description": "zips short by 200"})
    assert made.status_code == 201, made.content
    anomaly = made.json()
    assert client.post(f"/anomalies/{anomaly['id']}/actions", {"text": "buyer chasing"}).json()["actions"][0][
        "text"
    ] == ("buyer chasing")
    assert client.get("/anomalies", open=True).json()["count"] == 1
    pages = page_as(planner)
    assert "zips short by 200" in pages.get(f"/orders/{order.pk}/").content.decode()
    assert 'data-testid="anomaly-list"' in pages.get("/production/anomalies/").content.decode()
    pages.post(f"/production/anomalies/{anomaly['id']}/", {"close": "1", "resolution": "arrived"})
    assert client.get(f"/anomalies/{anomaly['id']}").json()["closed_at"] is not None
    raised = pages.post(
        f"/production/orders/{order.pk}/anomalies/add/",
        {"kind": "quality", "severity": "critical", "description": "stains"},
    )
    assert raised.status_code == 302
