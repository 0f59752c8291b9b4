"""The pages a gateway answers a person with on the console's paths, where the console cannot,
in a real browser: the local gateway serving HTTP, the console not answering.

Each page is checked with axe-core and kept as a screenshot (test-artifacts/console/all/), as
the console's own pages are."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from selenium.webdriver.support.ui import WebDriverWait
from werkzeug.serving import make_server

from setu.gateway import Gateway
from tests.support.browser import Browser
from tests.support.console_pages import SAYS

DEAD = "http://127.0.0.1:9"

# A form of more than 1 MiB, sent from a page of no site (no Content-Security-Policy).
BIG_FORM = """
const form = document.createElement("form");
form.method = "post";
form.action = arguments[0] + "/console/programmes/p1";
const text = document.createElement("textarea");
text.name = "summary";
text.value = "x".repeat(1100000);
form.appendChild(text);
document.body.appendChild(form);
form.submit();
"""


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    gateway = Gateway({"programmes": DEAD, "notifications": DEAD, "reports": DEAD, "console": DEAD})
    server = make_server("127.0.0.1", 0, gateway, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_each_page_reads_in_three_languages_and_passes_axe(base_url: str):
    browser = Browser(base_url).start()
    try:
        browser.open("/console/programmes/p1")
        assert all(words in browser.text for words in SAYS[503]), browser.text
        browser.check("gateway-console-unavailable", "all")

        browser.open("/console/programmes/%zz")
        assert all(words in browser.text for words in SAYS[400]), browser.text
        browser.check("gateway-console-bad-address", "all")

        browser.driver.get("about:blank")
        browser.driver.execute_script(BIG_FORM, base_url)
        WebDriverWait(browser.driver, 30).until(lambda d: SAYS[413][0] in browser.text)
        assert all(words in browser.text for words in SAYS[413]), browser.text
        browser.check("gateway-console-too-large", "all")

        # Its one link takes the person back to the console.
        browser.click_link("Go to the console")
        assert browser.path == "/console/"
        assert browser.pages_checked == 3
        assert not browser.violations, browser.violations_report()
    finally:
        browser.quit()
