"""The office's pages: my tasks and its Excel export, the task form and page with its actions and thread, the order
page's and customer file's sections, the dashboard panels; the notices, the compose form, a notice's page and its
receipts; the supplier's page behind its link; the daily summary."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from gendan.core import clock, links
from gendan.core.choices import Role
from gendan.office import services
from gendan.office.models import Notice, NoticeRecipient, Task
from tests.conftest import TODAY
from tests.office.conftest import wd

pytestmark = pytest.mark.django_db


def text(response) -> str:  # noqa: ANN001
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# ---- tasks -------------------------------------------------------------------------------------------------------


def test_the_manager_assigns_a_task_from_the_order_page(page_as, manager, merchandiser, order):
    client = page_as(manager)
    page = text(client.get(f"/orders/{order.pk}/"))
    assert 'data-testid="tasks-section"' in page
    assert f"/office/tasks/new/?order={order.pk}" in page
    form = text(client.get(f"/office/tasks/new/?order={order.pk}"))
    assert f'value="{order.number}"' in form
    r = client.post(
        "/office/tasks/new/",
        {
            "title": "Get the customer's label approval",
            "assignee": merchandiser.pk,
            "due_date": str(wd(2)),
            "priority": "high",
            "order": order.number,
            "description": "Before cutting starts",
        },
    )
    task = Task.objects.get()
    assert r.status_code == 302
    assert r["Location"] == f"/office/tasks/{task.pk}/"
    assert (task.order, task.customer, task.assignee) == (order, order.customer, merchandiser)
    page = text(client.get(f"/orders/{order.pk}/"))
    assert "Get the customer&#x27;s label approval" in page


def test_the_task_form_shows_the_services_errors_on_their_fields(page_as, manager, merchandiser):
    client = page_as(manager)
    r = client.post(
        "/office/tasks/new/",
        {"title": "x", "assignee": merchandiser.pk, "due_date": "2026-11-01", "priority": "normal", "order": "SO-NOPE"},
    )
    page = text(r)
    assert "There is no order SO-NOPE." in page
    r = client.post(
        "/office/tasks/new/",
        {"title": "x", "assignee": merchandiser.pk, "due_date": "2026-11-01", "priority": "normal"},
    )
    assert "The due date cannot be in the past." in text(r)
    assert not Task.objects.exists()


def test_only_managers_see_the_task_form(page_as, merchandiser):
    assert page_as(merchandiser).get("/office/tasks/new/").status_code == 403


def test_the_assignee_accepts_comments_and_completes_on_the_page(page_as, assign, merchandiser, manager):
    task = assign()
    client = page_as(merchandiser)
    page = text(client.get(f"/office/tasks/{task.pk}/"))
    assert 'data-testid="action-accept"' in page
    assert 'data-testid="action-cancel"' not in page
    assert 'data-testid="edit-task"' not in page
    client.post(f"/office/tasks/{task.pk}/accept/", {"version": task.version})
    r = client.post(f"/office/tasks/{task.pk}/comments/", {"body": "Called them"}, HTTP_HX_REQUEST="true")
    assert "Called them" in text(r)
    assert 'id="comments"' in r.content.decode()
    client.post(f"/office/tasks/{task.pk}/complete/", {"reason": "Approved by e-mail"})
    task.refresh_from_db()
    assert (task.status, task.completion_note) == ("done", "Approved by e-mail")
    page = text(page_as(manager).get(f"/office/tasks/{task.pk}/"))
    assert 'data-testid="action-reopen"' in page
    assert "Approved by e-mail" in page


def test_a_refused_action_is_a_message_not_an_error(page_as, assign, merchandiser):
    task = assign()
    client = page_as(merchandiser)
    r = client.post(f"/office/tasks/{task.pk}/decline/", {"reason": ""}, follow=True)
    assert "Say why you decline the task." in text(r)
    assert client.post(f"/office/tasks/{task.pk}/explode/").status_code == 404


def test_the_assigner_edits_and_reassigns(page_as, assign, manager, merchandiser, make_user):
    other = make_user(Role.MERCHANDISER, username="mer2")
    task = services.decline_task(task=assign(), by=merchandiser, reason="Too busy")
    client = page_as(manager)
    page = text(client.get(f"/office/tasks/{task.pk}/edit/"))
    assert "declined this task" in page
    r = client.post(
        f"/office/tasks/{task.pk}/edit/",
        {
            "title": task.title,
            "assignee": other.pk,
            "due_date": str(task.due_date),
            "priority": "normal",
            "version": task.version,
        },
    )
    assert r.status_code == 302
    task.refresh_from_db()
    assert (task.assignee, task.status) == (other, "assigned")
    r = client.post(
        f"/office/tasks/{task.pk}/edit/",
        {"title": "Stale", "assignee": other.pk, "due_date": str(task.due_date), "priority": "normal", "version": 1},
    )
    assert "changed by someone else" in text(r)
    r = page_as(merchandiser).get(f"/office/tasks/{task.pk}/edit/")
    assert r.status_code in (302, 404)


def test_strangers_get_404_on_a_task(page_as, assign, make_user):
    task = assign()
    stranger = page_as(make_user(Role.MERCHANDISER, username="mer2"))
    assert stranger.get(f"/office/tasks/{task.pk}/").status_code == 404
    assert stranger.post(f"/office/tasks/{task.pk}/comments/", {"body": "x"}).status_code == 404


def test_files_on_a_task(page_as, assign, merchandiser):
    task = assign()
    client = page_as(merchandiser)
    client.post(f"/office/tasks/{task.pk}/files/", {"file": SimpleUploadedFile("photo.jpg", b"\xff\xd8\xff")})
    page = text(client.get(f"/office/tasks/{task.pk}/"))
    assert "photo.jpg" in page
    from gendan.core.models import Attachment

    att = Attachment.objects.get()
    r = client.get(f"/office/tasks/{task.pk}/files/{att.pk}/")
    assert r.status_code == 200
    assert b"".join(r.streaming_content) == b"\xff\xd8\xff"


def test_my_tasks_lists_tabs_filters_and_exports(page_as, assign, manager, merchandiser):
    with clock.frozen(wd(-4)):
        late = assign(title="Late one", due_date=wd(-1))
    assign(title="Fresh one", due_date=wd(3))
    client = page_as(merchandiser)
    page = text(client.get("/office/tasks/"))
    assert page.index("Late one") < page.index("Fresh one")
    assert "overdue" in page
    only = text(client.get("/office/tasks/", {"overdue": "on", "status": "open"}))
    assert "Late one" in only
    assert "Fresh one" not in only
    assert "Late one" in text(page_as(manager).get("/office/tasks/", {"scope": "by_me"}))
    assert "All tasks" in text(page_as(manager).get("/office/tasks/"))
    assert "All tasks" not in page
    r = client.get("/office/tasks/", {"format": "xlsx"})
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("Number", "Title", "Priority")
    assert [row[0] for row in rows[1:]] == [late.number, "TK-2026-00002"]


def test_my_tasks_does_not_query_per_row(page_as, assign, merchandiser, order, django_assert_max_num_queries):
    for n in range(8):
        assign(title=f"Task {n}", order_id=order.pk if n % 2 else None)
    client = page_as(merchandiser)
    client.get("/office/tasks/")
    with django_assert_max_num_queries(12):
        client.get("/office/tasks/")


def test_the_customer_file_lists_its_tasks(page_as, assign, manager, customer, order):
    assign(title="Visit plan", customer_id=customer.pk)
    assign(title="Carton marks", order_id=order.pk)
    page = text(page_as(manager).get(f"/partners/customers/{customer.pk}/"))
    assert "Visit plan" in page
    assert "Carton marks" in page
    assert f"/office/tasks/new/?customer={customer.pk}" in page


def test_the_dashboard_shows_my_tasks_notices_and_my_day(page_as, assign, merchandiser, send_notice):
    assign(title="Dashboard task")
    send_notice(users=[merchandiser.username], title="Dashboard notice")
    page = text(page_as(merchandiser).get("/"))
    assert 'data-testid="panel-my-tasks"' in page
    assert "Dashboard task" in page
    assert 'data-testid="panel-notices"' in page
    assert "Dashboard notice" in page
    assert 'data-testid="panel-summary-loading"' in page  # "My day" arrives once the dashboard has loaded
    assert 'hx-get="/office/summary/panel/"' in page
    day = text(page_as(merchandiser).get("/office/summary/panel/"))
    assert 'data-testid="panel-summary"' in day


# ---- notices -----------------------------------------------------------------------------------------------------


def test_compose_and_send_a_notice_with_files(page_as, manager, merchandiser, qc, factory):
    client = page_as(manager)
    text(client.get("/office/notices/new/"))
    assert 'value="minutes" selected' in text(client.get("/office/notices/new/?kind=minutes"))
    r = client.post(
        "/office/notices/new/",
        {
            "kind": "notice",
            "title": "Holiday schedule",
            "body": "The plant closes on 1 January.",
            "departments": [qc.department.pk],
            "users": [merchandiser.pk],
            "suppliers": [factory.pk],
            "ack_required": "on",
            "files": [SimpleUploadedFile("schedule.csv", b"a,b"), SimpleUploadedFile("map.png", b"\x89PNG")],
        },
    )
    notice = Notice.objects.get()
    assert r.status_code == 302
    assert r["Location"] == f"/office/notices/{notice.pk}/"
    assert notice.ack_required
    assert notice.recipients.count() == 3
    page = text(client.get(f"/office/notices/{notice.pk}/"))
    assert "schedule.csv" in page
    assert "map.png" in page
    assert 'data-testid="receipts"' in page
    token = links.token_for(notice.recipients.get(supplier=factory).link)
    assert f"/office/n/{token}/" in page


def test_the_compose_form_keeps_what_was_typed_on_an_error(page_as, manager):
    r = page_as(manager).post("/office/notices/new/", {"kind": "notice", "title": "Keep me", "body": "Text"})
    page = text(r)
    assert "Choose at least one department, colleague or supplier." in page
    assert 'value="Keep me"' in page
    assert not Notice.objects.exists()


def test_opening_a_notice_is_the_read_receipt(page_as, send_notice, merchandiser, manager):
    notice = send_notice(users=[merchandiser.username], ack_required=True)
    client = page_as(merchandiser)
    assert 'data-testid="unread-notices">1<' in text(client.get("/office/notices/"))
    page = text(client.get(f"/office/notices/{notice.pk}/"))
    assert 'data-testid="acknowledge"' in page
    assert 'data-testid="receipts"' not in page  # only the sender sees everyone's
    receipt = NoticeRecipient.objects.get(user=merchandiser)
    assert receipt.read_at is not None
    assert receipt.acknowledged_at is None
    client.post(f"/office/notices/{notice.pk}/acknowledge/")
    receipt.refresh_from_db()
    assert receipt.acknowledged_at is not None
    page = text(page_as(manager).get(f"/office/notices/{notice.pk}/"))
    assert 'data-testid="receipt-ack"' in page


def test_the_sender_manages_links_recipients_and_withdraws(page_as, send_notice, manager, qc, factory):
    notice = send_notice(supplier_ids=[factory.pk])
    client = page_as(manager)
    old = links.token_for(notice.recipients.get().link)
    client.post(f"/office/notices/{notice.pk}/suppliers/{factory.pk}/link/renew/")
    with pytest.raises(links.LinkInvalid):
        services.recipient_for_token(old)
    client.post(f"/office/notices/{notice.pk}/recipients/", {"users": [qc.pk]})
    assert notice.recipients.count() == 2
    client.post(f"/office/notices/{notice.pk}/stop-chasing/")
    notice.refresh_from_db()
    assert notice.chase_stopped_at is not None
    client.post(f"/office/notices/{notice.pk}/withdraw/", {"reason": "Wrong dates"})
    notice.refresh_from_db()
    assert notice.status == "withdrawn"
    assert "Wrong dates" in text(client.get(f"/office/notices/{notice.pk}/"))


def test_strangers_get_404_on_a_notice(page_as, send_notice, merchandiser, make_user):
    notice = send_notice(users=[merchandiser.username])
    assert (
        page_as(make_user(Role.MERCHANDISER, username="mer2")).get(f"/office/notices/{notice.pk}/").status_code == 404
    )


def test_the_notice_prints(page_as, send_notice, merchandiser):
    notice = send_notice(users=[merchandiser.username], kind="minutes", meeting_date="2026-11-23", attendees="Wang, Li")
    r = page_as(merchandiser).get(f"/office/notices/{notice.pk}/notice.pdf?language=en")
    assert r.status_code == 200
    assert r.content.startswith(b"%PDF")


# ---- the supplier's page ------------------------------------------------------------------------------------------


@pytest.fixture
def token(manager, factory):  # noqa: ANN001, ANN201
    notice = services.create_notice(
        by=manager,
        data={"title": "Packing change", "body": "Five-ply cartons from today.", "supplier_ids": [factory.pk]},
        files=[SimpleUploadedFile("spec.pdf", b"%PDF-spec")],
    )
    return links.token_for(notice.recipients.get().link)


def test_the_factory_reads_downloads_and_acknowledges_without_an_account(client, token, manager):
    page = text(client.get(f"/office/n/{token}/"))
    assert "Packing change" in page
    assert "Five-ply cartons from today." in page
    recipient = NoticeRecipient.objects.get()
    assert recipient.read_at is not None
    from gendan.core.models import Attachment

    att = Attachment.objects.get()
    r = client.get(f"/office/n/{token}/files/{att.pk}/")
    assert b"".join(r.streaming_content) == b"%PDF-spec"
    r = client.post(f"/office/n/{token}/", {"name": "张经理"}, follow=True)
    assert 'data-testid="acknowledged"' in text(r)
    recipient.refresh_from_db()
    assert recipient.acknowledged_by_name == "张经理"
    assert client.get(f"/office/n/{token}/notice.pdf").content.startswith(b"%PDF")


def test_a_bad_or_expired_link_shows_why(client, token):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    r = client.get(f"/office/n/{token[:-3]}abc/")
    assert r.status_code == 410
    assert "not valid" in r.content.decode()
    with clock.frozen(dt.date(2027, 6, 1)):
        r = client.get(f"/office/n/{token}/")
    assert r.status_code == 410
    assert "expired" in r.content.decode()
    with clock.frozen(dt.date(2027, 6, 1)):
        assert client.get(f"/office/n/{token}/files/1/").status_code == 410


# ---- the daily summary -------------------------------------------------------------------------------------------


def test_the_summary_page_for_me_a_colleague_and_the_team(page_as, assign, manager, merchandiser):
    task = assign(due_date=wd(1))
    services.complete_task(task=task, by=merchandiser, note="Finished early")
    mine = text(page_as(merchandiser).get("/office/summary/"))
    assert "Finished early" in mine
    assert 'data-testid="team-tab"' not in mine
    assert page_as(merchandiser).get("/office/summary/?user=boss").status_code == 404
    boss = page_as(manager)
    assert "Finished early" in text(boss.get("/office/summary/?user=mer1"))
    team = text(boss.get("/office/summary/?team=1"))
    assert 'data-testid="team-summary"' in team
    assert 'data-user="mer1"' in team
    assert "day off" in text(boss.get("/office/summary/?date=2026-11-28"))
    assert str(TODAY) in text(boss.get("/office/summary/?date=garbage"))


def test_the_notice_list_does_not_query_per_row(
    page_as, send_notice, manager, merchandiser, django_assert_max_num_queries
):
    for n in range(6):
        send_notice(users=[merchandiser.username], title=f"Notice {n}")
    client = page_as(merchandiser)
    client.get("/office/notices/")
    with django_assert_max_num_queries(12):
        client.get("/office/notices/")
    boss = page_as(manager)
    boss.get("/office/notices/?box=sent")
    with django_assert_max_num_queries(12):
        boss.get("/office/notices/?box=sent")
