"""Exchange slots: the total, an optional split by direction, and who holds a slot.

An application holds a slot while ``accepted``, and while ``offered`` (a waitlisted
application offered the slot a withdrawn exchange freed: it is kept for it until the
secretariat accepts or rejects it, or the home organisation withdraws it).
"""

from __future__ import annotations

from collections.abc import Mapping

DIRECTIONS = ("JP_TO_IN", "IN_TO_JP")
# The statuses that hold a slot; an application leaving one frees it for the waitlist.
HOLDING = ("accepted", "offered")

Errors = dict[str, list[str]]


def split_errors(total: int, by_direction: Mapping[str, int] | None) -> Errors:
    """A split names both directions and adds up to the total."""
    if by_direction is None:
        return {}
    field = "exchange_slots_by_direction"
    if sorted(by_direction) != sorted(DIRECTIONS):
        return {field: [f"name both directions: {', '.join(DIRECTIONS)}"]}
    if sum(by_direction.values()) != total:
        return {
            field: [
                f"the directions add up to {sum(by_direction.values())}; exchange_slots is {total}"
            ]
        }
    return {}


def full(
    total: int,
    by_direction: Mapping[str, int] | None,
    direction: str,
    held: int,
    held_in_direction: int,
) -> tuple[str, dict[str, object]] | None:
    """Why one more slot may not be taken when ``held`` slots (``held_in_direction`` in
    ``direction``) are taken by other applications, and its details; None when it may."""
    if held >= total:
        return (
            f"the programme's {total} exchange slots are all taken",
            {"exchange_slots": total, "accepted": held},
        )
    if by_direction is not None and held_in_direction >= by_direction[direction]:
        return (
            f"the programme's {by_direction[direction]} exchange slots {direction} are all taken",
            {
                "direction": direction,
                "exchange_slots_by_direction": dict(by_direction),
                "accepted_in_direction": held_in_direction,
            },
        )
    return None
