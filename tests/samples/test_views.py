"""The samples pages: registers with filters and Excel, the sample's page and its actions, the forms, the order
page's section, the dispatch pages and the packing slip."""

import io
import shutil
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from gendan.core.choices import Role
from gendan.samples.models import Dispatch, Sample, SampleRound
from tests.conftest import TODAY
from tests.factories import CustomerFactory
from tests.samples.conftest import walk, wd

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(page_as, merchandiser):  # noqa: ANN001, ANN201
    return page_as(merchandiser)


def sheet(response):  # noqa: ANN001, ANN201
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return [list(row) for row in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)]


def test_the_list_filters_and_exports_every_matching_row(client, request_sample, merchandiser):
    late = request_sample(description="Late tote")
    from gendan.samples import services

    services.update_steps(
        sample=late, round_number=1, by=merchandiser, steps={"pattern": {"planned_date": "2026-11-20"}}
    )
    walk(request_sample(kind="size_set", description="Size set S-XL"), merchandiser, "start")
    request_sample(customer_id=CustomerFactory(code="C-OTHER").pk, description="Other customer")
    page = client.get("/samples/").content.decode()
    assert "SP-2026-00001" in page
    assert "SP-2026-00003" in page
    assert "step late" in page
    only = client.get("/samples/", {"kind": "size_set"}).content.decode()
    assert "SP-2026-00002" in only
    assert "SP-2026-00001" not in only
    assert "SP-2026-00002" in client.get("/samples/", {"status": "in_progress"}).content.decode()
    overdue = client.get("/samples/", {"overdue": "on"}).content.decode()
    assert "SP-2026-00001" in overdue
    assert "SP-2026-00002" not in overdue
    rows = sheet(client.get("/samples/", {"format": "xlsx", "q": "tote", "per_page": 25}))
    assert rows[0][:3] == ["Number", "Kind", "Customer"]
    assert [r[0] for r in rows[1:]] == ["SP-2026-00001"]
    assert len(sheet(client.get("/samples/", {"format": "xlsx"}))) == 4


def test_the_list_does_not_query_per_row(client, request_sample, django_assert_max_num_queries):
    for n in range(6):
        request_sample(description=f"Sample {n}")
    with django_assert_max_num_queries(14):
        assert client.get("/samples/").status_code == 200


def test_a_sample_is_requested_from_the_order_page(client, order):
    page = client.get(f"/orders/{order.pk}/").content.decode()
    assert 'data-testid="samples-section"' in page
    assert f"/samples/new/?order={order.pk}" in page
    form = client.get(f"/samples/new/?order={order.pk}").content.decode()
    assert f'value="{order.pk}" selected' in form
    assert 'value="pp" selected' in form
    line = order.lines.order_by("position").first()
    response = client.post(
        "/samples/new/",
        {
            "kind": "pp",
            "order_id": order.pk,
            "order_line_id": line.pk,
            "quantity": "2",
            "required_date": wd(6).isoformat(),
            "cost": "0",
            "currency": "CNY",
            "paid_by": "company",
        },
    )
    sample = Sample.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/samples/{sample.pk}/"
    assert sample.product == line.product
    assert sample.order == order
    assert "SP-2026-00001" in client.get(f"/orders/{order.pk}/").content.decode()


