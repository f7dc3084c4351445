import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group

from gendan.core import audit, clock, numbering
from gendan.core.choices import Role
from gendan.core.exceptions import ValidationError
from gendan.core.models import ApiToken, Notification, ObjectChange
from gendan.core.money import round_money
from gendan.core.notifications import notify, unread_count
from gendan.core.services import create_token, create_user, revoke_token, user_for_token

pytestmark = pytest.mark.django_db


def test_every_role_is_a_group_after_migrate() -> None:
    assert set(Group.objects.values_list("name", flat=True)) >= set(Role.values)


def test_manager_may_override_review_but_merchandiser_may_not(make_user) -> None:
    assert make_user(Role.MANAGER).has_perm("sales.override_review")
    assert not make_user(Role.MERCHANDISER).has_perm("sales.override_review")


def test_create_user_puts_the_user_in_the_role_and_its_department() -> None:
    user = create_user(username="qc1", password="a-Long-pass-123", role=Role.QC)
    assert user.groups.filter(name="qc").exists()
    assert user.department.code == "quality"
    assert ObjectChange.objects.filter(object_id=user.pk, action="create").exists()


def test_create_user_rejects_an_unknown_role_and_a_weak_password_and_writes_nothing() -> None:
    with pytest.raises(ValidationError) as exc:
        create_user(username="x", password="123", role="boss")
    assert {"role", "password"} <= set(exc.value.errors)
    assert not Group.objects.get(name="qc").user_set.exists()


def test_a_token_is_stored_hashed_and_stops_working_when_revoked(merchandiser) -> None:
    token, key = create_token(user=merchandiser, name="script")
    assert key not in ApiToken.objects.values_list("key_hash", flat=True)
    assert user_for_token(key) == merchandiser
    revoke_token(token_id=token.id, by=merchandiser)
    assert user_for_token(key) is None


def test_numbers_increase_per_prefix_and_year() -> None:
    assert numbering.next_number("SO") == "SO-2026-00001"
    assert numbering.next_number("SO") == "SO-2026-00002"
    assert numbering.next_number("PO") == "PO-2026-00001"
    with clock.frozen(dt.date(2027, 1, 2)):
        assert numbering.next_number("SO") == "SO-2027-00001"


def test_clock_is_frozen_in_the_company_time_zone() -> None:
    with clock.frozen(dt.date(2026, 3, 1)):
        assert clock.today() == dt.date(2026, 3, 1)


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [("10.005", "USD", Decimal("10.01")), ("1234.5", "JPY", Decimal("1235")), ("1.004", "CNY", Decimal("1.00"))],
)
def test_money_is_rounded_per_currency(amount: str, currency: str, expected: Decimal) -> None:
    assert round_money(Decimal(amount), currency) == expected


def test_notify_fills_each_inbox_once(make_user) -> None:
    a, b = make_user(), make_user()
    assert notify(recipients=[a, b, a], title="Order changed") == 2
    assert unread_count(a) == 1
    assert Notification.objects.count() == 2


def test_audit_diff_lists_only_changed_fields() -> None:
    assert audit.diff({"a": 1, "b": 2}, {"a": 1, "b": 3}) == {"b": [2, 3]}


def test_api_token_endpoint_gives_a_token_and_refuses_bad_credentials(api_as, merchandiser) -> None:
    anon = api_as(None)
    ok = anon.post("/auth/token", {"username": "mer1", "password": "pass-1234-word"})
    assert ok.status_code == 200
    assert ok.json()["token"].startswith("gdn_")
    bad = anon.post("/auth/token", {"username": "mer1", "password": "wrong"})
    assert bad.status_code == 401


def test_api_needs_credentials(api_as) -> None:
    assert api_as(None).get("/users/me").status_code == 401


def test_api_me_and_tokens_list_hide_the_secret(api_as, merchandiser) -> None:
    client = api_as(merchandiser)
    me = client.get("/users/me").json()
    assert me["username"] == "mer1"
    assert me["roles"] == ["merchandiser"]
    tokens = client.get("/auth/tokens").json()
    assert tokens
    assert "key_hash" not in tokens[0]
    assert "token" not in tokens[0]


def test_revoking_a_token_through_the_api_locks_it_out(api_as, merchandiser) -> None:
    client = api_as(merchandiser)
    token_id = client.get("/auth/tokens").json()[0]["id"]
    assert client.delete(f"/auth/tokens/{token_id}").status_code == 200
    assert client.get("/users/me").status_code == 401


def test_login_is_throttled_after_five_failures(client, merchandiser) -> None:
    for _ in range(5):
        client.post("/login/", {"username": "mer1", "password": "nope"})
    response = client.post("/login/", {"username": "mer1", "password": "pass-1234-word"})
    assert response.status_code in (403, 429)
    assert "_auth_user_id" not in client.session


def test_pages_need_login(client) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_dashboard_inbox_and_account_render(page_as, merchandiser) -> None:
    notify(recipients=[merchandiser], title="Hello inbox")
    c = page_as(merchandiser)
    assert c.get("/").status_code == 200
    inbox = c.get("/inbox/")
    assert "Hello inbox" in inbox.content.decode()
    assert c.get("/account/").status_code == 200


def test_language_switch_is_stored_on_the_user(page_as, merchandiser) -> None:
    c = page_as(merchandiser)
    c.post("/account/language/", {"language": "zh-hans", "next": "/"})
    merchandiser.refresh_from_db()
    assert merchandiser.language == "zh-hans"


def test_admin_lists_users_and_the_audit_trail_for_an_administrator(page_as, make_user) -> None:
    admin_user = make_user(Role.ADMIN)
    c = page_as(admin_user)
    assert c.get("/admin/core/user/").status_code == 200
    assert c.get("/admin/core/objectchange/").status_code == 200
    assert c.get("/admin/core/objectchange/add/").status_code == 403


def test_admin_shows_orders_read_only(page_as, make_user) -> None:
    c = page_as(make_user(Role.ADMIN))
    assert c.get("/admin/sales/order/").status_code == 200
    assert c.get("/admin/sales/order/add/").status_code == 403


def test_an_absurd_offset_is_refused_with_422_not_a_server_error(api_as, merchandiser) -> None:
    response = api_as(merchandiser).get("/users", offset=10**30)
    assert response.status_code == 422


def test_export_drops_characters_a_worksheet_cannot_hold() -> None:
    import io

    from openpyxl import load_workbook

    from gendan.core.excel import Column, export_xlsx

    content = export_xlsx([Column("name", "名称", "Name")], [{"name": "A\x00B\x07C"}], title="t")
    assert load_workbook(io.BytesIO(content)).active["A2"].value == "ABC"
