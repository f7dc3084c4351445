"""The morning chase digest: one e-mail per user with something to chase, in the user's language."""

import datetime as dt
from collections.abc import Callable

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import translation

from gendan.core import clock
from gendan.core.choices import Role
from gendan.core.models import User
from gendan.followup import digest as digest_module
from gendan.followup.digest import digest_for, late_label
from gendan.followup.tasks import DIGEST_JOB, REFORECAST_JOB, nightly_reforecast, register_jobs, send_chase_digests
from gendan.sales.models import Order

TODAY = dt.date(2026, 11, 24)
LATER = dt.date(2026, 11, 26)  # two working days after PPS and PS were planned


@pytest.fixture
def tight_order(confirmed_order: Callable[..., Order]) -> Order:
    """An order of mer1 with a compressed plan: at risk, with PPS and PS planned for 2026-11-24."""
    return confirmed_order(ex_factory_date=dt.date(2026, 12, 18))


def test_the_digest_lists_an_overdue_milestone_with_its_link(merchandiser: User, tight_order: Order) -> None:
    with clock.frozen(LATER):
        subject, text, html = digest_for(merchandiser, LATER)
    assert subject.startswith("[Gendan] ")
    assert "things to chase today (2026-11-26)" in subject
    assert tight_order.number in text
    assert "PPS" in text
    assert "2 days late" in text
    assert "overdue" in text
    assert f"http://127.0.0.1:8000/orders/{tight_order.pk}/#milestone-" in text
    assert "<table" in html
    assert tight_order.number in html
    assert f'href="http://127.0.0.1:8000/orders/{tight_order.pk}/' in html


@override_settings(GENDAN_BASE_URL="https://gendan.example.com/")
def test_links_are_built_from_the_base_url(merchandiser: User, tight_order: Order) -> None:
    _subject, text, html = digest_for(merchandiser, TODAY)
    assert f"https://gendan.example.com/orders/{tight_order.pk}/" in text
    assert "https://gendan.example.com//" not in text + html


def test_no_digest_for_a_user_with_nothing_to_chase(make_user: Callable[..., User], tight_order: Order) -> None:
    idle = make_user(Role.MERCHANDISER, username="mer2")
    assert digest_for(idle, TODAY) is None


def test_no_digest_without_an_address_or_for_an_inactive_user(merchandiser: User, tight_order: Order) -> None:
    assert digest_for(merchandiser, TODAY) is not None
    merchandiser.email = ""
    assert digest_for(merchandiser, TODAY) is None
    merchandiser.email, merchandiser.is_active = "mer1@example.com", False
    assert digest_for(merchandiser, TODAY) is None


def test_a_chinese_user_gets_the_digest_in_chinese(
    merchandiser: User, tight_order: Order, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fake_ngettext(singular: str, plural: str, n: int) -> str:
        # Stands in for the catalog: proves the subject is built while the user's language is active.
        if translation.get_language() == "zh-hans" and singular.startswith("[Gendan]"):
            return "[跟单] 今日待跟进 %(n)s 项（%(day)s）"
        return translation.ngettext(singular, plural, n)

    monkeypatch.setattr(digest_module, "ngettext", fake_ngettext)
    merchandiser.language = "zh-hans"
    subject, text, html = digest_for(merchandiser, TODAY)
    assert subject == "[跟单] 今日待跟进 3 项（2026-11-24）"
    assert "产前样确认" in text  # the milestones' Chinese names
    assert '<html lang="zh-hans">' in html

    merchandiser.language = "en"
    subject, text, _html = digest_for(merchandiser, TODAY)
    assert subject == "[Gendan] 3 things to chase today (2026-11-24)"
    assert "PP sample approved" in text


def test_late_label_counts_working_days_late_or_left() -> None:
    with translation.override("en"):
        assert late_label(1) == "1 day late"
        assert late_label(3) == "3 days late"
        assert late_label(0) == "due today"
        assert late_label(-2) == "2 days left"


def test_the_task_mails_each_user_with_something_to_chase(
    make_user: Callable[..., User], merchandiser: User, tight_order: Order
) -> None:
    make_user(Role.MERCHANDISER, username="mer2")  # nothing to chase: no e-mail
    mail.outbox.clear()
    with clock.frozen(LATER):
        result = send_chase_digests.enqueue()  # the immediate backend of the tests
    to = {m.to[0]: m for m in mail.outbox}
    assert result.return_value == len(mail.outbox) == len(to)  # one each
    assert "mer2@example.com" not in to
    assert "buyer1@example.com" in to  # the buyer owns the materials milestones
    message = to["mer1@example.com"]
    assert message.subject == "[Gendan] 3 things to chase today (2026-11-26)"
    assert tight_order.number in message.body
    ((html, mimetype),) = message.alternatives
    assert mimetype == "text/html"
    assert tight_order.number in html


def test_no_digests_on_a_day_off(merchandiser: User, tight_order: Order) -> None:
    mail.outbox.clear()
    with clock.frozen(dt.date(2026, 11, 29)):  # a Sunday
        result = send_chase_digests.enqueue()
    assert result.return_value == 0
    assert mail.outbox == []


def test_the_nightly_task_reforecasts_and_returns_the_counts(tight_order: Order) -> None:
    result = nightly_reforecast.enqueue()
    assert result.return_value["orders"] == 1
    assert set(result.return_value) == {"orders", "milestones_changed", "risk_changed"}


def test_followup_registers_its_two_daily_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    from gendan.core import schedule

    monkeypatch.setattr(schedule, "_jobs", {})
    register_jobs()
    times = {job.name: job.time_of_day for job in schedule.jobs()}
    assert times == {REFORECAST_JOB: "01:30", DIGEST_JOB: "07:30"}
    with override_settings(GENDAN_DIGEST_AT="06:45"):
        assert {job.name: job.time_of_day for job in schedule.jobs()}[DIGEST_JOB] == "06:45"
