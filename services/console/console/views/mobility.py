"""Mobility clearance: an item of an exchange's checklist set from the application's page,
and the secretariat's pipeline of every accepted exchange by stage."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from console.api_client.base import ApiError
from console.api_client.mobility_api_client import MobilityApiClient
from console.formatting import word
from console.paging import page_number, pages_of
from console.signed_in import api, signed_in
from console.translations import gettext as _
from console.views.applications import application_page
from console.vocabulary import MOBILITY_STAGES

blp = Blueprint("mobility", __name__, url_prefix="/console")

PAGE_SIZE = 50


@blp.post("/applications/<string:application_id>/mobility/<string:item>")
@signed_in
def set_item(application_id: str, item: str) -> Any:
    fields: dict[str, Any] = {"status": request.form.get("status") or ""}
    if request.form.get("date"):
        fields["date"] = request.form["date"]
    try:
        MobilityApiClient(api()).set_item(application_id, item, fields)
    except ApiError as error:
        if error.status not in (400, 403, 404, 409, 422):
            raise
        errors = error.field_errors() or {"status": [error.message]}
        # The refused values are shown again in the item's form, to be corrected.
        errors["_values"] = [fields["status"], request.form.get("date") or ""]
        return application_page(application_id, mobility_errors={item: errors}, code=error.status)
    flash(
        _("%(item)s: %(status)s. Saved.", item=word(item), status=word(fields["status"])),
        "success",
    )
    anchor = url_for("applications.show", application_id=application_id) + "#mobility"
    return redirect(anchor, code=303)


@blp.get("/mobility")
@signed_in
def pipeline() -> Any:
    stage = request.args.get("stage") if request.args.get("stage") in MOBILITY_STAGES else None
    page = page_number()
    filters: dict[str, Any] = {"page": page, "page_size": PAGE_SIZE}
    if stage:
        filters["stage"] = stage
    answer = MobilityApiClient(api()).pipeline(**filters)
    pages = pages_of(answer["total"], PAGE_SIZE)
    return render_template(
        "mobility/pipeline.html",
        answer=answer,
        stage=stage,
        stages=list(MOBILITY_STAGES),
        page=page,
        pages=pages,
    )
