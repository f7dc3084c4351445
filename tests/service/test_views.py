"""Complaint pages: the register and its Excel, the registration form, the complaint's page at every step and its
forms (actions inline with htmx), the PDF, the report, the root-cause list, the order's and customer's sections and
the dashboard panel; who may do what."""

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from gendan.core.models import Attachment, User
from gendan.finance.models import CreditNote
from gendan.sales.models import Order
from gendan.service.models import Complaint, ComplaintAction, RootCause
from tests.conftest import TODAY
from tests.service.conftest import walk, wd

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_the_register_lists_filters_and_exports(
    page_as: Callable, register: Callable[..., Complaint], merchandiser: User, qc: User
) -> None:
    a = register(customer_reference="NCR-9")
    b = walk(register(), "routed", by=merchandiser, responsible=qc)
    client = page_as(merchandiser)
    r = client.get("/service/")
    assert r.status_code == 200
    html = r.content.decode()
    assert a.number in html
    assert b.number in html
    assert "Register a complaint" in html
    r = client.get("/service/", {"status": "routed"})
    assert b.number in r.content.decode()
    assert a.number not in r.content.decode()
    r = client.get("/service/", {"q": "NCR-9", "format": "xlsx"})
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "Number"
    assert [row[0] for row in rows[1:]] == [a.number]
    assert rows[1][9].endswith("× 12")  # products affected


def test_registering_from_the_order_page(page_as: Callable, order: Order, merchandiser: User, shipment: Any) -> None:
    client = page_as(merchandiser)
    r = client.get(f"/orders/{order.pk}/")
    assert r.status_code == 200
    assert f"/service/new/?order={order.pk}" in r.content.decode()
    r = client.get("/service/new/", {"order": order.number})
    assert r.status_code == 200
    first, second = order.lines.order_by("position")
    assert f"qty-ol{first.pk}" in r.content.decode()
    r = client.post(
        f"/service/new/?order={order.pk}",
        {
            "customer_id": order.customer_id,
            "order_id": order.pk,
            "channel": "email",
            "received_date": TODAY.isoformat(),
            "severity": "major",
            "description": "Open seams",
            "shipment_id": shipment.pk,
            "claim_amount": "120",
            "currency": "USD",
            f"qty-ol{first.pk}": "12",
            f"defect-ol{first.pk}": "open seam",
            f"qty-ol{second.pk}": "",
            "photos": [SimpleUploadedFile("seam.jpg", b"jpg"), SimpleUploadedFile("carton.jpg", b"jpg")],
        },
    )
    complaint = Complaint.objects.get()
    assert r.status_code == 302
    assert r["Location"] == f"/service/{complaint.pk}/"
    assert list(complaint.lines.values_list("order_line_id", "quantity")) == [(first.pk, 12)]
    assert complaint.shipment == shipment
    assert Attachment.objects.filter(object_id=complaint.pk).count() == 2
    r = client.get(f"/orders/{order.pk}/")
    assert complaint.number in r.content.decode()


def test_the_registration_form_shows_the_errors(page_as: Callable, order: Order, merchandiser: User) -> None:
    client = page_as(merchandiser)
    first = order.lines.order_by("position").first()
    r = client.post(
        f"/service/new/?order={order.pk}",
        {"order_id": order.pk, "channel": "email", "description": "", f"qty-ol{first.pk}": "-3"},
    )
    assert r.status_code == 200
    html = r.content.decode()
    assert 'data-testid="form-errors"' in html
    assert "Describe what the customer complains about." in html
    assert Complaint.objects.count() == 0


def test_the_start_page_chooses_a_customer_or_an_order(page_as: Callable, merchandiser: User, customer: Any) -> None:
    client = page_as(merchandiser)
    r = client.get("/service/new/")
    assert r.status_code == 200
    assert 'data-testid="choose-order"' in r.content.decode()
    r = client.get("/service/new/", {"order": "NO-SUCH"})
    assert "No such customer or order" in r.content.decode()
    r = client.get("/service/new/", {"customer": customer.pk})
    assert 'data-testid="complaint-form"' in r.content.decode()
    assert "product-n1" in r.content.decode()


