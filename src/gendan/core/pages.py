"""Helpers for server-rendered pages: pagination, htmx partials, permissions, form errors."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from gendan.core.exceptions import GendanError, ValidationError

PAGE_SIZES = (25, 50, 100, 200)


def paginate(request: HttpRequest, qs: QuerySet | list, per_page: int = 50) -> Page:
    """The requested page (`?page=`, `?per_page=`) of a list; out-of-range pages give the last one."""
    try:
        size = int(request.GET.get("per_page", per_page))
    except ValueError:
        size = per_page
    size = size if size in PAGE_SIZES else per_page
    return Paginator(qs, size).get_page(request.GET.get("page"))


def htmx_partial(request: HttpRequest) -> bool:
    """True when htmx asks for a fragment (not a boosted full-page navigation)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted


def perm_required(*perms: str) -> Callable:
    """Login required, then 403 unless the user has every permission."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                from django.contrib.auth.views import redirect_to_login

                return redirect_to_login(request.get_full_path())
            if not request.user.has_perms(perms):
                raise DjangoPermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def apply_errors(form: forms.BaseForm, exc: GendanError) -> None:
    """Put a service's error on the form: field errors on their fields, the rest on the form."""
    if isinstance(exc, ValidationError):
        for field, msgs in exc.errors.items():
            for msg in msgs:
                form.add_error(field if field in form.fields else None, msg)
    else:
        form.add_error(None, exc.message)


def error_text(exc: GendanError) -> str:
    """A service's error as one line for a flash message (every field's messages)."""
    if isinstance(exc, ValidationError):
        return "; ".join(m for msgs in exc.errors.values() for m in msgs)
    return exc.message


def querystring_without(request: HttpRequest, *keys: str) -> str:
    """The current query string minus some keys (for pager and sort links)."""
    params = request.GET.copy()
    for key in keys:
        params.pop(key, None)
    return params.urlencode()


def object_or_404(selector: Any, pk: int) -> Any:
    """The selector's object, or a 404 page when it raises NotFound."""
    from django.http import Http404

    from gendan.core.exceptions import NotFound

    try:
        return selector(pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def cleaned_filters(form: forms.Form) -> dict[str, Any]:
    """A list page's filter values (none when the filter form is invalid)."""
    return form.cleaned_data if form.is_valid() else {}


def import_page(
    request: HttpRequest, *, title: str, run: Callable[..., Any], template_url: str, back_url: str
) -> HttpResponse:
    """An Excel import page: upload, run the all-or-nothing import, show the result or the row-by-row errors."""
    from django.contrib import messages
    from django.shortcuts import render
    from django.utils.translation import gettext as _

    from gendan.core.forms import ImportForm

    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = run(fileobj=form.cleaned_data["file"], by=request.user)
        if result.ok:
            messages.success(
                request, _("Imported: %(c)s created, %(u)s updated.") % {"c": result.created, "u": result.updated}
            )
    context = {"title": title, "form": form, "result": result, "template_url": template_url, "back_url": back_url}
    return render(request, "core/import.html", context)


def list_page(request: HttpRequest, template: str, *, filter_form: forms.Form, qs: Any, **extra: Any) -> HttpResponse:
    """A filtered, paginated list page: the page of rows, the filter form, and the query strings its pager and
    its Excel export link keep (the export takes every row that matches, so it drops the paging)."""
    from django.shortcuts import render

    context = {
        "filter_form": filter_form,
        "page": paginate(request, qs),
        "qs": querystring_without(request, "page"),
        "export_qs": querystring_without(request, "page", "per_page"),
        **extra,
    }
    return render(request, template, context)
