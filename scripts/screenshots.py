"""Take the user guide's screenshots from a running Gendan with a freshly loaded demo company.

Usage: .venv/bin/python scripts/screenshots.py [--base http://127.0.0.1:8000] [--out docs/screenshots] [--lang zh-hans]

Run it against a throwaway database (GENDAN_VAR_DIR=/tmp/…): besides looking, it rejects one review item,
saves one order change and provokes one stale-version conflict, so the pages show those states for real.
Every picture is 1400 px wide; long pages are cut at MAX_HEIGHT to keep the files small.
"""

import argparse
import io
import re
import shutil
import tempfile
from pathlib import Path

from openpyxl import load_workbook
from playwright.sync_api import BrowserContext, Page, sync_playwright

WIDTH = 1400
MAX_HEIGHT = 1800  # long pages are cut here
LIST_HEIGHT = 1000  # lists: the filters and the first rows are enough
PASSWORD = "gendan-demo"


class Shooter:
    def __init__(self, ctx: BrowserContext, out: Path, lang: str) -> None:
        self.ctx = ctx
        self.out = out
        self.lang = lang
        self.page = ctx.new_page()
        self.user: str | None = None

    # ---- session --------------------------------------------------------------------------------

    def login(self, user: str, lang: str | None = None) -> Page:
        lang = lang or self.lang
        page = self.page
        if user != self.user:
            self.ctx.clear_cookies()
            page.goto("/login/")
            page.fill("#id_username", user)
            page.fill("#id_password", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_load_state()
            self.user = user
        if lang:
            self.set_language(lang)
        return page

    def set_language(self, lang: str) -> None:
        button = self.page.locator(f"form[action$='/account/language/'] button[value='{lang}']")
        if button.count():
            button.first.click()
            self.page.wait_for_load_state()

    # ---- pictures -------------------------------------------------------------------------------

    def shot(self, name: str, *, selector: str | None = None, max_height: int = MAX_HEIGHT, top: int = 0) -> None:
        path = self.out / f"{name}.png"
        page = self.page
        if selector:
            page.locator(selector).first.screenshot(path=str(path))
        else:
            page.evaluate("window.scrollTo(0, 0)")
            height = page.evaluate("document.documentElement.scrollHeight")
            clip = {"x": 0, "y": top, "width": WIDTH, "height": min(height - top, max_height)}
            page.screenshot(path=str(path), full_page=True, clip=clip)
        print(f"{name}: {page.url}")

    def visit(self, user: str, path: str, name: str, **kw: object) -> Page:
        page = self.login(user)
        page.goto(path)
        page.wait_for_load_state()
        self.shot(name, **kw)  # type: ignore[arg-type]
        return page

    def first_order(self, query: str) -> str:
        """The path of the first order the order list shows for `query` (e.g. status=in_review)."""
        page = self.page
        page.goto(f"/orders/?{query}")
        for href in page.locator("table a[href*='/orders/']").evaluate_all(
            "els => els.map(e => e.getAttribute('href'))"
        ):
            if href and re.fullmatch(r"/orders/\d+/", href):
                return href
        raise SystemExit(f"no order for {query}")


def bad_customer_file(template: bytes) -> Path:
    """The customer template with one good row and three bad ones, for the import error report."""
    wb = load_workbook(io.BytesIO(template))
    ws = wb.active
    ws.delete_rows(2, ws.max_row)
    headers = [str(c.value or "") for c in ws[1]]

    def row(**values: str) -> list[str]:
        cells = []
        for h in headers:
            key = next((k for k in values if k in h.lower()), None)
            cells.append(values[key] if key else "")
        return cells

    ws.append(row(code="C-NEW1", name="宁波海通贸易", tier="重点客户", country="CN", currency="USD"))
    ws.append(row(code="C-NEW2", name="Hansa Home GmbH", tier="normal", country="Germany", currency="EUR"))
    ws.append(row(code="C NEW3", name="", tier="vip", country="US", currency="USD"))
    ws.append(row(code="C-NEW4", name="Kaya Living", tier="prospect", country="TR", currency="XYZ"))
    path = Path(tempfile.mkdtemp()) / "customers.xlsx"
    wb.save(path)
    return path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", default="http://127.0.0.1:8000")
    ap.add_argument("--out", default="docs/screenshots")
    ap.add_argument("--lang", default="zh-hans", help="the language of the pictures (en or zh-hans)")
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
        )

        def context(lang: str) -> BrowserContext:
            # the browser's own widgets (date inputs, file pickers) follow its locale
            locale = "zh-CN" if lang.startswith("zh") else "en-US"
            return browser.new_context(base_url=args.base, viewport={"width": WIDTH, "height": 900}, locale=locale)

        ctx = context(args.lang)
        s = Shooter(ctx, out, args.lang)

        # sign-in page, in the chosen language
        s.page.goto("/login/")
        if args.lang:
            s.page.locator(f"button[value='{args.lang}']").first.click()
            s.page.wait_for_load_state()
        s.shot("login")

        # getting started
        s.visit("merch1", "/", "dashboard")
        s.visit("planner", "/", "review-dashboard")

        # master data
        s.visit("sales1", "/partners/customers/", "customers", max_height=LIST_HEIGHT)
        s.visit("sales1", "/partners/customers/1/", "customer-detail")
        s.visit("buyer", "/partners/suppliers/", "suppliers", max_height=LIST_HEIGHT)
        s.visit("buyer", "/partners/suppliers/?kind=subcontract", "suppliers-subcontract")
        s.visit("planner", "/catalog/products/", "products", max_height=LIST_HEIGHT)
        s.visit("planner", "/catalog/products/1/", "product-detail")
        s.visit("planner", "/catalog/products/1/bom/", "bom-edit")
        s.visit("buyer", "/catalog/materials/", "materials", max_height=LIST_HEIGHT)
        page = s.login("sales1")
        page.goto("/partners/customers/import/")
        template = page.request.get("/partners/customers/import/template/").body()
        page.set_input_files("input[type=file]", str(bad_customer_file(template)))
        page.click("form[enctype] button[type=submit]")
        page.wait_for_load_state()
        s.shot("import-errors")

        # orders
        s.visit("merch1", "/orders/", "orders", max_height=LIST_HEIGHT)
        page = s.login("merch1")
        page.goto("/orders/add/")
        page.select_option("select[name=customer]", index=14)
        page.fill("input[name=customer_po]", "PO-778")
        page.fill("input[name=ex_factory_date]", "2027-03-15")
        page.fill("textarea[name=quality_requirements]", "按客户确认的产前样生产; 色差 ≥ 4 级")
        for i, (product, qty, price) in enumerate([(1, "1200", "3.25"), (5, "800", "12.60")]):
            page.select_option(f"select[name='lines-{i}-product']", index=product)
            page.fill(f"input[name='lines-{i}-quantity']", qty)
            page.fill(f"input[name='lines-{i}-unit_price']", price)
        s.shot("order-form")
        page = s.login("planner")
        review = s.first_order("status=in_review")
        page.goto(review)
        page.locator("details[data-testid=earlier-round]").evaluate_all("els => els.forEach(e => e.open = true)")
        s.shot("order-review", selector="#review")
        s.shot("order-in-review", max_height=1300)
        # a rejection sends the order back to draft with the comments
        page = s.login("qc")
        page.goto(review)
        row = page.locator("tr[data-testid=review-item][data-topic=quality]")
        row.locator("input[name=comment]").fill("客户要求的色牢度 4 级未写明测试标准, 请补充 ISO 105-C06 测试方法")
        row.locator("[data-testid=review-reject]").click()
        page.wait_for_load_state()
        page.wait_for_timeout(500)
        page.goto(review)
        s.shot("order-rejected", max_height=900)
        # a manager may confirm without every pass, with a written reason
        page = s.login("manager")
        page.goto(s.first_order("status=in_review"))
        page.locator("[data-testid=open-confirm]").click()
        page.fill("[data-testid=reason-confirm]", "客户急单, 品质要求已口头确认, 书面资料 3 天内补齐")
        s.shot("order-override", max_height=900)

        # a confirmed order with a revision, in both languages
        page = s.login("merch1")
        confirmed, editable = None, None
        for status in ("confirmed", "in_production"):
            page.goto(f"/orders/?status={status}")
            hrefs = page.locator("table a[href*='/orders/']").evaluate_all(
                "els => els.map(e => e.getAttribute('href'))"
            )
            for href in hrefs:
                if confirmed or not re.fullmatch(r"/orders/\d+/", href or ""):
                    continue
                page.goto(href)
                if page.locator("[data-testid=edit-order]").count():
                    editable = editable or href
                    if page.locator("[data-testid=order-revision]").count():
                        confirmed = href
        confirmed = confirmed or editable or s.first_order("status=confirmed")
        page.goto(confirmed)
        s.shot("order-detail")
        s.shot("order-history", selector="#audit")
        en = Shooter(context("en"), out, "en")
        en.login("merch1")
        en.page.goto(confirmed)
        en.shot("order-detail-en")
        if args.lang:
            en.set_language(args.lang)  # the language is saved with the account: put it back
        en.ctx.close()
        s.login("merch1")

        # changing the confirmed order; meanwhile a second tab saves first (stale version)
        page.goto(f"{confirmed}edit/")
        other = ctx.new_page()
        other.goto(f"{confirmed}edit/")
        qty = page.locator("input[name='lines-0-quantity']")
        qty.fill(str(int(float(qty.input_value())) + 500))
        page.fill("textarea[name=change_reason]", "客户邮件 11/20 追加 500 件, 出厂日期不变")
        s.shot("order-change")
        page.click("[data-testid=save-order]")
        page.wait_for_load_state()
        page.goto(confirmed)
        s.shot("order-revisions-after", selector="#revisions")
        other.fill("input[name=ex_factory_date]", "2027-03-31")
        other.fill("textarea[name=change_reason]", "客户要求延期")
        other.click("[data-testid=save-order]")
        other.wait_for_load_state()
        s.page, keep = other, s.page
        s.shot("order-stale", max_height=700)
        s.page = keep
        other.close()
        s.visit("planner", "/inbox/", "inbox", max_height=LIST_HEIGHT)

        # follow-up: the chase list, the risk board, an order's plan, a template
        s.visit("merch1", "/follow-up/chase/", "chase-list", max_height=1300)
        page = s.visit("manager", "/follow-up/risk/", "risk-board", max_height=1300)
        at_risk = page.locator("tr[data-testid=risk-row] a").first.get_attribute("href") or "/"
        page.goto(at_risk.split("#")[0])
        page.wait_for_load_state()
        s.shot("order-plan", selector="#plan")
        s.visit("manager", "/follow-up/templates/", "ta-templates", max_height=LIST_HEIGHT)
        page.locator("[data-testid=template-list] a").first.click()
        page.wait_for_load_state()
        s.shot("ta-template")

        # purchasing and stock: an order's materials, a PO, the supplier's page, the reports
        page = s.visit("manager", "/follow-up/risk/?driving_milestone=MIH", "risk-board-materials", max_height=900)
        short = page.locator("tr[data-testid=risk-row] a").first.get_attribute("href") or "/"
        page.goto(short.split("#")[0])
        page.wait_for_load_state()
        s.shot("order-materials", selector="#materials")
        s.visit("buyer", "/purchasing/requirements/", "purchasing-requirements", max_height=LIST_HEIGHT)
        page = s.visit("buyer", "/purchasing/?status=confirmed", "purchase-orders", max_height=LIST_HEIGHT)
        page.locator("[data-testid=po-list] tbody a").first.click()
        page.wait_for_load_state()
        s.shot("purchase-order", max_height=1400)
        link = page.get_by_test_id("supplier-link").input_value()
        outsider = browser.new_context(viewport={"width": WIDTH, "height": 900}, locale="zh-CN").new_page()
        outsider.goto(link)
        outsider.screenshot(path=str(out / "supplier-page.png"), full_page=True)
        outsider.context.close()
        s.visit("qc", "/purchasing/inspections/", "incoming-inspection", max_height=LIST_HEIGHT)
        s.visit("buyer", "/purchasing/scorecards/", "supplier-scorecards", max_height=1100)
        s.visit("buyer", "/purchasing/delays/", "delay-causes", max_height=1300)
        s.visit("buyer", "/inventory/", "stock", max_height=LIST_HEIGHT)
        browser.close()


if __name__ == "__main__":
    main()
