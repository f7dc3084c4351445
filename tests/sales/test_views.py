"""Order pages: list, export, form (create with two lines, errors, change reason, stale version), hub, actions."""

import io

import pytest
from openpyxl import load_workbook

from gendan.core.choices import Role
from gendan.core.models import Notification
from gendan.sales.choices import OrderStatus
from gendan.sales.models import Order, OrderRevision, ReviewItem
from tests.factories import CustomerFactory, ProductFactory
from tests.sales.factories import make_order, order_in

pytestmark = pytest.mark.django_db


def form_data(customer, lines, **extra):
    data = {
        "customer": customer.pk,
        "customer_po": "PO-PAGE-1",
        "order_date": "2026-11-24",
        "ex_factory_date": "2027-01-31",
        "priority": "normal",
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
    }
    for i, line in enumerate(lines):
        for key, value in line.items():
            data[f"lines-{i}-{key}"] = value
    data.update(extra)
    return data


def test_order_list_renders_with_filters_badges_and_totals(page_as, merchandiser) -> None:
    order = make_order(by=merchandiser, customer_po="PO-LIST-1")
    page = page_as(merchandiser).get("/orders/")
    html = page.content.decode()
    assert page.status_code == 200
    assert order.number in html
    assert "badge-grey" in html
    assert "USD 500.00" in html
    filtered = page_as(merchandiser).get("/orders/", {"status": "confirmed"}).content.decode()
    assert order.number not in filtered
    searched = page_as(merchandiser).get("/orders/", {"q": "PO-LIST"}).content.decode()
    assert order.number in searched


def test_the_list_needs_the_view_permission(client, make_user, page_as) -> None:
    assert client.get("/orders/").status_code == 302
    assert page_as(make_user(Role.QC)).get("/orders/").status_code == 200


