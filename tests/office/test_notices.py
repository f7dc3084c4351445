"""Notices and meeting minutes (通知, 会议纪要): recipients from departments, users and suppliers; read receipts;
the suppliers' links (valid, expired, withdrawn, altered, acknowledged) and their e-mail; withdrawing."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from gendan.core import clock, links
from gendan.core.choices import Role
from gendan.core.exceptions import NotFound, PermissionDenied, StaleVersion, TransitionNotAllowed, ValidationError
from gendan.core.models import Attachment, ExternalLink, Notification, ObjectChange
from gendan.office import selectors, services
from gendan.office.models import Notice, NoticeRecipient
from tests.conftest import TODAY
from tests.factories import SupplierFactory

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def parties(notice):  # noqa: ANN001, ANN201
    return sorted(
        r.user.username if r.user_id else r.supplier.code for r in notice.recipients.select_related("user", "supplier")
    )


def test_a_notice_reaches_the_departments_users_and_factories(
    send_notice, manager, merchandiser, buyer, qc, make_user, factory, django_capture_on_commit_callbacks
):
    other_merch = make_user(Role.MERCHANDISER, username="mer2")
    with django_capture_on_commit_callbacks(execute=True):
        notice = send_notice(
            departments=["merchandising"], users=[qc.username, merchandiser.username], supplier_ids=[factory.pk]
        )
    assert notice.number == "NT-2026-00001"
    assert (notice.status, notice.sender, notice.sent_date) == ("sent", manager, TODAY)
    assert parties(notice) == ["S-FA09", "mer1", "mer2", "qc1"]  # the buyer's department was not chosen
    receipt = NoticeRecipient.objects.get(notice=notice, user=other_merch)
    assert receipt.department.code == "merchandising"
    assert NoticeRecipient.objects.get(notice=notice, user=qc).department is None
    titles = set(Notification.objects.filter(title__contains="Holiday").values_list("recipient__username", flat=True))
    assert titles == {"mer1", "mer2", "qc1"}
    # the factory's link, e-mailed to its contact in Chinese
    r = NoticeRecipient.objects.get(notice=notice, supplier=factory)
    assert r.link is not None
    assert r.link.purpose == services.LINK_PURPOSE
    assert r.emailed_to == "zhang@haining.example"
    [email] = [m for m in mail.outbox if m.to == ["zhang@haining.example"]]
    token = links.token_for(r.link)
    assert f"/office/n/{token}/" in email.body
    assert "Holiday schedule" in email.subject
    assert "海宁缝制厂" in email.body
    assert email.reply_to == [manager.email]
    assert buyer.username not in parties(notice)


def test_the_sender_is_never_a_recipient_of_their_own_department(send_notice, manager, make_user):
    colleague = make_user(Role.MANAGER, username="boss2")
    notice = send_notice(departments=["management"])
    assert parties(notice) == [colleague.username]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": ""}, "title"),
        ({"body": " "}, "body"),
        ({"kind": "memo"}, "kind"),
        ({"kind": "minutes"}, "meeting_date"),
        ({"kind": "minutes", "meeting_date": "2026-11-25"}, "meeting_date"),
        ({"departments": ["nowhere"]}, "departments"),
        ({"users": ["nobody"]}, "users"),
        ({"supplier_ids": [999999]}, "supplier_ids"),
        ({}, "recipients"),
    ],
)
def test_bad_input_names_the_field_and_sends_nothing(send_notice, merchandiser, data, field):
    values = {"users": [merchandiser.username], **data}
    if field == "recipients":
        values.pop("users")
    with pytest.raises(ValidationError) as exc:
        send_notice(**values)
    assert field in exc.value.errors
    assert not Notice.objects.exists()
    assert not Notification.objects.filter(title__contains="Holiday").exists()


def test_a_department_with_nobody_in_it_is_refused(send_notice):
    with pytest.raises(ValidationError) as exc:
        send_notice(departments=["finance"])
    assert "recipients" in exc.value.errors
    assert not Notice.objects.exists()


def test_an_inactive_supplier_is_refused(send_notice):
    gone = SupplierFactory(code="S-OLD", is_active=False)
    with pytest.raises(ValidationError) as exc:
        send_notice(supplier_ids=[gone.pk])
    assert exc.value.errors == {"supplier_ids": ["S-OLD is inactive."]}


def test_only_those_with_the_permission_send_notices(send_notice, merchandiser, make_user):
    from django.contrib.auth.models import Group

    nobody = make_user(Role.FINANCE, username="temp")
    nobody.groups.set([Group.objects.get_or_create(name="nothing")[0]])
    with pytest.raises(PermissionDenied):
        send_notice(by=nobody, users=[merchandiser.username])


def test_minutes_keep_their_meeting(send_notice, merchandiser):
    minutes = send_notice(
        kind="minutes",
        title="Production meeting",
        meeting_date="2026-11-23",
        location="Room 2",
        attendees="Wang, Li, Wu",
        users=[merchandiser.username],
    )
    assert (minutes.kind, minutes.meeting_date, minutes.location) == ("minutes", dt.date(2026, 11, 23), "Room 2")


def test_files_go_with_the_notice(manager, merchandiser):
    notice = services.create_notice(
        by=manager,
        data={"title": "Drawings", "body": "See the files", "users": [merchandiser.username]},
        files=[SimpleUploadedFile("schedule.csv", b"a,b\n1,2\n"), SimpleUploadedFile("photo.jpg", b"\xff\xd8")],
    )
    assert [a.name for a in selectors.files_of(notice)] == ["schedule.csv", "photo.jpg"]


def test_a_file_too_large_sends_nothing(manager, merchandiser, monkeypatch):
    from gendan.core import services as core_services

    monkeypatch.setattr(core_services, "MAX_ATTACHMENT_BYTES", 3)
    with pytest.raises(ValidationError) as exc:
        services.create_notice(
            by=manager,
            data={"title": "Drawings", "body": "See the files", "users": [merchandiser.username]},
            files=[SimpleUploadedFile("big.csv", b"a,b,c,d")],
        )
    assert "file" in exc.value.errors
    assert not Notice.objects.exists()


def test_opening_is_the_read_receipt_and_acknowledging_confirms(send_notice, merchandiser, qc):
    notice = send_notice(users=[merchandiser.username, qc.username], ack_required=True)
    assert selectors.unread_notice_count(merchandiser) == 1
    first = clock.now()
    receipt = services.mark_read(notice=notice, user=merchandiser)
    assert receipt.read_at == first
    with clock.frozen(dt.datetime(2026, 11, 25, 9, 0, tzinfo=SHANGHAI)):
        receipt = services.mark_read(notice=notice, user=merchandiser)
    assert receipt.read_at == first  # the first time counts
    assert selectors.unread_notice_count(merchandiser) == 1  # read, not yet acknowledged: it still waits
    receipt = services.acknowledge(notice=notice, user=merchandiser)
    assert receipt.acknowledged_at is not None
    assert receipt.acknowledged_by_name == merchandiser.first_name
    assert selectors.unread_notice_count(merchandiser) == 0
    again = services.acknowledge(notice=notice, user=merchandiser)
    assert again.acknowledged_at == receipt.acknowledged_at
    listed = selectors.notice_list(viewer=merchandiser, box="inbox").get()
    assert (listed.recipient_count, listed.read_count, listed.acknowledged_count, listed.pending_count) == (2, 1, 1, 1)
    assert listed.my_acknowledged_at is not None


def test_a_notice_is_seen_by_its_sender_recipients_and_managers_only(send_notice, manager, merchandiser, make_user):
    outsider = make_user(Role.MERCHANDISER, username="mer2")
    boss2 = make_user(Role.MANAGER, username="boss2")
    notice = send_notice(users=[merchandiser.username])
    for user in (manager, merchandiser, boss2):
        assert selectors.get_notice(notice.pk, user) == notice
    with pytest.raises(NotFound):
        selectors.get_notice(notice.pk, outsider)
    with pytest.raises(NotFound):
        services.mark_read(notice=notice, user=outsider)
    with pytest.raises(PermissionDenied):
        services.acknowledge(notice=notice, user=boss2)  # sees it, but it was not sent to them
    assert list(selectors.notice_list(viewer=outsider, box="all")) == []
    assert list(selectors.notice_list(viewer=boss2, box="all")) == [notice]
    assert list(selectors.notice_list(viewer=manager, box="sent")) == [notice]


def test_more_recipients_later_skip_those_who_have_it(send_notice, manager, merchandiser, qc, factory):
    notice = send_notice(users=[merchandiser.username])
    created = services.add_recipients(
        notice=notice, by=manager, data={"users": [merchandiser.username, qc.username], "supplier_ids": [factory.pk]}
    )
    assert sorted(str(r.user or r.supplier.code) for r in created) == ["S-FA09", str(qc)]
    assert parties(notice) == ["S-FA09", "mer1", "qc1"]
    with pytest.raises(PermissionDenied):
        services.add_recipients(notice=notice, by=merchandiser, data={"users": [qc.username]})
    with pytest.raises(ValidationError):
        services.add_recipients(notice=notice, by=manager, data={})


# ---- the supplier's link ----------------------------------------------------------------------------------------


@pytest.fixture
def factory_notice(send_notice, factory):  # noqa: ANN001, ANN201
    notice = send_notice(supplier_ids=[factory.pk], ack_required=True)
    recipient = NoticeRecipient.objects.get(notice=notice, supplier=factory)
    return notice, recipient, links.token_for(recipient.link)


def test_a_valid_link_opens_the_notice_and_records_the_first_opening(factory_notice):
    notice, recipient, token = factory_notice
    found, link = services.recipient_for_token(token)
    assert found == recipient
    opened = services.open_by_link(recipient=found, link=link)
    assert opened.read_at == clock.now()
    services.open_by_link(recipient=found, link=link)
    records = ObjectChange.objects.filter(object_id=notice.pk, message="Opened through the link")
    assert [r.user_name for r in records] == ["S-FA09 海宁缝制厂 (notice link)"]
    link.refresh_from_db()
    assert link.use_count == 1


def test_the_factory_acknowledges_and_the_sender_hears_of_it(factory_notice, manager):
    notice, recipient, token = factory_notice
    found, link = services.recipient_for_token(token)
    done = services.acknowledge_by_link(recipient=found, link=link, name="张经理")
    assert done.acknowledged_at is not None
    assert done.read_at == done.acknowledged_at
    assert done.acknowledged_by_name == "张经理"
    assert Notification.objects.filter(
        recipient=manager, title="S-FA09 海宁缝制厂 (张经理) acknowledged NT-2026-00001"
    ).exists()
    again = services.acknowledge_by_link(recipient=found, link=link, name="someone else")
    assert again.acknowledged_by_name == "张经理"


def test_an_expired_link_no_longer_opens(factory_notice):
    _notice, recipient, token = factory_notice
    later = recipient.link.expires_at + dt.timedelta(minutes=1)
    with clock.frozen(later), pytest.raises(links.LinkInvalid) as exc:
        services.recipient_for_token(token)
    assert "expired" in exc.value.message


def test_a_renewed_link_withdraws_the_old_one(factory_notice, manager, factory, django_capture_on_commit_callbacks):
    notice, recipient, token = factory_notice
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _recipient, new_token = services.renew_link(notice=notice, by=manager, supplier_id=factory.pk, email=True)
    with pytest.raises(links.LinkInvalid) as exc:
        services.recipient_for_token(token)
    assert "withdrawn" in exc.value.message
    assert services.recipient_for_token(new_token)[0] == recipient
    assert len(mail.outbox) == 1
    assert new_token in mail.outbox[0].body


def test_a_withdrawn_link_or_an_altered_token_does_not_open(factory_notice, manager, factory):
    notice, _recipient, token = factory_notice
    with pytest.raises(links.LinkInvalid):
        services.recipient_for_token(token[:-2] + "xx")
    services.revoke_link(notice=notice, by=manager, supplier_id=factory.pk)
    with pytest.raises(links.LinkInvalid):
        services.recipient_for_token(token)


def test_a_link_of_another_purpose_does_not_open_a_notice(factory_notice):
    _notice, recipient, _token = factory_notice
    other, token = links.create_link(target=recipient, purpose="supplier_po", party="x", by=None, days=5)
    with pytest.raises(links.LinkInvalid):
        services.recipient_for_token(token)
    with pytest.raises(PermissionDenied):
        services.open_by_link(recipient=recipient, link=other)


def test_renewing_a_supplier_the_notice_was_not_sent_to_is_refused(factory_notice, manager):
    notice, _recipient, _token = factory_notice
    with pytest.raises(ValidationError) as exc:
        services.renew_link(notice=notice, by=manager, supplier_id=SupplierFactory().pk)
    assert "supplier_id" in exc.value.errors


def test_a_supplier_without_an_e_mail_address_gets_its_link_but_no_e_mail(
    send_notice, django_capture_on_commit_callbacks
):
    quiet = SupplierFactory(code="S-FA10", kind="subcontract")
    with django_capture_on_commit_callbacks(execute=True):
        notice = send_notice(supplier_ids=[quiet.pk])
    r = notice.recipients.get()
    assert r.link is not None
    assert r.emailed_to == ""
    assert mail.outbox == []


def test_withdrawing_stops_the_links_and_tells_the_readers(factory_notice, manager, merchandiser):
    notice, _recipient, token = factory_notice
    services.add_recipients(notice=notice, by=manager, data={"users": [merchandiser.username]})
    with pytest.raises(ValidationError):
        services.withdraw_notice(notice=notice, by=manager, reason="")
    with pytest.raises(StaleVersion):
        services.withdraw_notice(notice=notice, by=manager, reason="Wrong dates", version=notice.version + 5)
    with pytest.raises(PermissionDenied):
        services.withdraw_notice(notice=notice, by=merchandiser, reason="Wrong dates")
    notice = services.withdraw_notice(notice=notice, by=manager, reason="Wrong dates")
    assert notice.status == "withdrawn"
    with pytest.raises(links.LinkInvalid):
        services.recipient_for_token(token)
    assert not ExternalLink.objects.filter(purpose=services.LINK_PURPOSE, revoked_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=merchandiser, title__startswith="NT-2026-00001 was withdrawn").exists()
    with pytest.raises(TransitionNotAllowed):
        services.withdraw_notice(notice=notice, by=manager, reason="again")
    with pytest.raises(TransitionNotAllowed):
        services.acknowledge(notice=notice, user=merchandiser)


def test_the_sender_attaches_more_files_later(send_notice, manager, merchandiser):
    notice = send_notice(users=[merchandiser.username])
    services.attach_to_notice(notice=notice, by=manager, upload=SimpleUploadedFile("late.pdf", b"%PDF-1.4"))
    with pytest.raises(PermissionDenied):
        services.attach_to_notice(notice=notice, by=merchandiser, upload=SimpleUploadedFile("x.txt", b"x"))
    assert Attachment.objects.count() == 1
