"""Printed documents: the company's name on them and HTML → PDF through WeasyPrint (Pango lays out the CJK font
the setup installs; the fonts are embedded)."""

from pathlib import Path

from django.template.loader import render_to_string
from django.utils import translation

from gendan.core.models import CompanySettings

DEFAULT_COMPANY_NAME = "Gendan"


def company_name(language: str) -> str:
    """The company's name from its settings row (the English one in English) when it has one, else "Gendan"."""
    fields = {f.name for f in CompanySettings._meta.get_fields()}
    if "name" not in fields:
        return DEFAULT_COMPANY_NAME
    row = CompanySettings.current()
    if language.startswith("en") and getattr(row, "name_en", ""):
        return row.name_en
    return getattr(row, "name", "") or DEFAULT_COMPANY_NAME


def pdf_from_template(template: str, context: dict, *, language: str, base_dir: Path) -> bytes:
    """Render a document template in `language` and print it to PDF."""
    from weasyprint import HTML  # imported here: loading WeasyPrint (Pango, fonts) is slow

    with translation.override(language):
        html = render_to_string(template, {**context, "company": company_name(language), "language": language})
    return HTML(string=html, base_url=str(base_dir)).write_pdf()