def test_excel_export_of_the_filtered_list_opens_with_openpyxl(page_as, merchandiser) -> None:
    make_order(by=merchandiser)
    kept = make_order(by=merchandiser, customer_po="ONLY-ME")
    response = page_as(merchandiser).get("/orders/export/", {"q": "ONLY-ME"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2
    assert rows[1][0] == kept.number


def test_create_an_order_with_two_lines_through_the_form(page_as, merchandiser) -> None:
    customer, p1, p2 = CustomerFactory(), ProductFactory(), ProductFactory()
    page = page_as(merchandiser)
    assert page.get("/orders/add/").status_code == 200
    response = page.post(
        "/orders/add/",
        form_data(
            customer,
            [
                {"product": p1.pk, "quantity": "100", "unit_price": "2.5"},
                {"product": p2.pk, "quantity": "40", "unit_price": "10", "packaging_note": "4 per carton"},
                {"product": "", "quantity": "", "unit_price": ""},  # a blank extra row is ignored
            ],
        ),
    )
    order = Order.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/orders/{order.pk}/"
    assert order.lines.count() == 2
    assert str(order.total_amount) == "650.00"
    assert order.merchandiser == merchandiser


def test_an_invalid_form_shows_the_errors_next_to_the_fields_and_writes_nothing(page_as, merchandiser) -> None:
    customer, product = CustomerFactory(), ProductFactory()
    response = page_as(merchandiser).post(
        "/orders/add/",
        form_data(
            customer,
            [{"product": product.pk, "quantity": "0", "unit_price": "1"}],
            ex_factory_date="2026-01-01",
        ),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "has-error" in html
    assert "The quantity must be greater than 0." in html
    assert "The ex-factory date cannot be before the order date." in html
    assert not Order.objects.exists()


def test_a_form_without_lines_says_so(page_as, merchandiser) -> None:
    response = page_as(merchandiser).post("/orders/add/", form_data(CustomerFactory(), []))
    assert "An order needs at least one line." in response.content.decode()


def test_qc_cannot_open_the_new_order_form(page_as, make_user) -> None:
    assert page_as(make_user(Role.QC)).get("/orders/add/").status_code == 403


def edit_data(order, **extra):
    lines = list(order.lines.order_by("position"))
    data = {
        "customer": order.customer_id,
        "customer_po": order.customer_po,
        "order_date": order.order_date.isoformat(),
        "ex_factory_date": order.ex_factory_date.isoformat(),
        "priority": order.priority,
        "currency": order.currency,
        "incoterm": order.incoterm,
        "payment_terms": order.payment_terms,
        "merchandiser": order.merchandiser_id,
        "version": order.version,
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": str(len(lines)),
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
    }
    for i, line in enumerate(lines):
        data.update(
            {
                f"lines-{i}-id": line.pk,
                f"lines-{i}-product": line.product_id,
                f"lines-{i}-quantity": str(line.quantity),
                f"lines-{i}-unit_price": str(line.unit_price),
            }
        )
    data.update(extra)
    return data


def test_editing_a_draft_can_remove_a_line(page_as, merchandiser) -> None:
    order = make_order(by=merchandiser)
    page = page_as(merchandiser)
    assert page.get(f"/orders/{order.pk}/edit/").status_code == 200
    response = page.post(f"/orders/{order.pk}/edit/", edit_data(order, **{"lines-1-DELETE": "on"}))
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.lines.count() == 1
    assert order.version == 2


def test_a_confirmed_order_form_requires_a_change_reason_and_records_a_revision(page_as, merchandiser, manager) -> None:
    order = order_in(OrderStatus.CONFIRMED, by=merchandiser, manager=manager)
    page = page_as(merchandiser)
    assert "change_reason" in page.get(f"/orders/{order.pk}/edit/").content.decode()
    missing = page.post(f"/orders/{order.pk}/edit/", edit_data(order, **{"lines-0-quantity": "130"}))
    assert missing.status_code == 200
    assert "has-error" in missing.content.decode()
    ok = page.post(
        f"/orders/{order.pk}/edit/",
        edit_data(order, **{"lines-0-quantity": "130", "change_reason": "customer wants more"}),
    )
    assert ok.status_code == 302
    assert OrderRevision.objects.get(order=order).reason == "customer wants more"
    detail = page.get(f"/orders/{order.pk}/").content.decode()
    assert 'data-testid="revision"' in detail
    assert "customer wants more" in detail


def test_a_stale_form_shows_a_clear_message(page_as, merchandiser) -> None:
    order = make_order(by=merchandiser)
    data = edit_data(order, remarks="mine")
    page = page_as(merchandiser)
    page.post(f"/orders/{order.pk}/edit/", edit_data(order, remarks="theirs"))
    response = page.post(f"/orders/{order.pk}/edit/", data)
    assert response.status_code == 200
    assert 'data-testid="stale-version"' in response.content.decode()
    order.refresh_from_db()
    assert order.remarks == "theirs"


def test_another_merchandiser_cannot_edit_but_a_manager_can(page_as, merchandiser, manager, make_user) -> None:
    order = make_order(by=merchandiser)
    assert page_as(make_user(Role.MERCHANDISER)).get(f"/orders/{order.pk}/edit/").status_code == 403
    assert page_as(manager).get(f"/orders/{order.pk}/edit/").status_code == 200


def test_the_order_hub_shows_facts_lines_review_and_audit(page_as, merchandiser) -> None:
    order = make_order(by=merchandiser)
    page = page_as(merchandiser)
    page.post(f"/orders/{order.pk}/do/submit/")
    html = page.get(f"/orders/{order.pk}/").content.decode()
    assert 'data-status="in_review"' in html
    assert html.count('data-testid="review-item"') == 7
    assert 'data-testid="audit-trail"' in html
    assert 'data-testid="order-line"' in html
    assert 'data-testid="review-pass"' in html  # the merchandiser answers the completeness item


def test_a_missing_order_page_is_404(page_as, merchandiser) -> None:
    assert page_as(merchandiser).get("/orders/999999/").status_code == 404


def test_buttons_follow_the_allowed_transitions(page_as, merchandiser, manager, make_user) -> None:
    order = make_order(by=merchandiser)
    html = page_as(merchandiser).get(f"/orders/{order.pk}/").content.decode()
    assert 'data-testid="action-submit"' in html
    assert 'data-testid="action-confirm"' not in html
    assert 'data-testid="action-ship"' not in html
    readonly = page_as(make_user(Role.QC)).get(f"/orders/{order.pk}/").content.decode()
    assert 'data-testid="order-actions"' not in readonly


def test_review_and_confirm_through_the_pages(page_as, merchandiser, manager, make_user) -> None:
    order = make_order(by=merchandiser)
    mine = page_as(merchandiser)
    mine.post(f"/orders/{order.pk}/do/submit/")
    items = ReviewItem.objects.filter(order=order)
    wrong = page_as(make_user(Role.QC)).post(
        f"/orders/{order.pk}/review/{items.get(topic='price').pk}/", {"verdict": "pass"}
    )
    assert wrong.status_code == 403
    boss = page_as(manager)
    for item in items:
        response = boss.post(f"/orders/{order.pk}/review/{item.pk}/", {"verdict": "pass", "comment": "ok"})
        assert response.status_code == 302
    assert 'data-testid="action-confirm"' in mine.get(f"/orders/{order.pk}/").content.decode()
    mine.post(f"/orders/{order.pk}/do/confirm/")
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED


def test_htmx_review_decision_swaps_the_panel(page_as, merchandiser, manager) -> None:
    order = make_order(by=merchandiser)
    page_as(merchandiser).post(f"/orders/{order.pk}/do/submit/")
    item = ReviewItem.objects.filter(order=order).first()
    response = page_as(manager).post(
        f"/orders/{order.pk}/review/{item.pk}/", {"verdict": "pass"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert 'data-testid="review-panel"' in response.content.decode()
    assert "<html" not in response.content.decode()


def test_a_refused_action_shows_a_message_and_changes_nothing(page_as, merchandiser) -> None:
    order = make_order(by=merchandiser)
    page = page_as(merchandiser)
    response = page.post(f"/orders/{order.pk}/do/cancel/", {"reason": ""}, follow=True)
    assert "Give a reason." in response.content.decode()
    order.refresh_from_db()
    assert order.status == OrderStatus.DRAFT
    assert page.post(f"/orders/{order.pk}/do/nonsense/").status_code == 404


def test_a_manager_overrides_through_the_page_with_a_reason(page_as, merchandiser, manager) -> None:
    order = make_order(by=merchandiser)
    page_as(merchandiser).post(f"/orders/{order.pk}/do/submit/")
    html = page_as(manager).get(f"/orders/{order.pk}/").content.decode()
    assert 'data-testid="reason-confirm"' in html
    page_as(manager).post(f"/orders/{order.pk}/do/confirm/", {"reason": "urgent key customer"})
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    assert order.review_override_reason == "urgent key customer"


def test_attachments_upload_through_the_page(page_as, merchandiser) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    order = make_order(by=merchandiser)
    page = page_as(merchandiser)
    response = page.post(f"/orders/{order.pk}/attachments/", {"file": SimpleUploadedFile("swatch.jpg", b"jpg")})
    assert response.status_code == 302
    assert "swatch.jpg" in page.get(f"/orders/{order.pk}/").content.decode()


def test_dashboard_shows_the_review_queue_and_my_open_orders(page_as, merchandiser, make_user) -> None:
    order = make_order(by=merchandiser)
    page_as(merchandiser).post(f"/orders/{order.pk}/do/submit/")
    planner_page = page_as(make_user(Role.PLANNER)).get("/").content.decode()
    assert 'data-testid="panel-reviews"' in planner_page
    assert order.number in planner_page
    mine = page_as(merchandiser).get("/").content.decode()
    assert 'data-testid="panel-my-orders"' in mine


def test_change_notification_links_to_the_order_page(page_as, merchandiser, manager, make_user) -> None:
    planner = make_user(Role.PLANNER)
    order = order_in(OrderStatus.CONFIRMED, by=merchandiser, manager=manager)
    page_as(merchandiser).post(
        f"/orders/{order.pk}/edit/", edit_data(order, **{"lines-0-quantity": "101", "change_reason": "one more"})
    )
    note = Notification.objects.get(recipient=planner, title__contains="rev 1")
    assert page_as(planner).get(note.url).status_code == 200
