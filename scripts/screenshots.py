"""Take the user guide's screenshots from a running Gendan with the demo data.

Usage: .venv/bin/python scripts/screenshots.py [--base http://127.0.0.1:8000] [--out docs/screenshots] [--lang en]
"""

import argparse
import re
import shutil
from pathlib import Path

from playwright.sync_api import sync_playwright

PAGES = [
    ("dashboard", "/", "merch1"),
    ("orders", "/orders/", "merch1"),
    ("order-detail", None, "merch1"),  # the first confirmed order with a revision, found on the list
    ("order-form", "/orders/add/", "merch1"),
    ("customers", "/partners/customers/", "sales1"),
    ("customer-detail", "/partners/customers/1/", "sales1"),
    ("products", "/catalog/products/", "planner"),
    ("product-detail", "/catalog/products/1/", "planner"),
    ("materials", "/catalog/materials/", "buyer"),
    ("suppliers", "/partners/suppliers/", "buyer"),
    ("review-dashboard", "/", "planner"),
    ("inbox", "/inbox/", "planner"),
]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", default="http://127.0.0.1:8000")
    ap.add_argument("--out", default="docs/screenshots")
    ap.add_argument("--lang", default="", help="switch every user to this language first (en or zh-hans)")
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
        )
        ctx = browser.new_context(base_url=args.base, viewport={"width": 1400, "height": 900})
        page = ctx.new_page()
        page.goto("/login/")
        page.screenshot(path=str(out / "login.png"))
        current = None
        for name, path, user in PAGES:
            if user != current:
                ctx.clear_cookies()
                page.goto("/login/")
                page.fill("#id_username", user)
                page.fill("#id_password", "gendan-demo")
                page.click("button[type=submit]")
                page.wait_for_load_state()
                if args.lang:
                    page.evaluate(
                        """lang => { const f = document.querySelector("form[action$='/account/language/']");
                        if (f) { const b = f.querySelector(`button[value='${lang}']`); if (b) b.click(); } }""",
                        args.lang,
                    )
                    page.wait_for_load_state()
                current = user
            if path is None:
                page.goto("/orders/?status=confirmed")
                href = page.locator("table a[href*='/orders/']").first.get_attribute("href")
                path = href if href and re.search(r"/orders/\d+/", href) else "/orders/1/"
            page.goto(path)
            page.wait_for_load_state()
            page.screenshot(path=str(out / f"{name}.png"), full_page=True)
            print(f"{name}: {path}")
        browser.close()


if __name__ == "__main__":
    main()
