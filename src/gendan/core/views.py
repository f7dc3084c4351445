"""Core pages: dashboard, inbox, account (language, API tokens), attachment downloads."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gendan.core import notifications, selectors, services
from gendan.core.exceptions import GendanError, ValidationError
from gendan.core.models import Attachment
from gendan.core.pages import paginate


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The start page: what is waiting for this person. Each app adds its panel through `dashboard_panels`."""
    from gendan.core.dashboard import panels_for

    return render(request, "core/dashboard.html", {"panels": panels_for(request)})


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    qs = notifications.inbox_for(request.user)
    if request.GET.get("unread"):
        qs = qs.filter(read_at__isnull=True)
    return render(
        request, "core/inbox.html", {"page": paginate(request, qs), "unread_only": bool(request.GET.get("unread"))}
    )


@login_required
@require_POST
def inbox_read(request: HttpRequest) -> HttpResponse:
    raw = request.POST.get("id")
    notifications.mark_read(user=request.user, notification_id=int(raw) if raw and raw.isdigit() else None)
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("core:inbox")


@login_required
def account(request: HttpRequest) -> HttpResponse:
    new_key = request.session.pop("new_token_key", None)
    return render(
        request,
        "core/account.html",
        {"tokens": selectors.tokens_of(request.user), "new_key": new_key},
    )


@require_POST
def language(request: HttpRequest) -> HttpResponse:
    """Switch language: stored on the user when signed in, in a cookie otherwise."""
    from django.conf import settings
    from django.utils import translation

    code = request.POST.get("language", "")
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    response = redirect(target)
    if code in dict(settings.LANGUAGES):
        if request.user.is_authenticated:
            services.set_language(user=request.user, language=code)
        translation.activate(code)
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, code, samesite="Lax", secure=settings.SESSION_COOKIE_SECURE)
    return response


@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    try:
        _token, key = services.create_token(user=request.user, name=request.POST.get("name", ""))
    except ValidationError as exc:
        messages.error(request, "; ".join(m for msgs in exc.errors.values() for m in msgs))
        return redirect("core:account")
    request.session["new_token_key"] = key
    messages.success(request, _("Token created. Copy it now: it will not be shown again."))
    return redirect("core:account")


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        services.revoke_token(token_id=token_id, by=request.user)
    except GendanError as exc:
        raise Http404(exc.message) from exc
    messages.success(request, _("Token revoked."))
    return redirect("core:account")


@login_required
def attachment_download(request: HttpRequest, attachment_id: int) -> HttpResponse:
    """Serve an attachment to users who may view the object it belongs to."""
    att = get_object_or_404(Attachment.objects.select_related("content_type"), pk=attachment_id)
    model = att.content_type.model_class()
    if model is None or not request.user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}"):
        raise DjangoPermissionDenied
    return FileResponse(att.file.open("rb"), as_attachment=True, filename=att.name)


@login_required
def calendar(request: HttpRequest) -> HttpResponse:
    """The working calendar: everyone reads it; managers and production planning change it."""
    from gendan.core.forms import CalendarForm
    from gendan.core.models import CalendarDay, CompanySettings
    from gendan.core.pages import apply_errors

    if not request.user.has_perm("core.view_calendarday"):
        raise DjangoPermissionDenied
    can_edit = request.user.has_perm("core.change_calendarday")
    days = list(CalendarDay.objects.order_by("date"))
    if request.method == "POST":
        if not can_edit:
            raise DjangoPermissionDenied
        form = CalendarForm(request.POST)
        if form.is_valid():
            try:
                services.set_calendar(
                    by=request.user,
                    rest_weekdays=form.cleaned_data["rest_weekdays"],
                    holidays=form.cleaned_data["holidays"],
                    working_days=form.cleaned_data["working_days"],
                )
            except GendanError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Working calendar saved."))
                return redirect("core:calendar")
    else:

        def lines(kind: str) -> str:
            return "\n".join(f"{d.date:%Y-%m-%d} {d.name}".strip() for d in days if d.kind == kind)

        form = CalendarForm(
            initial={
                "rest_weekdays": CompanySettings.current().rest_weekdays,
                "holidays": lines(CalendarDay.Kind.HOLIDAY),
                "working_days": lines(CalendarDay.Kind.WORKING_DAY),
            }
        )
    return render(request, "core/calendar.html", {"form": form, "days": days, "can_edit": can_edit})
