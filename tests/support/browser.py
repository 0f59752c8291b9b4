"""A real browser for the console's tests: Debian's Chromium, headless, driven by Selenium.

It acts by what a person sees: links by their text, buttons by their name, fields by their
label. On every page it can run axe-core (from the npm registry, installed by
deploy/install-tools.sh into .tools/) and save a full-page screenshot.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / ".tools" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts" / "console"
BLOCKING_IMPACTS = ("serious", "critical")
# The window a person's desktop browser shows, in CSS pixels; and a phone's screen, to
# which every page reflows without scrolling sideways.
WIDTH, HEIGHT = 1280, 1000
PHONE_WIDTH = 360

AXE_RUN = """
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ["violations"]})
  .then(r => done(r.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}))))
  .catch(e => done([{id: "axe-error", impact: "critical", help: String(e), nodes: []}]));
"""


def chromium_paths() -> tuple[str, str]:
    binary = shutil.which("chromium") or "/usr/bin/chromium"
    driver = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    assert Path(binary).exists() and Path(driver).exists(), (
        "Chromium and chromium-driver are missing: run `bash deploy/install-tools.sh`"
    )
    return binary, driver


def xpath_text(text: str) -> str:
    """``text`` as an XPath string literal (it may hold either quote)."""
    if '"' not in text:
        return f'"{text}"'
    if "'" not in text:
        return f"'{text}'"
    return "concat(" + ", '\"', ".join(f'"{part}"' for part in text.split('"')) + ")"


def _file_name(name: str) -> str:
    """A page's or a test's name as an artifact's file name (no extension)."""
    return re.sub(r"[^a-z0-9-]+", "-", name.lower())[:120]


@dataclass
class Browser:
    base_url: str
    driver: Any = None
    violations: list[dict[str, Any]] = field(default_factory=list)
    pages_checked: int = 0

    def start(self) -> Browser:
        binary, driver = chromium_paths()
        options = webdriver.ChromeOptions()
        options.binary_location = binary
        for argument in (
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            f"--window-size={WIDTH},{HEIGHT}",
            "--lang=en-GB",
            "--force-device-scale-factor=1",
        ):
            options.add_argument(argument)
        self.driver = webdriver.Chrome(options=options, service=Service(driver))
        self.driver.set_page_load_timeout(30)
        self.driver.set_script_timeout(60)
        return self

    def quit(self) -> None:
        if self.driver is not None:
            self.driver.quit()

    # What a person does.
    def open(self, path: str) -> None:
        self.driver.get(self.base_url + path)

    def click(self, element: Any) -> None:
        """Click, and wait for the page it leads to (a form's POST, then its redirect)."""
        page = self.driver.find_element(By.TAG_NAME, "html")
        element.click()

        def left(_driver: Any) -> bool:
            try:
                page.is_enabled()
            except WebDriverException:
                # Stale, or (Chromium, mid-navigation) "node does not belong to the
                # document": the page the click started from is gone either way.
                return True
            return False

        WebDriverWait(self.driver, 30).until(left)
        WebDriverWait(self.driver, 30).until(
            lambda driver: driver.execute_script("return document.readyState") == "complete"
        )

    def click_link(self, text: str) -> None:
        self.click(self.driver.find_element(By.PARTIAL_LINK_TEXT, text))

    def click_button(self, name: str) -> None:
        self.click(
            self.driver.find_element(By.XPATH, f"//button[normalize-space()={xpath_text(name)}]")
        )

    def field(self, label: str) -> Any:
        found = self.driver.find_element(
            By.XPATH, f"//label[normalize-space()={xpath_text(label)}]"
        )
        return self.driver.find_element(By.ID, found.get_attribute("for"))

    def fill(self, label: str, value: str) -> None:
        element = self.field(label)
        element.clear()
        element.send_keys(value)

    def choose(self, label: str, option_containing: str) -> None:
        select = Select(self.field(label))
        for option in select.options:
            if option_containing in option.text:
                select.select_by_visible_text(option.text)
                return
        raise AssertionError(f"no option with {option_containing!r} in {label!r}")

    def tick(self, label: str) -> None:
        self.field(label).click()

    @property
    def text(self) -> str:
        return self.driver.find_element(By.TAG_NAME, "body").text

    @property
    def path(self) -> str:
        return self.driver.current_url.removeprefix(self.base_url)

    def add_cookie(self, name: str, value: str, path: str = "/console") -> None:
        self.driver.add_cookie({"name": name, "value": value, "path": path, "httpOnly": True})

    def delete_cookies(self) -> None:
        self.driver.delete_all_cookies()

    # What the tests check on every page.
    def check(self, name: str, language: str) -> None:
        """axe-core on this page (serious and critical violations kept for the test to
        assert), the page on a phone's screen without scrolling sideways (kept as a
        violation if it does) and a full-page screenshot under
        test-artifacts/console/<language>/."""
        assert AXE.exists(), "axe-core is missing: run `bash deploy/install-tools.sh`"
        self.driver.execute_script(AXE.read_text())
        found = self.driver.execute_async_script(AXE_RUN)
        self.pages_checked += 1
        for violation in found:
            if violation["impact"] in BLOCKING_IMPACTS:
                self.violations.append({"page": f"{language}/{name}", **violation})
        sideways = self.sideways_on_a_phone()
        if sideways > 0:
            self.violations.append(
                {
                    "page": f"{language}/{name}",
                    "id": "reflow",
                    "impact": "serious",
                    "help": f"the page scrolls {sideways}px sideways at {PHONE_WIDTH}px wide "
                    "(WCAG 1.4.10)",
                }
            )
        self.screenshot(name, language)

    def sideways_on_a_phone(self) -> int:
        """How far this page scrolls sideways on a phone's screen (0: it reflows)."""
        self.driver.set_window_size(PHONE_WIDTH, HEIGHT)
        try:
            return int(
                self.driver.execute_script(
                    "const page = document.documentElement;"
                    "return page.scrollWidth - page.clientWidth;"
                )
            )
        finally:
            self.driver.set_window_size(WIDTH, HEIGHT)

    def screenshot(self, name: str, language: str) -> Path:
        directory = ARTIFACTS / language
        directory.mkdir(parents=True, exist_ok=True)
        height = self.driver.execute_script("return document.documentElement.scrollHeight")
        self.driver.set_window_size(WIDTH, max(800, min(int(height) + 120, 6000)))
        path = directory / f"{_file_name(name)}.png"
        self.driver.save_screenshot(str(path))
        self.driver.set_window_size(WIDTH, HEIGHT)
        return path

    def save_failure(self, name: str) -> Path:
        """The page as the browser shows it when a test fails: its address and text, its HTML
        and a screenshot, under test-artifacts/console/failures/ (the test's name)."""
        directory = ARTIFACTS / "failures"
        directory.mkdir(parents=True, exist_ok=True)
        stem = directory / _file_name(name)
        stem.with_suffix(".txt").write_text(f"{self.driver.current_url}\n\n{self.text}\n")
        stem.with_suffix(".html").write_text(self.driver.page_source)
        self.driver.save_screenshot(str(stem.with_suffix(".png")))
        return stem.with_suffix(".txt")

    def violations_report(self) -> str:
        return json.dumps(self.violations, ensure_ascii=False, indent=1)
