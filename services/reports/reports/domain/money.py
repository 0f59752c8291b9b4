"""Budget amounts: decimal strings in events, integers of minor units in the read model."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from reports.domain.catalogue import MINOR_UNITS


class BadAmount(ValueError):
    pass


def to_minor(currency: str, amount: str) -> int:
    """'1234.50' INR -> 123450 paise; '5000' JPY -> 5000 yen."""
    try:
        value = Decimal(amount)
    except (InvalidOperation, TypeError) as exc:
        raise BadAmount(f"not a decimal amount: {amount!r}") from exc
    if not value.is_finite():
        raise BadAmount(f"not a finite amount: {amount!r}")
    minor = value * MINOR_UNITS[currency]
    if minor != minor.to_integral_value():
        raise BadAmount(f"too many decimals for {currency}: {amount!r}")
    return int(minor)


def from_minor(currency: str, minor: int | None) -> str:
    """123450 INR -> '1234.50'; 5000 JPY -> '5000'."""
    units = MINOR_UNITS[currency]
    value = Decimal(minor or 0) / units
    return f"{value:.2f}" if units > 1 else f"{value:.0f}"