@pytest.mark.parametrize("status", ["registered", "routed", "investigating", "answered", "verified", "closed"])
def test_the_complaint_page_at_every_step(
    page_as: Callable,
    register: Callable[..., Complaint],
    merchandiser: User,
    manager: User,
    qc: User,
    status: str,
    django_assert_max_num_queries: Any,
) -> None:
    complaint = walk(register(), status, by=merchandiser, responsible=qc)
    client = page_as(manager)
    with django_assert_max_num_queries(40):
        r = client.get(f"/service/{complaint.pk}/")
    assert r.status_code == 200
    html = r.content.decode()
    assert f'data-testid="complaint-status">{status}<' in html
    expected = {
        "registered": 'data-testid="route-form"',
        "routed": 'data-testid="start-investigation"',
        "investigating": 'data-testid="answer-form"',
        "answered": 'data-testid="verify-form"',
        "verified": 'data-testid="close-form"',
        "closed": 'data-testid="settlement-facts"',
    }[status]
    assert expected in html
    assert ('data-testid="open-reject"' in html) == (status in ("registered", "routed", "investigating"))
    assert 'id="audit"' in html


def test_the_workflow_forms_of_the_page(
    page_as: Callable, register: Callable[..., Complaint], merchandiser: User, manager: User, qc: User, shipment: Any
) -> None:
    complaint = register()
    client, boss = page_as(merchandiser), page_as(manager)
    url = f"/service/{complaint.pk}"
    r = client.post(
        f"{url}/route/", {"responsible": "qc1", "due_date": wd(3).isoformat(), "version": complaint.version}
    )
    assert r.status_code == 302
    assert r["Location"].endswith("#routing")
    complaint.refresh_from_db()
    assert (complaint.status, complaint.responsible, complaint.due_date) == ("routed", qc, wd(3))
    quality = page_as(qc)
    quality.post(
        f"{url}/investigation/",
        {"root_cause": "material", "cause_detail": "Wrong thread", "version": complaint.version},
    )
    complaint.refresh_from_db()
    assert (complaint.status, complaint.root_cause.code) == ("investigating", "material")
    r = quality.post(
        f"{url}/actions/",
        {"kind": "corrective", "description": "Tex 40 thread", "owner": "qc1", "due_date": wd(2).isoformat()},
        **HTMX,
    )
    assert r.status_code == 200
    assert 'id="actions"' in r.content.decode()
    assert "Tex 40 thread" in r.content.decode()
    r = quality.post(
        f"{url}/answer/", {"settlement_offer": "Credit 30", "language": "en", "version": complaint.version}
    )
    complaint.refresh_from_db()
    assert complaint.status == "answered"
    r = client.post(f"{url}/send/", {"send_to": "anna@northwind.example", "language": "zh"})
    complaint.refresh_from_db()
    assert complaint.answer_sent_to == "anna@northwind.example"
    client.post(f"{url}/verify/", {"version": complaint.version, "date": TODAY.isoformat()})
    complaint.refresh_from_db()
    assert complaint.status == "verified"
    action = complaint.actions.get()
    quality.post(f"{url}/actions/{action.pk}/done/", {"result": "changed", "version": action.version}, **HTMX)
    # the merchandiser may not grant a credit note
    r = client.get(f"{url}/")
    assert 'data-testid="credit-amount"' not in r.content.decode()
    r = client.post(f"{url}/close/", {"credit_amount": "30", "version": complaint.version}, follow=True)
    assert "A settlement" in r.content.decode()
    assert Complaint.objects.get().status == "verified"
    r = boss.post(f"{url}/close/", {"credit_amount": "30", "note": "ok", "version": complaint.version}, follow=True)
    note = CreditNote.objects.get()
    html = r.content.decode()
    assert f"credit note {note.number} is issued" in html
    assert f'href="/finance/credit-notes/{note.pk}/"' in html  # managers see finance's credit note
    assert Complaint.objects.get().status == "closed"


