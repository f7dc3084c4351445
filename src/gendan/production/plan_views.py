"""The planner's page of a released notice's plan (生产计划): the daily quantities of each operation as a grid to
adjust, re-checked against capacity before it is saved, and the way back to the scheduler's plan."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from gendan.core.exceptions import GendanError
from gendan.core.pages import error_text, perm_required
from gendan.production import planning
from gendan.production.choices import NoticeStatus
from gendan.production.models import ProductionNotice

FIELD = "q"  # each editable cell is posted as q-<operation>-<YYYY-MM-DD>


def _posted_items(post: Any) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The grid's cells as edit items, and the values as typed (to show them again when the edit is refused)."""
    items, typed = [], {}
    for name, value in post.items():
        parts = name.split("-", 2)
        if len(parts) != 3 or parts[0] != FIELD:  # q, operation, date
            continue
        typed[name] = value
        items.append({"position": parts[1], "date": parts[2], "quantity": value.strip()})
    return items, typed


def _day(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@perm_required("production.view_planload")
def plan_edit(request: HttpRequest, notice_id: int) -> HttpResponse:
    notice = ProductionNotice.objects.select_related("order__customer", "product").filter(pk=notice_id).first()
    if notice is None:
        raise Http404
    if notice.status != NoticeStatus.RELEASED:
        messages.error(request, _("%(number)s is not released: it has no plan yet.") % {"number": notice.number})
        return redirect("production:notice", notice_id=notice.pk)
    can_edit = request.user.has_perm("production.edit_plan")
    since = _day(request.GET.get("since") or request.POST.get("since"))
    until = _day(request.GET.get("until") or request.POST.get("until"))
    context: dict[str, Any] = {"typed": {}, "overloads": [], "checked": False}
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        action = request.POST.get("action", "save")
        version = request.POST.get("version") or None
        if action == "reset":
            try:
                planning.reset_plan(notice=notice, by=request.user, version=version)
            except GendanError as exc:
                messages.error(request, error_text(exc))
            else:
                messages.success(
                    request, _("%(number)s is planned by the scheduler again.") % {"number": notice.number}
                )
            return redirect("production:plan", notice_id=notice.pk)
        items, typed = _posted_items(request.POST)
        try:
            proposal = planning.edit_plan(
                notice=notice,
                by=request.user,
                items=items,
                version=version,
                accept_overload=request.POST.get("accept_overload") == "1",
                check_only=action == "check",
            )
        except planning.Overloaded as exc:
            context.update(typed=typed, overloads=exc.overloads)
        except GendanError as exc:
            context.update(typed=typed, error=error_text(exc))
        else:
            if action != "check":
                messages.success(request, _("The plan of %(number)s is saved.") % {"number": notice.number})
                return redirect("production:plan", notice_id=notice.pk)
            context.update(typed=typed, overloads=proposal.overloads, checked=True)
        notice.refresh_from_db()
    grid = planning.plan_grid(notice, since=since, until=until)
    for row in grid.rows:  # what the planner typed stays in the cells
        for cell in row["cells"]:
            cell["name"] = f"{FIELD}-{row['position']}-{cell['date'].isoformat()}"
            typed_value = context["typed"].get(cell["name"])
            cell["value"] = typed_value if typed_value is not None else (cell["quantity"] or "")
            cell["due"] = cell["date"] == notice.due_date
        row["free_row"] = [c["free"] if c["works"] else None for c in row["cells"]]
    context.update(
        notice=notice,
        grid=grid,
        can_edit=can_edit,
        since=grid.days[0],
        until=grid.days[-1],
        earlier=max(grid.earliest, grid.days[0] - dt.timedelta(days=14)) if grid.days[0] > grid.earliest else None,
        later=grid.days[-1] + dt.timedelta(days=14),
    )
    return render(request, "production/plan_edit.html", context)
