"""The allocation pages: the short-stock list (and its Excel), a product's proposal with editable quantities (the
shortfall recomputed through htmx), confirming it, the refusals shown on the form, issuing goods, ending the
allocation, permissions, and the sections on the order page, the customer page and the dashboard."""

import io

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from openpyxl import load_workbook

from gendan.core.choices import Role
from gendan.core.models import User
from gendan.inventory import allocation_views
from gendan.inventory.models import Stock, StockAllocation
from tests.inventory.test_allocation import line_of, world  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def product_url(world) -> str:  # noqa: F811
    return reverse("inventory:allocation_product", args=[world["product"].pk])


def form_for(world, **quantities) -> dict[str, str]:  # noqa: F811
    """The proposal form's fields: qty-<line id> for the key, early and normal orders."""
    data = {}
    for name in ("key", "early", "normal"):
        data[f"qty-{line_of(world[name]).pk}"] = str(quantities.get(name, 0))
    return data


def test_the_short_stock_list_and_its_export(page_as, manager, world) -> None:  # noqa: F811
    client = page_as(manager)
    r = client.get(reverse("inventory:allocation_short"))
    assert r.status_code == 200
    html = r.content.decode()
    assert 'data-product="P-SHORT"' in html
    assert "Not allocated" in html
    x = client.get(reverse("inventory:allocation_short") + "?format=xlsx")
    assert x.status_code == 200
    sheet = load_workbook(io.BytesIO(x.content)).active
    assert [c.value for c in sheet[2]][:1] == ["P-SHORT"]
    r = client.get(reverse("inventory:allocation_pick") + f"?product={world['product'].pk}")
    assert r.status_code == 302
    assert r["Location"] == product_url(world)
    assert client.get(reverse("inventory:allocation_pick")).status_code == 302


def test_the_proposal_page_shows_the_ranked_lines_with_their_quantities(
    page_as,
    manager,
    world,  # noqa: F811
    django_assert_max_num_queries,
) -> None:
    client = page_as(manager)
    with django_assert_max_num_queries(40):
        r = client.get(product_url(world))
    assert r.status_code == 200
    html = r.content.decode()
    key, early, normal = (html.index(f'data-order="{world[n].number}"') for n in ("key", "early", "normal"))
    assert key < early < normal
    assert f'name="qty-{line_of(world["key"]).pk}" value="300"' in html
    assert f'name="qty-{line_of(world["normal"]).pk}" value="0"' in html
    assert 'data-testid="confirm-allocation"' in html
    assert client.get(reverse("inventory:allocation_product", args=[999999])).status_code == 404


def test_htmx_recomputes_the_shortfall_of_each_line_and_the_totals(page_as, manager, world) -> None:  # noqa: F811
    client = page_as(manager)
    data = {**form_for(world, key=250, early=200, normal=100), "preview": "1"}
    r = client.post(product_url(world), data, HTTP_HX_REQUEST="true")
    assert r.status_code == 200
    html = r.content.decode()
    assert 'id="proposal-totals"' in html
    assert f'id="short-{line_of(world["key"]).pk}" data-testid="line-shortfall" hx-swap-oob="true"' in html
    assert 'data-testid="left">-50' in html.replace("\n", "")
    assert "over-stock" in html  # 550 is more than the 500 there is
    assert not StockAllocation.objects.exists()


def test_confirming_the_page_writes_the_allocation(page_as, manager, world) -> None:  # noqa: F811
    client = page_as(manager)
    data = {**form_for(world, key=300, early=150, normal=50), "make_up_date": "2027-03-05"}
    r = client.post(product_url(world), data)
    assert r.status_code == 302
    assert dict(StockAllocation.objects.values_list("order_id", "quantity")) == {
        world["key"].pk: 300,
        world["early"].pk: 150,
        world["normal"].pk: 50,
    }
    page = client.get(product_url(world)).content.decode()
    assert "confirmed: 3 lines, 2 left short" in page
    assert 'data-testid="under-allocation"' in page
    assert 'data-testid="allocation-history"' in page
    current = client.get(product_url(world) + "?start=current").content.decode()
    assert f'name="qty-{line_of(world["early"]).pk}" value="150"' in current


