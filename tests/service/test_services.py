"""Complaints' services: registering, routing, investigation, actions, the answer, the customer's verification, the
settlement reaching finance, the rejection — and every refusal writes nothing."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms.models import model_to_dict

from gendan.core.exceptions import PermissionDenied, StaleVersion, TransitionNotAllowed, ValidationError
from gendan.core.models import Attachment, Notification, ObjectChange, User
from gendan.finance.models import CreditNote, Invoice
from gendan.sales import services as sales_services
from gendan.sales.models import Order, ReviewItem
from gendan.service import services
from gendan.service.models import Complaint, ComplaintAction, ComplaintLine, RootCause
from tests.conftest import TODAY
from tests.factories import CustomerFactory, ProductFactory
from tests.sales.factories import make_order
from tests.service.conftest import walk, wd


@contextmanager
def unchanged(complaint: Complaint | None = None) -> Iterator[None]:
    """The block must write nothing: the complaint as it was, no audit, no action, line, notification, credit note,
    order."""
    counts = lambda: (  # noqa: E731
        ObjectChange.objects.count(),
        ComplaintAction.objects.count(),
        ComplaintLine.objects.count(),
        Notification.objects.count(),
        CreditNote.objects.count(),
        Complaint.objects.count(),
        Attachment.objects.count(),
        Order.objects.count(),
        list(ComplaintAction.objects.values_list("version", "done_date", "owner_id")),
    )
    before = counts()
    state = model_to_dict(Complaint.objects.get(pk=complaint.pk)) if complaint else None
    yield
    assert counts() == before
    if complaint is not None:
        assert model_to_dict(Complaint.objects.get(pk=complaint.pk)) == state


# ---- registering -------------------------------------------------------------------------------------------------


def test_a_complaint_against_an_order_takes_its_customer_currency_and_merchandiser(
    register: Callable[..., Complaint], order: Order, qc: User, merchandiser: User
) -> None:
    complaint = register(by=qc)
    assert complaint.number == "CP-2026-00001"
    assert complaint.customer == order.customer
    assert complaint.currency == order.currency == "USD"
    assert complaint.owner == merchandiser  # the order's merchandiser follows it
    assert complaint.created_by == qc
    assert complaint.status == "registered"
    assert complaint.claim_amount == Decimal("120.00")
    line = complaint.lines.get()
    assert (line.product, line.quantity, line.defect) == (order.lines.first().product, Decimal("12.000"), "open seam")
    assert ObjectChange.objects.filter(object_id=complaint.pk, action="create").exists()
    # the merchandiser hears of it
    assert Notification.objects.filter(recipient=merchandiser, title__contains=complaint.number).exists()


def test_a_complaint_from_a_customer_without_an_order(merchandiser: User, customer: Any) -> None:
    product = ProductFactory()
    complaint = services.create_complaint(
        by=merchandiser,
        data={
            "customer_id": customer.pk,
            "channel": "phone",
            "description": "The catalogue prices are wrong\nand more",
            "lines": [{"product_id": product.pk, "quantity": "5"}],
        },
    )
    assert complaint.title == "The catalogue prices are wrong"
    assert complaint.currency == customer.currency
    assert complaint.owner == merchandiser
    assert complaint.lines.get().order_line is None
    assert complaint.received_date == TODAY


def test_photos_come_with_the_registration(merchandiser: User, order: Order) -> None:
    photo = SimpleUploadedFile("seam.jpg", b"jpeg-bytes", content_type="image/jpeg")
    complaint = services.create_complaint(
        by=merchandiser, data={"order_id": order.pk, "description": "Open seams"}, photos=[photo]
    )
    assert [a.name for a in Attachment.objects.filter(object_id=complaint.pk)] == ["seam.jpg"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"description": ""}, "description"),
        ({"order_id": 999999}, "order_id"),
        ({"received_date": "2026-12-01"}, "received_date"),
        ({"received_date": "24/11/2026"}, "received_date"),
        ({"severity": "huge"}, "severity"),
        ({"channel": "fax"}, "channel"),
        ({"claim_amount": "-1"}, "claim_amount"),
        ({"claim_amount": "1.234"}, "claim_amount"),
        ({"currency": "EUR"}, "currency"),
        ({"owner": "nobody"}, "owner"),
        ({"lines": [{"quantity": "1"}]}, "lines.1.product_id"),
        ({"lines": [{"order_line_id": 999999, "quantity": "1"}]}, "lines.1.order_line_id"),
        ({"lines": "x"}, "lines"),
    ],
)
def test_registering_refuses_bad_input_and_writes_nothing(
    register: Callable[..., Complaint], order: Order, data: dict[str, Any], field: str
) -> None:
    register()  # a first one, so the counters are not empty
    with unchanged(), pytest.raises(ValidationError) as exc:
        register(**data)
    assert field in exc.value.errors


def test_a_product_not_on_the_order_or_more_than_ordered_is_refused(
    register: Callable[..., Complaint], order: Order
) -> None:
    other = ProductFactory()
    line = order.lines.order_by("position").first()
    with unchanged(), pytest.raises(ValidationError) as exc:
        register(lines=[{"product_id": other.pk, "quantity": "1"}])
    assert "has no" in exc.value.errors["lines.1.product_id"][0]
    with unchanged(), pytest.raises(ValidationError) as exc:
        register(lines=[{"order_line_id": line.pk, "quantity": "101"}])
    assert "lines.1.quantity" in exc.value.errors
    with unchanged(), pytest.raises(ValidationError) as exc:
        register(lines=[{"order_line_id": line.pk, "quantity": "1"}, {"product_id": line.product_id, "quantity": "2"}])
    assert "twice" in exc.value.errors["lines.2.product_id"][0]


def test_an_order_of_another_customer_or_a_draft_order_is_refused(
    register: Callable[..., Complaint], merchandiser: User, order: Order
) -> None:
    other = CustomerFactory()
    with unchanged(), pytest.raises(ValidationError) as exc:
        register(customer_id=other.pk)
    assert "customer_id" in exc.value.errors
    draft = make_order(by=merchandiser, customer=order.customer)
    with unchanged(), pytest.raises(ValidationError) as exc:
        register(order_id=draft.pk, lines=[])
    assert "order_id" in exc.value.errors


def test_a_shipment_must_carry_the_order(
    register: Callable[..., Complaint], shipment: Any, merchandiser: User, manager: User, order: Order
) -> None:
    complaint = register(shipment_id=shipment.pk, lot="L-2611")
    assert complaint.shipment == shipment
    assert complaint.lot == "L-2611"
    from tests.finance.factories import confirmed_order

    other = confirmed_order(by=merchandiser, manager=manager, customer=order.customer)
    with unchanged(), pytest.raises(ValidationError) as exc:
        register(order_id=other.pk, shipment_id=shipment.pk, lines=[])
    assert "carries nothing" in exc.value.errors["shipment_id"][0]


def test_who_may_register(register: Callable[..., Complaint], make_user: Callable[..., User]) -> None:
    for role in ("purchasing", "finance", "shipping"):
        with unchanged(), pytest.raises(PermissionDenied):
            register(by=make_user(role))
    for role in ("sales", "qc", "manager"):
        assert register(by=make_user(role)).pk


def test_correcting_the_facts_replaces_the_products_and_checks_the_version(
    register: Callable[..., Complaint], merchandiser: User, order: Order
) -> None:
    complaint = register()
    second = order.lines.order_by("position").last()
    updated = services.update_complaint(
        complaint=complaint,
        by=merchandiser,
        data={"claim_amount": "150", "lines": [{"order_line_id": second.pk, "quantity": "20"}]},
        version=complaint.version,
    )
    assert updated.version == complaint.version + 1
    assert updated.claim_amount == Decimal("150.00")
    assert list(updated.lines.values_list("order_line_id", "quantity")) == [(second.pk, Decimal("20.000"))]
    change = ObjectChange.objects.filter(object_id=complaint.pk, action="update").latest("id")
    assert set(change.changes) == {"claim_amount", "lines"}
    with unchanged(updated), pytest.raises(StaleVersion):
        services.update_complaint(complaint=updated, by=merchandiser, data={"lot": "x"}, version=complaint.version)


def test_the_facts_are_kept_once_answered(register: Callable[..., Complaint], merchandiser: User) -> None:
    complaint = walk(register(), "answered", by=merchandiser)
    with unchanged(complaint), pytest.raises(TransitionNotAllowed):
        services.update_complaint(complaint=complaint, by=merchandiser, data={"lot": "x"})


def test_the_customer_is_kept_once_routed(
    register: Callable[..., Complaint], merchandiser: User, customer: Any
) -> None:
    complaint = walk(register(order_id=None, customer_id=customer.pk, lines=[]), "routed", by=merchandiser)
    with unchanged(complaint), pytest.raises(ValidationError) as exc:
        services.update_complaint(complaint=complaint, by=merchandiser, data={"customer_id": CustomerFactory().pk})
    assert "customer_id" in exc.value.errors


# ---- routing -----------------------------------------------------------------------------------------------------


def test_routing_sets_the_person_department_and_a_due_date_by_severity(
    register: Callable[..., Complaint], merchandiser: User, qc: User
) -> None:
    complaint = register(severity="critical")
    routed = services.route_complaint(complaint=complaint, by=merchandiser, responsible="qc1")
    assert routed.status == "routed"
    assert routed.responsible == qc
    assert routed.department == qc.department
    assert routed.department.code == "quality"
    assert routed.due_date == wd(2)  # critical: 2 working days
    assert routed.routed_date == TODAY
    note = Notification.objects.get(recipient=qc)
    assert complaint.number in note.title
    assert wd(2).isoformat() in note.title
    assert note.url == f"/service/{complaint.pk}/"


def test_routing_again_hands_over_and_keeps_the_investigation_going(
    register: Callable[..., Complaint], merchandiser: User, qc: User, planner: User
) -> None:
    complaint = walk(register(), "investigating", by=merchandiser, responsible=qc)
    moved = services.route_complaint(
        complaint=complaint, by=merchandiser, responsible=planner.username, due_date=wd(8), department="production"
    )
    assert (moved.status, moved.responsible, moved.due_date, moved.department.code) == (
        "investigating",
        planner,
        wd(8),
        "production",
    )
    assert Notification.objects.filter(recipient=planner).count() == 1


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"responsible": ""}, "responsible"),
        ({"responsible": "nobody"}, "responsible"),
        ({"responsible": "fin1"}, "responsible"),  # finance only views complaints
        ({"responsible": "qc1", "due_date": "2026-11-20"}, "due_date"),
        ({"responsible": "qc1", "department": "nowhere"}, "department"),
    ],
)
def test_routing_refuses_bad_input(
    register: Callable[..., Complaint], merchandiser: User, qc: User, finance_user: User, kw: dict, field: str
) -> None:
    complaint = register()
    with unchanged(complaint), pytest.raises(ValidationError) as exc:
        services.route_complaint(complaint=complaint, by=merchandiser, **kw)
    assert field in exc.value.errors


def test_routing_a_closed_or_rejected_complaint_is_refused(
    register: Callable[..., Complaint], merchandiser: User, qc: User
) -> None:
    complaint = services.reject_complaint(complaint=register(), by=merchandiser, reason="Not our goods")
    with unchanged(complaint), pytest.raises(TransitionNotAllowed) as exc:
        services.route_complaint(complaint=complaint, by=merchandiser, responsible=qc)
    assert "Rejected" in exc.value.message
    assert "Routed" in exc.value.message


def test_finance_may_not_route(register: Callable[..., Complaint], finance_user: User, qc: User) -> None:
    complaint = register()
    with unchanged(complaint), pytest.raises(PermissionDenied):
        services.route_complaint(complaint=complaint, by=finance_user, responsible=qc)


# ---- investigation and actions -----------------------------------------------------------------------------------


def test_the_investigation_starts_the_investigating_status(
    register: Callable[..., Complaint], merchandiser: User, qc: User
) -> None:
    complaint = walk(register(), "routed", by=merchandiser, responsible=qc)
    saved = services.save_investigation(
        complaint=complaint, by=qc, root_cause="material", cause_detail="Thread of the wrong tex"
    )
    assert saved.status == "investigating"
    assert saved.root_cause.code == "material"
    with unchanged(saved), pytest.raises(ValidationError) as exc:
        services.save_investigation(complaint=saved, by=qc, root_cause="gremlins")
    assert "root_cause" in exc.value.errors
    RootCause.objects.filter(code="design").update(is_active=False)
    with unchanged(saved), pytest.raises(ValidationError):
        services.save_investigation(complaint=saved, by=qc, root_cause="design")


def test_the_investigation_is_written_only_while_routed_or_investigating(
    register: Callable[..., Complaint], merchandiser: User
) -> None:
    complaint = register()
    with unchanged(complaint), pytest.raises(TransitionNotAllowed):
        services.save_investigation(complaint=complaint, by=merchandiser, root_cause="method")


def test_an_action_notifies_its_owner_and_completing_it_needs_a_result(
    register: Callable[..., Complaint], merchandiser: User, qc: User, planner: User
) -> None:
    complaint = walk(register(), "routed", by=merchandiser, responsible=qc)
    action = services.add_action(
        complaint=complaint,
        by=qc,
        data={"kind": "containment", "description": "Sort the stock", "owner": "pmc1", "due_date": wd(1)},
    )
    complaint.refresh_from_db()
    assert complaint.status == "investigating"  # an action starts the investigation
    assert action.position == 1
    assert Notification.objects.filter(recipient=planner, title__contains="Containment").exists()
    with unchanged(complaint), pytest.raises(ValidationError) as exc:
        services.complete_action(action=action, by=planner, result="")
    assert "result" in exc.value.errors
    with unchanged(complaint), pytest.raises(ValidationError):
        services.complete_action(action=action, by=planner, result="ok", day=wd(1))
    done = services.complete_action(action=action, by=planner, result="240 sorted, 12 bad", version=action.version)
    assert done.done_date == TODAY
    assert done.version == action.version + 1
    with unchanged(complaint), pytest.raises(TransitionNotAllowed):
        services.complete_action(action=done, by=planner, result="again")
    with unchanged(complaint), pytest.raises(TransitionNotAllowed):
        services.update_action(action=done, by=planner, data={"description": "x"})


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "magic"}, "kind"),
        ({"description": ""}, "description"),
        ({"owner": ""}, "owner"),
        ({"owner": "fin1"}, "owner"),
        ({"due_date": ""}, "due_date"),
        ({"due_date": "2026-11-23"}, "due_date"),
    ],
)
def test_adding_an_action_refuses_bad_input(
    register: Callable[..., Complaint], merchandiser: User, qc: User, finance_user: User, data: dict, field: str
) -> None:
    complaint = walk(register(), "routed", by=merchandiser, responsible=qc)
    values = {"kind": "corrective", "description": "Fix", "owner": "qc1", "due_date": wd(3)}
    values.update(data)
    with unchanged(complaint), pytest.raises(ValidationError) as exc:
        services.add_action(complaint=complaint, by=qc, data=values)
    assert field in exc.value.errors


def test_no_action_before_routing_nor_after_closing(register: Callable[..., Complaint], merchandiser: User) -> None:
    complaint = register()
    data = {"kind": "corrective", "description": "Fix", "owner": merchandiser.username, "due_date": wd(3)}
    with unchanged(complaint), pytest.raises(TransitionNotAllowed):
        services.add_action(complaint=complaint, by=merchandiser, data=data)
    closed = walk(complaint, "closed", by=merchandiser)
    with unchanged(closed), pytest.raises(TransitionNotAllowed):
        services.add_action(complaint=closed, by=merchandiser, data=data)


def test_a_new_owner_of_an_action_is_notified(
    register: Callable[..., Complaint], merchandiser: User, qc: User, planner: User
) -> None:
    complaint = walk(register(), "investigating", by=merchandiser, responsible=qc)
    action = complaint.actions.get()
    moved = services.update_action(
        action=action, by=qc, data={"owner": "pmc1", "due_date": wd(9)}, version=action.version
    )
    assert (moved.owner, moved.due_date) == (planner, wd(9))
    assert Notification.objects.filter(recipient=planner).count() == 1
    with unchanged(complaint), pytest.raises(StaleVersion):
        services.update_action(action=moved, by=qc, data={"description": "x"}, version=action.version)


# ---- answer, verification ----------------------------------------------------------------------------------------


def test_the_answer_needs_the_root_cause_and_a_corrective_action(
    register: Callable[..., Complaint], merchandiser: User, qc: User
) -> None:
    complaint = walk(register(), "routed", by=merchandiser, responsible=qc)
    services.start_investigation(complaint=complaint, by=qc)
    complaint.refresh_from_db()
    with unchanged(complaint), pytest.raises(ValidationError) as exc:
        services.answer_complaint(complaint=complaint, by=qc)
    assert set(exc.value.errors) == {"root_cause", "cause_detail", "actions"}
    services.add_action(
        complaint=complaint,
        by=qc,
        data={"kind": "containment", "description": "Sort", "owner": "qc1", "due_date": wd(1)},
    )
    services.save_investigation(complaint=complaint, by=qc, root_cause="method", cause_detail="why")
    complaint.refresh_from_db()
    with unchanged(complaint), pytest.raises(ValidationError) as exc:
        services.answer_complaint(complaint=complaint, by=qc)
    assert set(exc.value.errors) == {"actions"}  # containment is not a correction


def test_answering_records_the_date_language_and_offer(
    register: Callable[..., Complaint], merchandiser: User, qc: User
) -> None:
    complaint = walk(register(), "investigating", by=merchandiser, responsible=qc)
    answered = services.answer_complaint(
        complaint=complaint, by=qc, answer_text="We are sorry", settlement_offer="Credit 30 USD", language="zh"
    )
    assert (answered.status, answered.answered_date, answered.answer_language) == ("answered", TODAY, "zh")
    assert answered.settlement_offer == "Credit 30 USD"
    with unchanged(answered), pytest.raises(TransitionNotAllowed):
        services.answer_complaint(complaint=answered, by=qc)


def test_sending_the_answer_mails_the_8d_pdf(register: Callable[..., Complaint], merchandiser: User, qc: User) -> None:
    complaint = walk(register(customer_reference="NCR-77"), "answered", by=merchandiser, responsible=qc)
    with unchanged(complaint), pytest.raises(ValidationError) as exc:
        services.send_answer(complaint=complaint, by=qc, to="anna@, bob@example.com")
    assert "to" in exc.value.errors
    sent = services.send_answer(complaint=complaint, by=qc, to="anna@northwind.example; bob@example.com", language="en")
    assert sent.answer_sent_to == "anna@northwind.example, bob@example.com"
    (message,) = mail.outbox
    assert message.to == ["anna@northwind.example", "bob@example.com"]
    assert complaint.number in message.subject
    assert "NCR-77" in message.subject
    name, content, kind = message.attachments[0]
    assert name == f"{complaint.number}-8D-en.pdf"
    assert kind == "application/pdf"
    assert content.startswith(b"%PDF")


def test_the_answer_is_not_sent_before_it_is_recorded(register: Callable[..., Complaint], merchandiser: User) -> None:
    complaint = register()
    with unchanged(complaint), pytest.raises(TransitionNotAllowed):
        services.send_answer(complaint=complaint, by=merchandiser, to="a@example.com")
    assert mail.outbox == []


def test_an_answer_not_accepted_goes_back_to_investigation_and_tells_the_responsible(
    register: Callable[..., Complaint], merchandiser: User, qc: User
) -> None:
    complaint = walk(register(), "answered", by=merchandiser, responsible=qc)
    with unchanged(complaint), pytest.raises(ValidationError) as exc:
        services.verify_complaint(complaint=complaint, by=merchandiser, accepted=False)
    assert "comment" in exc.value.errors
    back = services.verify_complaint(
        complaint=complaint, by=merchandiser, accepted=False, comment="They want the root cause at the supplier"
    )
    assert (back.status, back.not_accepted_count) == ("investigating", 1)
    assert Notification.objects.filter(recipient=qc, title__contains="does not accept").exists()
    again = services.answer_complaint(complaint=back, by=qc)
    verified = services.verify_complaint(complaint=again, by=merchandiser, accepted=True, comment="OK by mail")
    assert (verified.status, verified.verified_date) == ("verified", TODAY)


def test_verification_dates_are_checked(register: Callable[..., Complaint], merchandiser: User) -> None:
    complaint = walk(register(), "answered", by=merchandiser)
    for day in ("2026-11-25", "2026-11-20"):
        with unchanged(complaint), pytest.raises(ValidationError) as exc:
            services.verify_complaint(complaint=complaint, by=merchandiser, accepted=True, day=day)
        assert "date" in exc.value.errors


# ---- settlement --------------------------------------------------------------------------------------------------


def test_closing_with_a_credit_note_issues_it_in_finance_and_applies_it_to_the_order(
    register: Callable[..., Complaint], merchandiser: User, manager: User, qc: User, shipment: Any, order: Order
) -> None:
    invoice = Invoice.objects.filter(order=order).exclude(status="cancelled").order_by("-pk").first()
    assert invoice is not None  # raised by the departure
    open_before = invoice.open_amount
    complaint = walk(register(), "verified", by=merchandiser, responsible=qc)
    action = complaint.actions.get()
    services.complete_action(action=action, by=qc, result="Allowance 10 mm from lot L-2612")
    closed = services.close_complaint(
        complaint=complaint, by=manager, credit_amount="30", note="30 USD off the invoice", version=complaint.version
    )
    assert (closed.status, closed.closed_date, closed.credit_amount) == ("closed", TODAY, Decimal("30.00"))
    note = CreditNote.objects.get()
    assert (closed.credit_note_id, closed.credit_note_number) == (note.pk, note.number)
    assert (note.customer, note.order, note.currency, note.amount) == (
        order.customer,
        order,
        "USD",
        Decimal("30.00"),
    )
    assert note.reference == closed.number
    assert closed.number in note.reason
    invoice.refresh_from_db()
    assert invoice.open_amount == open_before - Decimal("30.00")


def test_a_settlement_is_a_managers_and_closing_needs_every_action_done(
    register: Callable[..., Complaint], merchandiser: User, manager: User, qc: User
) -> None:
    complaint = walk(register(), "verified", by=merchandiser, responsible=qc)
    with unchanged(complaint), pytest.raises(ValidationError) as exc:
        services.close_complaint(complaint=complaint, by=manager)
    assert "#1 Corrective" in exc.value.errors["actions"][0]
    services.complete_action(action=complaint.actions.get(), by=qc, result="done")
    for kw in ({"credit_amount": "10"}, {"replacement_qty": "12", "replacement_value": "30"}, {"discount_pct": "3"}):
        with unchanged(complaint), pytest.raises(PermissionDenied):
            services.close_complaint(complaint=complaint, by=merchandiser, **kw)
    closed = services.close_complaint(complaint=complaint, by=merchandiser, note="No claim after all")
    assert closed.status == "closed"
    assert not closed.has_settlement
    assert CreditNote.objects.count() == 0


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"credit_amount": "-5"}, "credit_amount"),
        ({"credit_amount": "120.001"}, "credit_amount"),
        ({"credit_amount": "121"}, "credit_amount"),  # more than claimed
        ({"discount_pct": "100"}, "discount_pct"),
        ({"discount_pct": "x"}, "discount_pct"),
        ({"replacement_qty": "-1"}, "replacement_qty"),
    ],
)
def test_closing_refuses_bad_settlements(
    register: Callable[..., Complaint], merchandiser: User, manager: User, kw: dict, field: str
) -> None:
    complaint = walk(register(), "verified", by=merchandiser)
    services.complete_action(action=complaint.actions.get(), by=merchandiser, result="done")
    with unchanged(complaint), pytest.raises(ValidationError) as exc:
        services.close_complaint(complaint=complaint, by=manager, **kw)
    assert field in exc.value.errors


def test_a_replacement_is_valued_at_the_order_price_by_default(
    register: Callable[..., Complaint], merchandiser: User, manager: User
) -> None:
    complaint = walk(register(), "verified", by=merchandiser)
    services.complete_action(action=complaint.actions.get(), by=merchandiser, result="done")
    closed = services.close_complaint(complaint=complaint, by=manager, replacement_qty="12")
    assert (closed.replacement_qty, closed.replacement_value) == (Decimal("12.000"), Decimal("30.00"))  # 12 × 2.50


def test_a_replacement_without_an_order_needs_its_value(merchandiser: User, manager: User, customer: Any) -> None:
    complaint = services.create_complaint(by=merchandiser, data={"customer_id": customer.pk, "description": "Bad"})
    complaint = walk(complaint, "verified", by=merchandiser)
    services.complete_action(action=complaint.actions.get(), by=merchandiser, result="done")
    with unchanged(complaint), pytest.raises(ValidationError) as exc:
        services.close_complaint(complaint=complaint, by=manager, replacement_qty="5")
    assert "replacement_value" in exc.value.errors


def test_a_finance_refusal_leaves_the_complaint_open(
    register: Callable[..., Complaint], merchandiser: User, manager: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    complaint = walk(register(), "verified", by=merchandiser)
    services.complete_action(action=complaint.actions.get(), by=merchandiser, result="done")
    complaint.refresh_from_db()
    import gendan.finance.credit_notes as credit_notes

    def refuse(**kw: Any) -> None:
        raise ValidationError({"amount": "finance says no"})

    monkeypatch.setattr(credit_notes, "issue_credit_note", refuse)
    with unchanged(complaint), pytest.raises(ValidationError):
        services.close_complaint(complaint=complaint, by=manager, credit_amount="10")


def test_a_discount_reaches_the_next_orders_contract_review_once(
    register: Callable[..., Complaint], merchandiser: User, manager: User, order: Order
) -> None:
    complaint = walk(register(), "verified", by=merchandiser)
    services.complete_action(action=complaint.actions.get(), by=merchandiser, result="done")
    services.close_complaint(complaint=complaint, by=manager, discount_pct="3")
    following = sales_services.submit_order(order=make_order(by=merchandiser, customer=order.customer), by=merchandiser)
    price_item = ReviewItem.objects.get(order=following, topic="price")
    assert f"Complaint {complaint.number} agreed a 3 % discount on this order." in price_item.comment
    complaint.refresh_from_db()
    assert complaint.discount_order == following
    # the one after does not get it again
    later = sales_services.submit_order(order=make_order(by=merchandiser, customer=order.customer), by=merchandiser)
    assert complaint.number not in ReviewItem.objects.get(order=later, topic="price").comment
    # another customer's order never did
    stranger = sales_services.submit_order(order=make_order(by=merchandiser), by=merchandiser)
    assert "Complaint" not in ReviewItem.objects.get(order=stranger, topic="price").comment


def test_closing_before_verification_is_refused(
    register: Callable[..., Complaint], merchandiser: User, manager: User
) -> None:
    complaint = walk(register(), "answered", by=merchandiser)
    with unchanged(complaint), pytest.raises(TransitionNotAllowed):
        services.close_complaint(complaint=complaint, by=manager)


# ---- rejection ---------------------------------------------------------------------------------------------------


def test_a_rejection_needs_a_reason_and_only_before_the_answer(
    register: Callable[..., Complaint], merchandiser: User
) -> None:
    complaint = register()
    with unchanged(complaint), pytest.raises(ValidationError) as exc:
        services.reject_complaint(complaint=complaint, by=merchandiser, reason="  ")
    assert "reason" in exc.value.errors
    rejected = services.reject_complaint(complaint=complaint, by=merchandiser, reason="Misuse: washed at 90 °C")
    assert (rejected.status, rejected.rejected_date, rejected.reject_reason) == (
        "rejected",
        TODAY,
        "Misuse: washed at 90 °C",
    )
    answered = walk(register(), "answered", by=merchandiser)
    with unchanged(answered), pytest.raises(TransitionNotAllowed):
        services.reject_complaint(complaint=answered, by=merchandiser, reason="late")


def test_every_transition_is_audited_with_old_and_new_status(
    register: Callable[..., Complaint], merchandiser: User
) -> None:
    complaint = walk(register(), "closed", by=merchandiser)
    moves = [
        tuple(c.changes["status"])
        for c in ObjectChange.objects.filter(
            content_type__model="complaint", object_id=complaint.pk, action="transition"
        ).order_by("id")
    ]
    assert moves == [
        ("registered", "routed"),
        ("routed", "investigating"),
        ("investigating", "answered"),
        ("answered", "verified"),
        ("verified", "closed"),
    ]


# ---- root causes -------------------------------------------------------------------------------------------------


def test_the_root_cause_list_is_maintained_by_managers(manager: User, merchandiser: User) -> None:
    assert RootCause.objects.filter(code__in=["man", "machine", "material", "method", "transport"]).count() == 5
    cause = services.save_root_cause(by=manager, data={"code": "labelling", "name_zh": "标签", "name_en": "Labelling"})
    assert cause.position > RootCause.objects.get(code="other").position
    with pytest.raises(ValidationError):
        services.save_root_cause(by=manager, data={"code": "labelling", "name_zh": "x"})
    with pytest.raises(ValidationError):
        services.save_root_cause(by=manager, data={"code": "Bad Code", "name_zh": "x"})
    with pytest.raises(PermissionDenied):
        services.save_root_cause(by=merchandiser, data={"code": "x", "name_zh": "x"})
    changed = services.save_root_cause(by=manager, cause=cause, data={"is_active": False, "name_en": "Labels"})
    assert (changed.is_active, changed.name_en, changed.code) == (False, "Labels", "labelling")
    assert services.ensure_default_causes() == 0
