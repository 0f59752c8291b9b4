"""A multipart/alternative message written directly as bytes (RFC 5322, 2045-2047).

Writing a message with the ``email`` package costs more than everything else done for an
email (about a millisecond: a parse tree per header, folded again when flattened). Our
emails have one shape, so it is written here: header lines of printable ASCII (an
unstructured value that is not is written as UTF-8 encoded-words), CRLF line endings, a
text and an HTML part in 7bit when they are ASCII with short lines, otherwise in
quoted-printable or base64, whichever is shorter. ``plain`` says which values may be
written as they are; the caller sends anything else through the ``email`` package.
"""

from __future__ import annotations

import base64
import binascii
import re
import uuid

CRLF = "\r\n"
# RFC 5322: lines SHOULD be at most 78 characters and MUST be at most 998.
FOLD_AT = 78
MAX_LINE = 998
# Encoded-words of 42 bytes (56 base64 characters, 68 in all) fit a folded line with
# the longest header name that uses them (``Subject: ``), and RFC 2047's 75.
_WORD_BYTES = 42
_ADDR_SPEC = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
)


def plain(value: str) -> bool:
    """Printable ASCII that no reader would take for an encoded-word, on one legal line."""
    return value.isascii() and value.isprintable() and "=?" not in value and len(value) < 900


def simple_address(value: str) -> bool:
    """A bare ASCII ``local@domain`` (dot-atoms): written as it is in a header and to SMTP."""
    return _ADDR_SPEC.fullmatch(value) is not None


def _encoded_words(value: str) -> list[str]:
    data = value.encode()
    words = []
    start = 0
    while start < len(data):
        end = min(start + _WORD_BYTES, len(data))
        while end < len(data) and data[end] & 0xC0 == 0x80:  # not inside a character
            end -= 1
        encoded = binascii.b2a_base64(data[start:end], newline=False).decode("ascii")
        words.append(f"=?utf-8?b?{encoded}?=")
        start = end
    return words


def unstructured(name: str, value: str) -> str:
    """``Name: value`` CRLF, folded at spaces to 78 columns; as encoded-words if the value
    is not plain or has a word too long to fold."""
    words = value.split(" ")
    if not plain(value) or max(len(word) for word in words) > FOLD_AT - len(name) - 2:
        return f"{name}: " + f"{CRLF} ".join(_encoded_words(value) or [""]) + CRLF
    lines = []
    line = f"{name}:"
    for word in words:
        # Fold before a word, never leaving a line of the name alone or of spaces only.
        if len(line) + 1 + len(word) > FOLD_AT and line.strip() and line != f"{name}:":
            lines.append(line)
            line = ""
        line += " " + word
    lines.append(line)
    return CRLF.join(lines) + CRLF


def _body(text: str) -> tuple[str, bytes]:
    """The transfer encoding and the encoded body (CRLF line endings, ending with one)."""
    lines = text.encode().splitlines()
    data = b"\r\n".join(lines) + b"\r\n"
    if data.isascii() and all(len(line) <= MAX_LINE for line in lines):
        return "7bit", data
    quoted = binascii.b2a_qp(data, istext=True)
    encoded = base64.encodebytes(data).replace(b"\n", b"\r\n")
    if len(quoted) <= len(encoded):
        return "quoted-printable", quoted
    return "base64", encoded


def _part(subtype: str, text: str) -> tuple[bytes, bool]:
    """A text part in UTF-8, and whether its body is written as it is (7bit)."""
    encoding, body = _body(text)
    head = (
        f'Content-Type: text/{subtype}; charset="utf-8"{CRLF}'
        f"Content-Transfer-Encoding: {encoding}{CRLF}{CRLF}"
    )
    return head.encode("ascii") + body, encoding == "7bit"


def alternative(headers: str, text: str, html: str) -> bytes:
    """A message of ``headers`` (written lines, each ending in CRLF) and the two parts."""
    text_part, text_raw = _part("plain", text)
    html_part, html_raw = _part("html", html)
    while True:
        boundary = f"==setu-{uuid.uuid4().hex}=="
        marker = boundary.encode("ascii")
        # Encoded bodies cannot hold it ("=" is =3D in quoted-printable, not in base64).
        if not (text_raw and marker in text_part) and not (html_raw and marker in html_part):
            break
    delimiter = b"\r\n--" + marker
    return b"".join(
        (
            headers.encode("ascii"),
            b"MIME-Version: 1.0\r\n",
            b'Content-Type: multipart/alternative;\r\n boundary="' + marker + b'"\r\n\r\n',
            b"--" + marker + b"\r\n",
            text_part,
            delimiter + b"\r\n",
            html_part,
            delimiter + b"--\r\n",
        )
    )
