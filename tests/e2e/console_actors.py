"""Who acts in the console's browser tests: organisations and keys made through the API,
people who sign in by the email they are sent, and a key's session for the console.

People cannot be every actor yet with a few clicks (a person per organisation, each
enrolling TOTP): most steps act as a key of the organisation, put in the console's session
cookie (tests/support/console_session.py), which the console forwards to the API as it
would a person's session.
"""

from __future__ import annotations

import re
import time
import uuid
from pathlib import Path

import pyotp

from tests.e2e.topology import RunningSetu
from tests.support.browser import Browser
from tests.support.console_session import key_session_cookie, secret_key_of
from tests.support.infra import wait_until
from tests.support.smtp import SmtpServer


class People:
    """The organisations and keys of the flow, and who each key is to the console."""

    def __init__(self, system: RunningSetu):
        self.system = system
        self.keys: dict[str, tuple[str, dict]] = {}
        for side in ("JP", "IN"):
            key = system.bootstrap_key(side)
            found = system.api("GET", "/v1/organisations", key, params={"kind": "secretariat"})
            organisation = next(o for o in found.json()["items"] if o["country"] == side)
            self.add(f"secretariat-{side}", key, organisation, "secretariat", side)
        secretariat = self.keys["secretariat-JP"][0]
        suffix = uuid.uuid4().hex[:4]
        for country, name in (("JP", f"Tokyo Institute {suffix}"), ("IN", f"IIT Madras {suffix}")):
            made = system.api(
                "POST",
                "/v1/organisations",
                secretariat,
                json={
                    "name": name,
                    "country": country,
                    "kind": "university",
                    "contact_email": f"office@{country.lower()}.example.org",
                },
            )
            assert made.status_code == 201, made.text
            key = system.api(
                "POST",
                f"/v1/organisations/{made.json()['id']}/api-keys",
                secretariat,
                json={"name": f"{name} office", "role": "partner"},
            )
            assert key.status_code == 201, key.text
            self.add(f"partner-{country}", key.json()["key"], made.json(), "partner", None)

    def add(self, who: str, key: str, organisation: dict, role: str, side: str | None) -> None:
        me = {
            "name": f"{organisation['name']} ({role})",
            "role": role,
            "side": side,
            "organisation_id": organisation["id"],
            "organisation_name": organisation["name"],
            "country": organisation["country"],
            "kind": organisation["kind"],
        }
        self.keys[who] = (key, me)

    def person(self, who: str, name: str) -> dict:
        """A person of ``who``'s organisation, in its role, made with ``who``'s key."""
        key, me = self.keys[who]
        made = self.system.api(
            "POST",
            f"/v1/organisations/{me['organisation_id']}/people",
            key,
            json={
                "name": name,
                "email": f"{uuid.uuid4().hex[:8]}@{me['country'].lower()}-people.example",
                "role": me["role"],
                "language": "en",
            },
        )
        assert made.status_code == 201, made.text
        return made.json()

    def name(self, who: str) -> str:
        return self.keys[who][1]["organisation_name"]


def act_as(browser: Browser, system: RunningSetu, people: People, who: str, language: str):
    """This browser's session becomes ``who``'s (a fresh cookie, as after sign-in)."""
    key, me = people.keys[who]
    secret = secret_key_of(Path(system.env["SETU_DATA_DIR"]))
    browser.open("/console/sign-in")
    browser.delete_cookies()
    browser.add_cookie("setu_console", key_session_cookie(secret, key, me, language))
    browser.open("/console/")
    assert browser.path == "/console/", browser.path


def link_in_email(smtp: SmtpServer, email: str, pattern: str, after: int = 0) -> str:
    """The link matching ``pattern`` in the latest email to ``email`` among those that came
    after the first ``after`` (waiting for it)."""

    def found() -> str | None:
        for message in reversed(smtp.messages[after:]):
            if email not in (message["To"] or ""):
                continue
            body = message.get_body(("plain",))
            link = re.search(rf"https?://\S+?{pattern}", body.get_content() if body else "")
            if link:
                return link.group(0)
        return None

    wait_until(found, timeout=30, message=f"an email to {email} with {pattern}")
    return found() or ""


def fresh_code(person: dict) -> str:
    """A TOTP code of a time step the person has not used: a code is accepted once (RFC
    6238, 5.2), so a second sign-in within 30 s waits for the next step."""
    step = pyotp.TOTP(person["totp"]).interval
    wait_until(
        lambda: int(time.time() // step) != person.get("totp_step"),
        timeout=step + 5,
        interval=0.5,
        message="a time step not used yet",
    )
    person["totp_step"] = int(time.time() // step)
    return pyotp.TOTP(person["totp"]).now()


def sign_in_as_person(
    browser: Browser, system: RunningSetu, smtp: SmtpServer, person: dict, lang: str
) -> None:
    """From the sign-in page: the email, the link it brings, its button, then TOTP (enrolled
    from the key on the page the first time; the person keeps it for the next)."""
    assert browser.path.startswith("/console/sign-in"), browser.path
    before = len(smtp.messages)
    browser.fill("Email address", person["email"])
    browser.click_button("Send me a sign-in link")
    assert "Check your email" in browser.text
    browser.check("check-your-email", lang)
    browser.driver.get(link_in_email(smtp, person["email"], r"/console/sign-in/setul_\S+", before))
    browser.check("sign-in-link", lang)
    browser.click_button("Sign in")
    if browser.path == "/console/two-factor/set-up":
        browser.check("totp-enrolment", lang)
        person["totp"] = browser.driver.find_element("css selector", "code.secret").text
        browser.fill("6-digit code", fresh_code(person))
        browser.click_button("Continue")
        assert "Your recovery codes" in browser.text, browser.text
        browser.check("recovery-codes", lang)
        browser.click_link("I have kept them")
    elif browser.path == "/console/two-factor/code":
        browser.check("totp-code", lang)
        browser.fill("6-digit code", fresh_code(person))
        browser.click_button("Continue")