def test_a_refused_request_keeps_what_was_typed_and_names_the_field(client, customer):
    response = client.post(
        "/samples/new/",
        {
            "kind": "development",
            "customer_id": customer.pk,
            "quantity": "2",
            "colours_sizes": "red",
            "required_date": "",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Say by when the sample is required." in page
    assert 'value="red"' in page
    assert Sample.objects.count() == 0


def test_the_edit_form_refuses_a_stale_version(client, request_sample, merchandiser):
    sample = request_sample()
    from gendan.samples import services

    services.update_sample(sample=sample, by=merchandiser, data={"quantity": "5"})
    response = client.post(
        f"/samples/{sample.pk}/edit/", {"version": "1", "quantity": "9", "required_date": wd(10).isoformat()}
    )
    assert "changed by someone else" in response.content.decode()
    sample.refresh_from_db()
    assert sample.quantity == 5


def test_the_sample_page_offers_the_allowed_actions_and_records_them(client, request_sample):
    sample = request_sample()
    page = client.get(f"/samples/{sample.pk}/").content.decode()
    assert 'data-testid="action-start"' in page
    assert 'data-testid="action-ready"' not in page
    assert 'data-testid="checklist-1"' in page
    assert "Audit trail" in page
    client.post(f"/samples/{sample.pk}/start/")
    client.post(f"/samples/{sample.pk}/ready/")
    page = client.get(f"/samples/{sample.pk}/").content.decode()
    assert "send-in-dispatch" in page
    assert 'data-testid="action-send"' in page
    client.post(f"/samples/{sample.pk}/send/")
    client.post(f"/samples/{sample.pk}/reject/", {"reason": "Wrong shade of navy"})
    sample.refresh_from_db()
    assert (sample.status, sample.round) == ("in_progress", 2)
    page = client.get(f"/samples/{sample.pk}/").content.decode()
    assert "Wrong shade of navy" in page
    assert 'data-testid="round-2"' in page
    response = client.post(f"/samples/{sample.pk}/approve/", follow=True)
    assert "cannot move to Approved" in response.content.decode()
    assert client.post(f"/samples/{sample.pk}/explode/").status_code == 404


def test_the_checklist_and_round_files_are_saved_on_the_page(client, request_sample):
    sample = request_sample()
    client.post(
        f"/samples/{sample.pk}/rounds/1/steps/",
        {
            "version": "1",
            "planned-pattern": "2026-11-20",
            "actual-pattern": "",
            "planned-material": wd(6).isoformat(),
            "actual-material": TODAY.isoformat(),
            "planned-making": wd(8).isoformat(),
            "planned-check": wd(9).isoformat(),
        },
    )
    steps = {s.step: s for s in SampleRound.objects.get(sample=sample).steps.all()}
    assert steps["pattern"].planned_date.isoformat() == "2026-11-20"
    assert steps["material"].actual_date == TODAY
    assert 'data-testid="late-pattern"' in client.get(f"/samples/{sample.pk}/").content.decode()
    photo = SimpleUploadedFile("front.jpg", b"\xff\xd8\xff fake jpeg", content_type="image/jpeg")
    client.post(f"/samples/{sample.pk}/rounds/1/attachments/", {"file": photo})
    page = client.get(f"/samples/{sample.pk}/").content.decode()
    assert "front.jpg" in page
    attachment_url = page.split('href="/attachments/')[1].split('"')[0]
    assert client.get(f"/attachments/{attachment_url}").status_code == 200


def test_roles_that_only_read_see_no_buttons(page_as, make_user, request_sample):
    sample = request_sample()
    qc = page_as(make_user(Role.QC))
    page = qc.get(f"/samples/{sample.pk}/").content.decode()
    assert "sample-actions" not in page
    assert "checklist-form" not in page
    assert qc.get("/samples/new/").status_code == 403
    assert qc.post(f"/samples/{sample.pk}/start/").status_code == 403


def test_a_dispatch_is_registered_on_its_pages_and_prints_a_packing_slip(
    client, request_sample, merchandiser, customer, contact, courier
):
    sample = walk(request_sample(), merchandiser, "start", "ready")
    assert "To which customer?" in client.get("/samples/dispatches/new/").content.decode()
    form = client.get(f"/samples/dispatches/new/?sample={sample.pk}").content.decode()
    assert 'data-testid="ready-SP-2026-00001"' in form
    assert "checked" in form
    assert contact.phone in form
    response = client.post(
        f"/samples/dispatches/new/?sample={sample.pk}",
        {
            "customer_id": customer.pk,
            "contact_id": contact.pk,
            "address": "1 Harbour Rd\nHamburg",
            "phone": contact.phone,
            "sent_date": TODAY.isoformat(),
            "courier_supplier_id": courier.pk,
            "courier": "",
            "tracking_no": "DHL-5566778899",
            "cost": "210",
            "currency": "CNY",
            "expected_arrival_date": "",
            "samples": [str(sample.pk)],
            f"sample-quantity-{sample.pk}": "2",
            "item-kind-1": "catalogue",
            "item-description-1": "2026 产品目录",
            "item-quantity-1": "1",
        },
    )
    dispatch = Dispatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/samples/dispatches/{dispatch.pk}/"
    assert dispatch.items.count() == 2
    assert Sample.objects.get(pk=sample.pk).status == "sent"
    page = client.get(f"/samples/dispatches/{dispatch.pk}/").content.decode()
    assert "DHL-5566778899" in page
    assert "awaiting feedback" in page
    client.post(f"/samples/dispatches/{dispatch.pk}/arrived/", {"date": TODAY.isoformat()})
    dispatch.refresh_from_db()
    assert dispatch.arrival_date == TODAY
    assert dispatch.feedback_due_date == wd(3)
    listed = client.get("/samples/dispatches/", {"awaiting": "on", "customer": customer.pk}).content.decode()
    assert dispatch.number in listed
    assert dispatch.number not in client.get("/samples/dispatches/", {"date_from": wd(1).isoformat()}).content.decode()
    rows = sheet(client.get("/samples/dispatches/", {"format": "xlsx", "courier": courier.pk}))
    assert rows[0][0] == "Number"
    assert rows[1][0] == dispatch.number
    assert rows[1][7] == "DHL-5566778899"
    assert "SP-2026-00001 #1" in rows[1][5]
    assert "2026 产品目录" in rows[1][5]
    pdf = client.get(f"/samples/dispatches/{dispatch.pk}/slip.pdf?language=zh-hans")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed: the slip's text is not checked")
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf.content, capture_output=True, check=True).stdout.decode()
    assert "DHL-5566778899" in text
    assert "北风贸易" in text
    assert "2026 产品目录" in text
    assert "Hamburg" in text
    english = client.get(f"/samples/dispatches/{dispatch.pk}/slip.pdf?language=en").content
    text = subprocess.run(["pdftotext", "-", "-"], input=english, capture_output=True, check=True).stdout.decode()
    assert "Packing slip" in text
    assert "Northwind Trading" in text
    assert "DHL Express" in text


def test_a_dispatch_form_error_keeps_the_choices(client, request_sample, merchandiser, customer):
    sample = walk(request_sample(), merchandiser, "start", "ready")
    response = client.post(
        f"/samples/dispatches/new/?customer={customer.pk}",
        {"customer_id": customer.pk, "address": "x", "courier": "", "samples": [str(sample.pk)]},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Say which courier carries it." in page
    assert "checked" in page
    assert Dispatch.objects.count() == 0


def test_the_dashboard_shows_my_open_samples(client, request_sample):
    request_sample()
    page = client.get("/").content.decode()
    assert "My open samples" in page
    assert "SP-2026-00001" in page
