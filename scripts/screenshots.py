"""Take screenshots of the main pages of a running demo (for a human to look at).

Usage: .venv/bin/python scripts/screenshots.py [BASE_URL] [OUT_DIR]
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
OUT = Path(sys.argv[2] if len(sys.argv) > 2 else "var/screenshots")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def login(page, user):
    page.goto(f"{BASE}/login/")
    page.fill("#id_username", user)
    page.fill("#id_password", "Demo@2021pass")
    page.click("button[type=submit]")
    page.screenshot(path=OUT / f"home-{user}.png", full_page=True)  # the task list every user lands on
    page.click("a.task-link >> nth=0")


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
        page.goto(f"{BASE}/login/")
        page.screenshot(path=OUT / "login.png")
        login(page, "sxadmin")
        page.wait_for_timeout(800)
        page.screenshot(path=OUT / "province-overview.png")
        page.goto(page.url.split("?")[0] + "?sort=-score")
        link = page.locator("#submissions a", has_text="评分表").first
        link.click()
        page.screenshot(path=OUT / "scorecard.png", full_page=True)
        page.context.clear_cookies()
        login(page, "c140525")
        page.screenshot(path=OUT / "county-submission.png", full_page=True)
        for name, sel in (("county-data", "数据填报"), ("county-excel", "Excel 导入"), ("county-self", "自评打分")):
            page.click(f".tabs a:has-text('{sel}')")
            page.screenshot(path=OUT / f"{name}.png", full_page=True)
        browser.close()
    print(f"screenshots in {OUT}")


if __name__ == "__main__":
    main()
