"""ETags from aggregate versions, and the If-Match check of an edit."""

from __future__ import annotations

from setu_contract.errors import PreconditionFailed


def etag(resource_id: str, version: int) -> str:
    return f'"{resource_id}.{version}"'


def check_if_match(if_match: str | None, resource_id: str, version: int) -> None:
    """No If-Match passes; otherwise one of its tags (or ``*``) must be the current one."""
    if if_match is None:
        return
    current = etag(resource_id, version)
    tags = {tag.strip().removeprefix("W/") for tag in if_match.split(",")}
    if "*" not in tags and current not in tags:
        raise PreconditionFailed(
            "the resource has changed since you read it: fetch it again",
            {"etag": current},
        )
