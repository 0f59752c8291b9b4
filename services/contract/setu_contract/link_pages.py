"""A page for a person who follows a link from an email to one of the API's paths.

Two links in Setu's emails are not console pages: unsubscribe (notifications) and a report's
download (reports). A browser following one prefers HTML, and is answered with a short page
in the person's language (the email's, where the link says it, else the browser's) instead
of JSON; a program asking for JSON, or for anything, gets the API's JSON as before.
"""

from __future__ import annotations

from flask import Response, request
from markupsafe import Markup

from setu_contract.translations import LANGUAGES, N_, WORDS, supported

LINK_NOT_WORKING = N_("This link does not work")


def prefers_a_page() -> bool:
    """A browser's request (it prefers HTML to JSON), not a program's."""
    return request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html"


def page_language(said: str | None = None) -> str:
    """``said`` (the email's language, as its link carries it) if Setu writes it, else the
    browser's best match, else English."""
    if said in LANGUAGES:
        return supported(said)
    return supported(request.accept_languages.best_match(LANGUAGES))


def link_page(language: str, title: str, body: Markup, status: int = 200) -> Response:
    """A page with ``title`` as its heading, readable on a phone, with no script or style."""
    html = Markup(
        '<!DOCTYPE html><html lang="{language}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>{title} &ndash; Setu</title></head><body><main><h1>{title}</h1>{body}</main>"
        "</body></html>"
    ).format(language=language, title=title, body=body)
    return Response(html, status=status, mimetype="text/html")


def link_not_working(language: str, advice: str, onward: tuple[str, str] | None = None) -> Response:
    """404: the link does not work, ``advice`` (in ``language``) says what to do, and
    ``onward`` (a path of this site and its words) is where to go instead."""
    title = WORDS.translations(language).gettext(LINK_NOT_WORKING)
    body = Markup("<p>{}</p>").format(advice)
    if onward is not None:
        body += Markup('<p><a href="{}">{}</a></p>').format(*onward)
    return link_page(language, title, body, 404)
