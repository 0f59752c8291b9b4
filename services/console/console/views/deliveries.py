"""Email deliveries: what Setu sent, to whom and how it went, and a failed one sent again
(the secretariat). The list filters by status only: an address never goes in a URL."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from console.api_client.base import ApiError
from console.api_client.deliveries_api_client import DeliveriesApiClient
from console.paging import page_number, pages_of
from console.signed_in import api, signed_in
from console.translations import gettext as _

blp = Blueprint("deliveries", __name__, url_prefix="/console/deliveries")

STATUSES = ("queued", "sending", "sent", "retrying", "failed")


@blp.get("/")
@signed_in
def index() -> Any:
    status = request.args.get("status") if request.args.get("status") in STATUSES else None
    number = page_number()
    answer = DeliveriesApiClient(api()).page(status, number)
    pages = pages_of(answer["total"], 20)
    return render_template(
        "deliveries/index.html",
        answer=answer,
        status=status,
        statuses=STATUSES,
        page=number,
        pages=pages,
    )


@blp.post("/<string:delivery_id>/retry")
@signed_in
def retry(delivery_id: str) -> Any:
    try:
        DeliveriesApiClient(api()).retry(delivery_id)
    except ApiError as error:
        if error.status not in (403, 409):
            raise
        flash(error.message, "error")
    else:
        flash(_("The email is being sent again."), "success")
    return redirect(url_for("deliveries.index", status=request.args.get("status")), code=303)
