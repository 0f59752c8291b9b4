"""A secret is refused when it is missing, published with Setu, short or plain."""

from __future__ import annotations

import pytest

from setu_contract.secret_settings import (
    KNOWN_VALUES,
    MIN_LENGTH,
    UnsafeSecret,
    checked_secret,
    new_secret,
)


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "setu-development-secret",  # the code's old default
        "change-me-setu-development-secret",  # docker-compose.yml's old default
        "CHANGE-ME-SETU-DEVELOPMENT-SECRET ",
        "x" * (MIN_LENGTH - 1),
        "ab" * MIN_LENGTH,
    ],
)
def test_an_unusable_secret_is_refused_naming_the_variable(value: str | None):
    with pytest.raises(UnsafeSecret, match="SETU_INTERNAL_SECRET"):
        checked_secret("SETU_INTERNAL_SECRET", value)


def test_a_random_secret_is_accepted_and_never_a_known_one():
    made = {new_secret() for _ in range(20)}
    assert len(made) == 20 and not made & KNOWN_VALUES
    for value in made:
        assert checked_secret("SETU_SECRET_KEY", value) == value
