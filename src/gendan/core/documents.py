"""Printed documents: the company's name on them and HTML → PDF through WeasyPrint (Pango lays out the CJK font
the setup installs; the fonts are embedded)."""

from functools import cache
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


@cache
def stylesheet(path: Path):  # noqa: ANN201 (a weasyprint.CSS; imported lazily)
    """A print stylesheet parsed once per process: a document that prints often (a shipment's invoice and packing
    list) keeps its style in a file instead of a <style> block WeasyPrint would parse on every print."""
    from weasyprint import CSS

    return CSS(filename=str(path))


def pdf_from_template(
    template: str, context: dict, *, language: str, base_dir: Path, stylesheets: tuple[Path, ...] = ()
) -> bytes:
    """Render a document template in `language` and print it to PDF (with `stylesheets`, files of print style
    parsed once and applied after the template's own)."""
    from weasyprint import HTML  # imported here: loading WeasyPrint (Pango, fonts) is slow

    with translation.override(language):
        html = render_to_string(template, {**context, "company": company_name(language), "language": language})
    return HTML(string=html, base_url=str(base_dir)).write_pdf(stylesheets=[stylesheet(p) for p in stylesheets])