def test_a_form_error_is_shown_on_the_page(
    page_as: Callable, register: Callable[..., Complaint], merchandiser: User
) -> None:
    complaint = register()
    r = page_as(merchandiser).post(f"/service/{complaint.pk}/reject/", {"reason": ""}, follow=True)
    assert "Say why the complaint does not stand." in r.content.decode()
    r = page_as(merchandiser).post(f"/service/{complaint.pk}/verify/", {}, follow=True)
    assert "cannot move to Verified" in r.content.decode()
    assert page_as(merchandiser).post(f"/service/{complaint.pk}/dance/").status_code == 404


def test_actions_inline_with_htmx(
    page_as: Callable, register: Callable[..., Complaint], merchandiser: User, qc: User, planner: User
) -> None:
    complaint = walk(register(), "routed", by=merchandiser, responsible=qc)
    client = page_as(qc)
    url = f"/service/{complaint.pk}/actions/"
    data = {"kind": "containment", "description": "Sort the stock", "owner": "pmc1", "due_date": wd(1).isoformat()}
    # the first action moves the complaint to investigating: the whole page reloads (its forms carry the version)
    r = client.post(url, data, **HTMX)
    assert r.status_code == 204
    assert r["HX-Refresh"] == "true"
    # then the card is swapped in place
    r = client.post(url, {**data, "description": "Check the other lots"}, **HTMX)
    assert r.status_code == 200
    assert 'data-testid="action-message"' in r.content.decode()
    # an error keeps the typed values
    r = client.post(url, {**data, "description": "Audit the line", "owner": ""}, **HTMX)
    assert 'data-testid="action-error"' in r.content.decode()
    assert 'value="Audit the line"' in r.content.decode()
    action = ComplaintAction.objects.get(position=2)
    r = client.post(
        f"{url}{action.pk}/",
        {
            "kind": "corrective",
            "description": "Check lots L1–L3",
            "owner": "qc1",
            "due_date": wd(4).isoformat(),
            "version": 1,
        },
        **HTMX,
    )
    action.refresh_from_db()
    assert (action.kind, action.owner, action.version) == ("corrective", qc, 2)
    r = page_as(planner).post(f"{url}{action.pk}/done/", {"result": "ok", "version": 2})  # without htmx
    assert r.status_code == 302
    assert r["Location"].endswith("#actions")
    action.refresh_from_db()
    assert action.done_date == TODAY
    assert client.post(f"{url}999999/done/", {"result": "x"}, **HTMX).status_code == 404


def test_the_answer_pdf_page(page_as: Callable, register: Callable[..., Complaint], merchandiser: User) -> None:
    complaint = walk(register(), "answered", by=merchandiser)
    r = page_as(merchandiser).get(f"/service/{complaint.pk}/answer.pdf", {"language": "zh", "download": "1"})
    assert r.status_code == 200
    assert r.content.startswith(b"%PDF")
    assert r["Content-Disposition"] == f'attachment; filename="{complaint.number}-8D-zh.pdf"'


def test_the_report_page(
    page_as: Callable, register: Callable[..., Complaint], merchandiser: User, finance_user: User
) -> None:
    walk(register(), "investigating", by=merchandiser)
    register()
    client = page_as(finance_user)
    r = client.get("/service/report/", {"group_by": "cause", "date_from": "2026-11-01", "date_to": "2026-11-30"})
    assert r.status_code == 200
    html = r.content.decode()
    assert 'data-testid="pareto"' in html
    assert "Method (process)" in html
    assert 'data-testid="report-total-count">2<' in html
    r = client.get("/service/report/", {"group_by": "product", "format": "xlsx"})
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    r = client.get("/service/report/", {"date_from": "2026-12-01", "date_to": "2026-11-01"})
    assert "The period ends before it starts." in r.content.decode()


