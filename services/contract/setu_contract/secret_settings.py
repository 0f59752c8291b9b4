"""The two secrets of a deployment, and what makes a value usable as one.

``SETU_SECRET_KEY`` signs the links in emails (one-click unsubscribe); ``SETU_INTERNAL_SECRET``
signs the identity the gateway passes on to the services (``http.sign_identity``) and the
person's address the console names to the API (``http.sign_client_address``). No service
has a default for either: ``setu up`` makes random ones for a laptop and passes them to the
processes it starts; everywhere else the operator sets them. A service that uses one refuses
to start without it, with a value Setu's code or docker-compose.yml once published, or with
one too short or too plain to resist guessing.
"""

from __future__ import annotations

import secrets

SECRET_KEY = "SETU_SECRET_KEY"
INTERNAL_SECRET = "SETU_INTERNAL_SECRET"
SECRET_VARIABLES = (SECRET_KEY, INTERNAL_SECRET)

MIN_LENGTH = 32
MIN_DISTINCT_CHARACTERS = 10

# Published values: whoever read the code or the compose file could forge with them.
KNOWN_VALUES = frozenset(
    {
        "setu-development-secret",
        "change-me-setu-development-secret",
        "change-me",
        "changeme",
        "secret",
    }
)

HOW_TO_MAKE_ONE = "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"


class UnsafeSecret(ValueError):
    """A secret that is missing, published, or guessable: the process must not start."""


def checked_secret(variable: str, value: str | None) -> str:
    """``value`` when it is usable as ``variable``, else UnsafeSecret saying why."""
    if not value:
        problem = "is not set"
    elif value.strip().lower() in KNOWN_VALUES:
        problem = "is a value published with Setu"
    elif len(value) < MIN_LENGTH:
        problem = f"is shorter than {MIN_LENGTH} characters"
    elif len(set(value)) < MIN_DISTINCT_CHARACTERS:
        problem = f"has fewer than {MIN_DISTINCT_CHARACTERS} different characters"
    else:
        return value
    raise UnsafeSecret(f"{variable} {problem}: set it to a long random value ({HOW_TO_MAKE_ONE})")


def new_secret() -> str:
    """A random value fit for either secret."""
    return secrets.token_urlsafe(48)
