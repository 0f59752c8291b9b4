"""What a gateway (nginx or the local one) answers a person on the console's paths when the
console cannot: a page in the three languages, never the API's JSON."""

from __future__ import annotations

from collections.abc import Callable

from setu.gateway import CONSOLE_PAGE_HEADERS

# A sentence of each language's part of each page: the page a person gets is the one for
# what went wrong, and says it in all three.
SAYS = {
    400: ("This address is not valid", "このアドレスは正しくありません", "यह पता मान्य नहीं है"),
    413: ("What you sent is too large", "送信した内容が大きすぎます", "आपने जो भेजा, वह बहुत बड़ा है"),
    503: (
        "The console is not available just now",
        "コンソールは現在ご利用いただけません",
        "कंसोल अभी उपलब्ध नहीं है",
    ),
}


def assert_console_page(
    status: int, header: Callable[[str], str | None], body: bytes, code: int
) -> None:
    """``status``, ``header`` (by name) and ``body`` are the page for ``code``."""
    assert status == code, body[:300]
    assert (header("Content-Type") or "").startswith("text/html"), header("Content-Type")
    text = body.decode("utf-8")
    assert all(words in text for words in SAYS[code]), text
    assert 'lang="ja"' in text and 'lang="hi"' in text and '<a href="/console/">' in text
    for name, value in CONSOLE_PAGE_HEADERS.items():
        assert header(name) == value, (name, header(name))
    assert header("Retry-After") == ("5" if code == 503 else None)