def test_refusals_are_shown_on_the_form_and_nothing_is_written(page_as, manager, world) -> None:  # noqa: F811
    client = page_as(manager)
    over = client.post(
        product_url(world), {**form_for(world, key=300, early=200, normal=1), "make_up_date": "2027-03-01"}
    )
    assert over.status_code == 200
    assert "can be allocated" in over.content.decode()
    assert 'data-testid="form-errors"' in over.content.decode()
    bad = client.post(product_url(world), {**form_for(world, key="x", early=200, normal=0)})
    assert "Enter a number" in bad.content.decode()
    too_much = client.post(
        product_url(world), {**form_for(world, key=301, early=0, normal=0), "make_up_date": "2027-03-01"}
    )
    assert "more than its open quantity" in too_much.content.decode()
    assert not StockAllocation.objects.exists()
    assert Stock.objects.get(product=world["product"]).reserved == 0


def test_permissions(page_as, make_user, world) -> None:  # noqa: F811
    sales = page_as(make_user(Role.SALES, username="sales9"))
    assert sales.get(product_url(world)).status_code == 200
    assert 'data-testid="confirm-allocation"' not in sales.get(product_url(world)).content.decode()
    assert sales.post(product_url(world), form_for(world, key=300)).status_code == 403
    nobody = page_as(User.objects.create(username="nobody"))
    assert nobody.get(reverse("inventory:allocation_short")).status_code == 403
    qc = page_as(make_user(Role.QC, username="qc9"))
    assert qc.post(reverse("inventory:allocation_end", args=[world["product"].pk])).status_code == 403
    assert not StockAllocation.objects.exists()


def test_issue_and_end_from_the_page(page_as, manager, world) -> None:  # noqa: F811
    client = page_as(manager)
    client.post(product_url(world), {**form_for(world, key=300, early=200, normal=0), "make_up_date": "2027-03-01"})
    key = StockAllocation.objects.get(order=world["key"])
    r = client.post(
        reverse("inventory:allocation_issue", args=[key.pk]),
        {"location": world["place"].pk, "quantity": "100", "reference": "SH-1"},
    )
    assert r.status_code == 302
    key.refresh_from_db()
    assert (key.held_qty, key.issued_qty) == (200, 100)
    r = client.post(
        reverse("inventory:allocation_issue", args=[key.pk]), {"location": "", "quantity": "1"}, follow=True
    )
    assert "Choose the location" in r.content.decode()
    r = client.post(reverse("inventory:allocation_end", args=[world["product"].pk]), {"reason": "enough"}, follow=True)
    assert "3 lines released" in r.content.decode()
    assert not StockAllocation.objects.exists()


def test_the_order_page_the_customer_page_and_the_dashboard_show_it(page_as, manager, world) -> None:  # noqa: F811
    client = page_as(manager)
    assert (
        'data-testid="allocation-section"'
        not in client.get(reverse("sales:order", args=[world["normal"].pk])).content.decode()
    )
    # the dashboard's panel (rendered on its own: the dashboard holds every app's panels)
    request = RequestFactory().get("/")
    request.user = manager
    panel = allocation_views.short_stock_panel(request)
    html = render_to_string(panel["template"], {"ctx": panel["context"]}, request=request)
    assert 'data-testid="panel-short-stock"' in html
    assert "P-SHORT" in html
    request.user = User.objects.create(username="nobody")
    assert allocation_views.short_stock_panel(request) is None
    client.post(product_url(world), {**form_for(world, key=300, early=200, normal=0), "make_up_date": "2027-03-01"})
    order_page = client.get(reverse("sales:order", args=[world["normal"].pk])).content.decode()
    assert 'data-testid="allocation-section"' in order_page
    assert "2027-03-01" in order_page
    # the customer page's section (rendered on its own: the page gathers every app's sections)
    request.user = manager
    section = allocation_views.customer_section(request, world["normal"].customer)
    html = render_to_string(section["template"], section["context"], request=request)
    assert 'data-testid="customer-allocations"' in html
    assert world["normal"].number in html
    assert allocation_views.customer_section(request, world["key"].customer) is not None
