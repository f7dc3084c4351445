"""The morning chase digest (每日跟进邮件): a user's chase list for the day as one e-mail in their language."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gendan.core.models import User
from gendan.followup.choices import ChaseKind
from gendan.followup.selectors import ChaseRow, chase_list


def late_label(days_late: int) -> str:
    """A chase row's lateness in short: "3 days late", "due today", "2 days left" (working days)."""
    if days_late > 0:
        return ngettext("%(n)s day late", "%(n)s days late", days_late) % {"n": days_late}
    if days_late == 0:
        return _("due today")
    return ngettext("%(n)s day left", "%(n)s days left", -days_late) % {"n": -days_late}


def absolute_url(path: str) -> str:
    """A path of the site as a link for outside the browser (GENDAN_BASE_URL)."""
    base = str(getattr(settings, "GENDAN_BASE_URL", "http://127.0.0.1:8000")).rstrip("/")
    return f"{base}{path}" if path.startswith("/") else f"{base}/{path}"


def row_context(rank: int, row: ChaseRow) -> dict[str, Any]:
    """One chase row with its labels, in the active language (for the digest and the `chase` command)."""
    return {
        "rank": rank,
        "kind": row.kind,
        "kind_label": str(ChaseKind(row.kind).label) if row.kind in ChaseKind.values else row.kind_label or row.kind,
        "order_number": row.order_number or row.document,
        "milestone_code": row.milestone_code or "",
        "milestone_name": row.milestone_name,
        "due_date": row.due_date.isoformat(),
        "days_late": row.days_late,
        "late": late_label(row.days_late),
        "is_late": row.days_late > 0,
        "reason": row.reason,
        "customer": row.customer,
        "url": absolute_url(row.url),
    }


def digest_for(user: User, day: dt.date) -> tuple[str, str, str] | None:
    """(subject, plain text, HTML) of `user`'s chase digest for `day` in their language; None when the user gets
    no e-mail (inactive, no address) or has nothing to chase."""
    if not user.is_active or not user.email:
        return None
    with translation.override(user.language or settings.LANGUAGE_CODE):
        rows = chase_list(user, day)
        if not rows:
            return None
        n = len(rows)
        subject = ngettext(
            "[Gendan] %(n)s thing to chase today (%(day)s)",
            "[Gendan] %(n)s things to chase today (%(day)s)",
            n,
        ) % {"n": n, "day": day.isoformat()}
        context = {
            "user": user,
            "name": user.get_full_name() or user.username,
            "day": day.isoformat(),
            "count": n,
            "rows": [row_context(rank, row) for rank, row in enumerate(rows, start=1)],
            "dashboard_url": absolute_url("/"),
        }
        text = render_to_string("followup/email/chase_digest.txt", context)
        html = render_to_string("followup/email/chase_digest.html", context)
    return subject, text, html