def test_the_root_cause_list(page_as: Callable, manager: User, merchandiser: User) -> None:
    boss = page_as(manager)
    r = boss.post("/service/causes/", {"code": "labelling", "name_zh": "标签", "name_en": "Labelling"})
    assert r.status_code == 302
    assert RootCause.objects.filter(code="labelling").exists()
    cause = RootCause.objects.get(code="labelling")
    boss.post(f"/service/causes/{cause.pk}/", {"name_zh": "标签", "name_en": "Labels", "position": "5"})
    cause.refresh_from_db()
    assert (cause.name_en, cause.position, cause.is_active) == ("Labels", 5, False)  # unticked: inactive
    client = page_as(merchandiser)
    r = client.get("/service/causes/")
    assert r.status_code == 200
    assert 'data-testid="cause-form"' not in r.content.decode()
    assert client.post("/service/causes/", {"code": "x", "name_zh": "x"}).status_code == 403
    assert client.post(f"/service/causes/{cause.pk}/", {"name_zh": "x"}).status_code == 403


def test_who_sees_what(
    page_as: Callable, register: Callable[..., Complaint], finance_user: User, make_user: Callable
) -> None:
    complaint = register()
    fin = page_as(finance_user)
    assert fin.get("/service/").status_code == 200
    r = fin.get(f"/service/{complaint.pk}/")
    assert r.status_code == 200
    assert 'data-testid="route-form"' not in r.content.decode()
    assert fin.get("/service/new/").status_code == 403
    assert fin.post(f"/service/{complaint.pk}/reject/", {"reason": "x"}).status_code == 403
    assert fin.get("/service/999999/").status_code == 404
    buyer = page_as(make_user("purchasing"))
    assert buyer.get("/service/new/").status_code == 403
    assert buyer.get(f"/service/{complaint.pk}/").status_code == 200


def test_the_customer_file_and_the_dashboard(
    page_as: Callable, register: Callable[..., Complaint], merchandiser: User, qc: User, customer: Any
) -> None:
    complaint = walk(register(), "investigating", by=merchandiser, responsible=qc)
    r = page_as(merchandiser).get(f"/partners/customers/{customer.pk}/")
    assert r.status_code == 200
    html = r.content.decode()
    assert 'data-testid="customer-complaints"' in html
    assert complaint.number in html
    r = page_as(qc).get("/")
    assert 'data-testid="panel-my-complaints"' in r.content.decode()
    r = page_as(merchandiser).get("/")
    assert 'data-testid="panel-my-complaint-actions"' in r.content.decode()


def test_editing_the_facts(
    page_as: Callable, register: Callable[..., Complaint], merchandiser: User, order: Order
) -> None:
    complaint = register()
    client = page_as(merchandiser)
    r = client.get(f"/service/{complaint.pk}/edit/")
    assert r.status_code == 200
    assert 'value="12"' in r.content.decode()
    first, second = order.lines.order_by("position")
    r = client.post(
        f"/service/{complaint.pk}/edit/",
        {
            "version": complaint.version,
            "order_id": order.pk,
            "channel": "phone",
            "received_date": TODAY.isoformat(),
            "severity": "minor",
            "description": "Open seams, fewer",
            "claim_amount": "60",
            "currency": "USD",
            "owner": "mer1",
            f"qty-ol{first.pk}": "6",
            f"qty-ol{second.pk}": "2",
        },
    )
    assert r.status_code == 302
    complaint.refresh_from_db()
    assert (complaint.channel, complaint.severity, complaint.claim_amount) == ("phone", "minor", 60)
    assert sorted(complaint.lines.values_list("quantity", flat=True)) == [2, 6]


def test_the_register_reads_a_page_in_a_fixed_number_of_queries(
    page_as: Callable, register: Callable[..., Complaint], merchandiser: User, qc: User
) -> None:
    client = page_as(merchandiser)
    register()
    client.get("/service/")  # warm the session and permission caches

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/service/").status_code == 200
        return len(ctx.captured_queries)

    one = count()
    for _ in range(6):
        walk(register(), "investigating", by=merchandiser, responsible=qc)
    assert count() == one
