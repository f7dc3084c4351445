"""Daily production reports imported from Excel: the upload page and its template."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from gendan.core.excel import template_download
from gendan.core.forms import ImportForm
from gendan.core.pages import perm_required
from gendan.production import imports


@perm_required("production.add_dailyreport")
def report_import(request: HttpRequest) -> HttpResponse:
    """Upload a filled-in template: every row is recorded, or nothing when any row is wrong."""
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = imports.import_reports(fileobj=form.cleaned_data["file"], by=request.user)
        if result.ok:
            messages.success(
                request,
                _("%(n)s daily reports recorded: %(c)s new, %(u)s replaced.")
                % {"n": result.created + result.updated, "c": result.created, "u": result.updated},
            )
    return render(request, "production/report_import.html", {"form": form, "result": result})


@perm_required("production.add_dailyreport")
def report_import_template(request: HttpRequest) -> HttpResponse:
    return template_download(imports.REPORT_SPEC, "daily-reports")
