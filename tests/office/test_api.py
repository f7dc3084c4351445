"""The office API: /tasks, /notices, /daily-summary — happy paths, 422 naming the field, 409, 403, 404."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gendan.core import links
from gendan.core.choices import Role
from gendan.office import services
from gendan.office.models import Notice, NoticeRecipient, Task
from tests.conftest import TODAY
from tests.office.conftest import wd

pytestmark = pytest.mark.django_db


def fields(response):  # noqa: ANN001, ANN201
    return [d["loc"][-1] for d in response.json()["detail"]]


# ---- tasks -------------------------------------------------------------------------------------------------------


def test_a_manager_assigns_through_the_api_and_the_assignee_completes(api_as, manager, merchandiser, order):
    boss = api_as(manager)
    r = boss.post(
        "/tasks",
        {
            "title": "Chase the label file",
            "assignee": "mer1",
            "due_date": str(wd(2)),
            "priority": "high",
            "order_id": order.pk,
        },
    )
    assert r.status_code == 201, r.json()
    task = r.json()
    assert (task["number"], task["assignee"], task["assigned_by"], task["status"]) == (
        "TK-2026-00001",
        "mer1",
        "boss",
        "assigned",
    )
    assert (task["order_number"], task["customer_code"], task["version"]) == (order.number, "C-NW01", 1)
    assert task["comments"] == []
    assert task["attachments"] == []
    me = api_as(merchandiser)
    listed = me.get("/tasks").json()
    assert listed["count"] == 1
    assert listed["items"][0]["id"] == task["id"]
    assert me.post(f"/tasks/{task['id']}/accept", {"comment": "on it"}).json()["status"] == "accepted"
    r = me.post(f"/tasks/{task['id']}/comments", {"body": "Sent the request"})
    assert r.status_code == 201
    assert [c["body"] for c in me.get(f"/tasks/{task['id']}/comments").json()] == ["on it", "Sent the request"]
    done = me.post(f"/tasks/{task['id']}/complete", {"note": "File received"}).json()
    assert (done["status"], done["completion_note"]) == ("done", "File received")
    assert boss.get("/tasks", scope="by_me", status="done").json()["count"] == 1


def test_task_input_errors_name_the_field(api_as, manager):
    boss = api_as(manager)
    r = boss.post("/tasks", {"title": "x", "assignee": "mer1"})
    assert r.status_code == 422
    assert "due_date" in fields(r)
    r = boss.post("/tasks", {"title": "x", "assignee": "nobody", "due_date": str(TODAY)})
    assert r.status_code == 422
    assert fields(r) == ["assignee"]
    r = boss.post("/tasks", {"title": "x", "assignee": "boss", "due_date": "2026-11-01"})
    assert (r.status_code, fields(r)) == (422, ["due_date"])
    r = boss.post("/tasks", {"title": "x", "assignee": "boss", "due_date": str(TODAY), "priority": "asap"})
    assert r.status_code == 422
    assert not Task.objects.exists()
    assert boss.get("/tasks", scope="mine").status_code == 422


def test_only_managers_assign_and_strangers_get_404(api_as, assign, merchandiser, make_user):
    r = api_as(merchandiser).post("/tasks", {"title": "x", "assignee": "mer1", "due_date": str(TODAY)})
    assert r.status_code == 403
    assert "office.add_task" in r.json()["detail"]
    task = assign()
    stranger = api_as(make_user(Role.MERCHANDISER, username="mer2"))
    assert stranger.get(f"/tasks/{task.pk}").status_code == 404
    assert stranger.post(f"/tasks/{task.pk}/accept").status_code == 404
    assert stranger.post(f"/tasks/{task.pk}/comments", {"body": "hi"}).status_code == 404
    assert api_as(merchandiser).get("/tasks/999999").status_code == 404
    assert api_as(None).get("/tasks").status_code == 401


def test_patch_checks_the_version_and_transitions_give_409(api_as, assign, manager, merchandiser):
    task = assign()
    boss = api_as(manager)
    r = boss.patch(f"/tasks/{task.pk}", {"version": 1, "due_date": str(wd(4)), "priority": "urgent"})
    assert r.status_code == 200
    assert (r.json()["due_date"], r.json()["priority"], r.json()["version"]) == (str(wd(4)), "urgent", 2)
    r = boss.patch(f"/tasks/{task.pk}", {"version": 1, "title": "Stale"})
    assert r.status_code == 409
    assert (r.json()["code"], r.json()["current_version"]) == ("stale_version", 2)
    assert api_as(merchandiser).patch(f"/tasks/{task.pk}", {"title": "Mine"}).status_code == 403
    r = boss.post(f"/tasks/{task.pk}/reopen", {"reason": "again"})
    assert r.status_code == 409
    assert r.json()["code"] == "transition_not_allowed"
    r = api_as(merchandiser).post(f"/tasks/{task.pk}/decline", {"reason": ""})
    assert (r.status_code, fields(r)) == (422, ["reason"])
    r = api_as(merchandiser).post(f"/tasks/{task.pk}/decline", {"reason": "Busy"})
    assert r.json()["status"] == "declined"
    r = boss.patch(f"/tasks/{task.pk}", {"assignee": "boss"})
    assert (r.json()["status"], r.json()["assignee"]) == ("assigned", "boss")
    r = boss.post(f"/tasks/{task.pk}/cancel", {"reason": "Not needed"})
    assert r.json()["status"] == "cancelled"


def test_a_file_on_a_task(api_as, assign, merchandiser):
    task = assign()
    client = api_as(merchandiser)
    r = client.client.post(
        f"/api/v1/tasks/{task.pk}/attachments",
        {"file": SimpleUploadedFile("report.pdf", b"%PDF-1.4")},
        headers=client.headers,
    )
    assert r.status_code == 201
    assert r.json()["name"] == "report.pdf"
    assert client.get(f"/tasks/{task.pk}").json()["attachments"][0]["url"] == r.json()["url"]


# ---- notices -----------------------------------------------------------------------------------------------------


def test_a_notice_through_the_api_with_receipts_and_links(api_as, manager, merchandiser, qc, factory):
    boss = api_as(manager)
    r = boss.post(
        "/notices",
        {
            "title": "New packing rules",
            "body": "From 1 December: five-ply cartons.",
            "departments": ["quality"],
            "users": ["mer1"],
            "supplier_ids": [factory.pk],
            "ack_required": True,
        },
    )
    assert r.status_code == 201, r.json()
    notice = r.json()
    assert (notice["number"], notice["sender"], notice["departments"], notice["recipient_count"]) == (
        "NT-2026-00001",
        "boss",
        ["quality"],
        3,
    )
    [link] = notice["links"]
    assert link["supplier_id"] == factory.pk
    assert "/office/n/" in link["url"]
    me = api_as(merchandiser)
    inbox = me.get("/notices", unread=True).json()
    assert inbox["count"] == 1
    assert inbox["items"][0]["my_receipt"] == {"read_at": None, "acknowledged_at": None}
    assert me.get(f"/notices/{notice['id']}").json()["links"] == []  # a recipient does not see the links
    assert me.post(f"/notices/{notice['id']}/read").json()["read_at"] is not None
    assert me.post(f"/notices/{notice['id']}/acknowledge").json()["acknowledged_at"] is not None
    assert me.get("/notices", unread=True).json()["count"] == 0
    receipts = boss.get(f"/notices/{notice['id']}/receipts").json()
    assert [(x["kind"], x["user"] or x["supplier_id"], x["pending"]) for x in receipts] == [
        ("supplier", factory.pk, True),
        ("user", "qc1", True),
        ("user", "mer1", False),
    ]
    assert receipts[0]["link"]["state"] == "live"
    assert receipts[1]["department"] == "quality"
    assert me.get(f"/notices/{notice['id']}/receipts").status_code == 403
    # a fresh link for the factory: the old one stops
    r = boss.post(f"/notices/{notice['id']}/links", {"supplier_id": factory.pk})
    assert r.status_code == 201
    old_token = link["url"].rstrip("/").rsplit("/", 1)[-1]
    with pytest.raises(links.LinkInvalid):
        services.recipient_for_token(old_token)
    r = boss.post(f"/notices/{notice['id']}/recipients", {"users": ["mer1", "qc1"]})
    assert (r.status_code, r.json()) == (201, [])


def test_notice_errors(api_as, manager, merchandiser, make_user, send_notice):
    boss = api_as(manager)
    r = boss.post("/notices", {"title": "x", "body": "y"})
    assert (r.status_code, fields(r)) == (422, ["recipients"])
    r = boss.post("/notices", {"kind": "minutes", "title": "x", "body": "y", "users": ["mer1"]})
    assert (r.status_code, fields(r)) == (422, ["meeting_date"])
    r = boss.post("/notices", {"kind": "memo", "title": "x", "body": "y", "users": ["mer1"]})
    assert r.status_code == 422
    assert not Notice.objects.exists()
    notice = send_notice(users=[merchandiser.username])
    stranger = api_as(make_user(Role.MERCHANDISER, username="mer2"))
    assert stranger.get(f"/notices/{notice.pk}").status_code == 404
    assert stranger.post(f"/notices/{notice.pk}/read").status_code == 404
    assert (
        api_as(make_user(Role.MANAGER, username="boss2")).post(f"/notices/{notice.pk}/acknowledge").status_code == 403
    )
    assert api_as(merchandiser).post(f"/notices/{notice.pk}/withdraw", {"reason": "x"}).status_code == 403
    r = boss.post(f"/notices/{notice.pk}/withdraw", {"reason": "Wrong", "version": notice.version + 1})
    assert (r.status_code, r.json()["code"]) == (409, "stale_version")
    r = boss.post(f"/notices/{notice.pk}/withdraw", {"reason": "Wrong"})
    assert r.json()["status"] == "withdrawn"
    r = boss.post(f"/notices/{notice.pk}/withdraw", {"reason": "Again"})
    assert (r.status_code, r.json()["code"]) == (409, "transition_not_allowed")
    assert boss.get("/notices", box="outbox").status_code == 422
    assert boss.post(f"/notices/{notice.pk}/links", {"supplier_id": 1}).status_code in (409, 422)


def test_notice_files_through_the_api(api_as, manager, merchandiser, send_notice):
    notice = send_notice(users=[merchandiser.username])
    boss = api_as(manager)
    r = boss.client.post(
        f"/api/v1/notices/{notice.pk}/attachments",
        {"file": SimpleUploadedFile("plan.xlsx", b"PK")},
        headers=boss.headers,
    )
    assert r.status_code == 201
    got = api_as(merchandiser).get(f"/notices/{notice.pk}").json()
    assert [a["name"] for a in got["attachments"]] == ["plan.xlsx"]


# ---- the daily summary -------------------------------------------------------------------------------------------


def test_the_daily_summary_through_the_api(api_as, assign, manager, merchandiser):
    task = assign(due_date=wd(1))
    services.complete_task(task=task, by=merchandiser, note="Done early")
    me = api_as(merchandiser)
    r = me.get("/daily-summary")
    assert r.status_code == 200, r.json()
    body = r.json()
    assert (body["user"], body["date"], body["next_working_day"]) == ("mer1", str(TODAY), str(wd(1)))
    assert body["counts"]["tasks_done"] == 1
    assert body["tasks_done"][0]["reason"] == "Done early"
    assert me.get("/daily-summary", user="boss").status_code == 404
    assert me.get("/daily-summary", team=True).status_code == 403
    assert me.get("/daily-summary", date="2026-13-01").status_code == 422
    boss = api_as(manager)
    assert boss.get("/daily-summary", user="mer1").json()["counts"]["tasks_done"] == 1
    team = boss.get("/daily-summary", team=True, date=str(TODAY)).json()
    assert {p["user"] for p in team["people"]} == {"boss", "mer1"}
    assert boss.get("/daily-summary", user="ghost").status_code == 422


def test_the_openapi_document_lists_the_office_paths(api_as, manager):
    paths = api_as(manager).get("/openapi.json").json()["paths"]
    for path in (
        "/api/v1/tasks",
        "/api/v1/tasks/{task_id}",
        "/api/v1/tasks/{task_id}/complete",
        "/api/v1/tasks/{task_id}/comments",
        "/api/v1/notices",
        "/api/v1/notices/{notice_id}/receipts",
        "/api/v1/notices/{notice_id}/read",
        "/api/v1/daily-summary",
    ):
        assert path in paths
    assert NoticeRecipient.objects.count() == 0


def test_a_notice_link_is_withdrawn_through_the_links_endpoint_by_a_manager(api_as, send_notice, manager, factory):
    notice = send_notice(supplier_ids=[factory.pk])
    link = notice.recipients.get().link
    r = api_as(manager).delete(f"/links/{link.pk}")
    assert r.status_code == 200
    link.refresh_from_db()
    assert link.revoked_at is not None
