"""What every answer of the console says to the browser to keep the person safe.

A strict Content-Security-Policy (scripts and styles from the console alone, no inline
script, no framing), no referrer (a sign-in link's token never leaves in a Referer), no
sniffing, and no caching of pages that show what a person may see.
"""

from __future__ import annotations

from flask import Flask, Response

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        # The QR code of TOTP enrolment is an SVG shown as a data: image.
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    )
)

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def protect(app: Flask, secure_cookies: bool) -> None:
    app.config.update(
        SESSION_COOKIE_NAME="setu_console",
        SESSION_COOKIE_PATH="/console",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure_cookies,
        # The form's token lives as long as the session; the API bounds the session itself.
        WTF_CSRF_TIME_LIMIT=None,
        WTF_CSRF_SSL_STRICT=secure_cookies,
    )

    @app.after_request
    def headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if not response.headers.get("Cache-Control") or response.mimetype == "text/html":
            response.headers["Cache-Control"] = "no-store"
        return response
