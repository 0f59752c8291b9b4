"""Webhooks: an organisation's endpoints, a new one (its signing secret shown on the answer
to the form, once), removal, and an endpoint's delivery log (each event sent to it, its
status and attempts; the API sends again by itself and has no retry to ask for)."""

from __future__ import annotations

import functools
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from console.api_client.base import ApiError
from console.api_client.webhooks_api_client import DELIVERIES_PAGE, WebhooksApiClient
from console.paging import page_number, pages_of
from console.signed_in import api, signed_in
from console.translations import gettext as _
from setu_contract.events import EventType

blp = Blueprint("webhooks", __name__, url_prefix="/console/webhooks")

# What an endpoint may subscribe to: every event but report.generated (the notifications
# service's own rule; the API refuses the rest).
EVENT_TYPES = tuple(t.value for t in EventType if t is not EventType.REPORT_GENERATED)


def _index(values: dict[str, Any], errors: dict[str, list[str]], code: int = 200) -> Any:
    return render_template(
        "webhooks/index.html",
        webhooks=WebhooksApiClient(api()).page(),
        values=values,
        errors=errors,
        event_types=EVENT_TYPES,
    ), code


@blp.get("/")
@signed_in
def index() -> Any:
    return _index({"event_types": []}, {})


@blp.post("/")
@signed_in
def register() -> Any:
    fields = {
        "url": (request.form.get("url") or "").strip(),
        "event_types": request.form.getlist("event_types"),
    }
    try:
        made = WebhooksApiClient(api()).register(fields)
    except ApiError as error:
        if error.status not in (400, 403, 409, 422):
            raise
        return _index(fields, error.field_errors() or {"_schema": [error.message]}, 422)
    return render_template("webhooks/registered.html", webhook=made)


@blp.post("/<string:webhook_id>/remove")
@signed_in
def remove(webhook_id: str) -> Any:
    WebhooksApiClient(api()).remove(webhook_id)
    flash(_("The endpoint is removed: nothing more is sent to it."), "success")
    return redirect(url_for("webhooks.index"), code=303)


@blp.get("/<string:webhook_id>/deliveries")
@signed_in
def deliveries(webhook_id: str) -> Any:
    number = page_number()
    client = api()
    webhooks = WebhooksApiClient(client)
    webhook, answer = client.at_once(
        [
            functools.partial(webhooks.get, webhook_id),
            functools.partial(webhooks.deliveries, webhook_id, number),
        ]
    )
    return render_template(
        "webhooks/deliveries.html",
        webhook=webhook,
        answer=answer,
        page=number,
        pages=pages_of(answer["total"], DELIVERIES_PAGE),
    )
