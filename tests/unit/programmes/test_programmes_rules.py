"""Programme field rules that span fields, and API key secrets, on plain Python."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from programmes.domain import programmes as rules
from programmes.domain.keys import bearer_secret, hash_secret, new_secret

JP, IN, OTHER = "org-jp", "org-in", "org-other"
COUNTRIES = {JP: "JP", IN: "IN", OTHER: "JP"}


def fields(**overrides):
    base = {
        "start_date": date(2027, 4, 1),
        "end_date": date(2029, 3, 31),
        "partners": [
            {"organisation_id": JP, "role": "lead"},
            {"organisation_id": IN, "role": "lead"},
        ],
        "budget": [{"organisation_id": JP, "currency": "JPY", "amount": Decimal("100")}],
    }
    return {**base, **overrides}


def test_a_sound_programme_has_no_errors():
    assert rules.validate_programme(fields(), JP, COUNTRIES) == {}


def test_end_must_follow_start_and_stay_within_five_years():
    same_day = fields(end_date=date(2027, 4, 1))
    assert "end_date" in rules.validate_programme(same_day, JP, COUNTRIES)
    too_long = fields(end_date=date(2032, 4, 2))
    assert "end_date" in rules.validate_programme(too_long, JP, COUNTRIES)
    five_years = fields(end_date=date(2032, 4, 1))
    assert rules.validate_programme(five_years, JP, COUNTRIES) == {}


def test_partners_repeat_unknown_and_creator_missing():
    repeated = fields(partners=[{"organisation_id": JP, "role": "lead"}] * 2)
    assert "partners" in rules.validate_programme(repeated, JP, COUNTRIES)
    unknown = fields(
        partners=[
            {"organisation_id": JP, "role": "lead"},
            {"organisation_id": "x", "role": "member"},
        ]
    )
    assert "no such organisation: x" in rules.validate_programme(unknown, JP, COUNTRIES)["partners"]
    assert "partners" in rules.validate_programme(fields(), OTHER, COUNTRIES)


def test_budget_payer_must_be_a_partner_and_amounts_fit_the_currency():
    outsider = fields(budget=[{"organisation_id": OTHER, "currency": "JPY", "amount": Decimal(1)}])
    assert "budget" in rules.validate_programme(outsider, JP, COUNTRIES)
    assert rules.check_amount("JPY", Decimal("10.5")) is not None
    assert rules.check_amount("JPY", Decimal("10.00")) is None
    assert rules.check_amount("INR", Decimal("10.55")) is None
    assert rules.check_amount("INR", Decimal("10.555")) is not None
    assert rules.check_amount("INR", Decimal("-1")) is not None


def test_submission_needs_one_lead_from_each_country():
    both = [{"role": "lead", "country": "JP"}, {"role": "lead", "country": "IN"}]
    assert rules.submission_errors(both) == {}
    two_japanese = [{"role": "lead", "country": "JP"}, {"role": "lead", "country": "JP"}]
    assert "partners" in rules.submission_errors(two_japanese)
    one_lead = [{"role": "lead", "country": "JP"}, {"role": "member", "country": "IN"}]
    assert "partners" in rules.submission_errors(one_lead)
    # A lead whose organisation's country is not known is a lead of neither country.
    unknown = [{"role": "lead", "country": None}, {"role": "lead", "country": "JP"}]
    assert "partners" in rules.submission_errors(unknown)


def test_amounts_and_references_are_formatted_canonically():
    assert rules.format_amount("INR", Decimal("25000000.5")) == "25000000.50"
    assert rules.format_amount("JPY", Decimal("50000000")) == "50000000"
    assert rules.reference(2027, 7) == "JIP-2027-0007"


def test_secrets_are_random_prefixed_and_hashed():
    first, second = new_secret(), new_secret()
    assert first != second and first.startswith("setu_")
    assert hash_secret(first) != first and len(hash_secret(first)) == 64
    assert bearer_secret(f"Bearer {first}") == first
    assert bearer_secret(f"bearer   {first} ") == first
    assert bearer_secret(f"Basic {first}") is None
    assert bearer_secret("Bearer ") is None
    assert bearer_secret(None) is None
