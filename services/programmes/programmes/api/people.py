"""People of an organisation, and who is calling (/v1/me)."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView

from programmes.api import V1Blueprint, if_match, unit_of_work, with_etag
from programmes.api.idempotency import idempotent, remember
from programmes.people_schemas import (
    MeSchema,
    PersonCreateSchema,
    PersonPageSchema,
    PersonQuerySchema,
    PersonSchema,
    PersonUpdateSchema,
)
from programmes.services import people as service
from programmes.services import sessions
from programmes.services.erasure import reclaim_after_erasure
from programmes.store.models import Person
from setu_contract.edge import caller
from setu_contract.paging import page_body

blp = V1Blueprint("people", __name__, url_prefix="/v1", description="People and who is calling")


def person_view(person: Person) -> dict[str, Any]:
    """The person as this caller is answered: with what it may do to the person now."""
    return {
        **service.person_snapshot(person),
        "allowed_actions": service.allowed_actions(caller(), person),
    }


@blp.route("/organisations/<string:organisation_id>/people")
class OrganisationPeople(MethodView):
    @blp.arguments(PersonCreateSchema())
    @blp.response(201, PersonSchema)
    @idempotent
    def post(self, fields: dict[str, Any], organisation_id: str) -> Any:
        """Add a person to an organisation and invite it by email (the organisation itself,
        or its own secretariat side)"""
        with unit_of_work() as session:
            person = service.create_person(session, caller(), organisation_id, fields)
            view = person_view(person)
            remember(session, view, 201)
            return with_etag(view, 201)

    @blp.arguments(PersonQuerySchema(), location="query")
    @blp.response(200, PersonPageSchema)
    def get(self, query: dict[str, Any], organisation_id: str) -> dict[str, Any]:
        """List an organisation's people (the organisation itself, auditors and its own
        secretariat side)"""
        page, size = query["page"], query["page_size"]
        with unit_of_work() as session:
            people, total = service.list_people(session, caller(), organisation_id, page, size)
            items = [person_view(p) for p in people]
        return page_body(items, total, page, size)


@blp.route("/people/<string:person_id>")
class PersonById(MethodView):
    @blp.response(200, PersonSchema)
    def get(self, person_id: str) -> Any:
        """Read a person"""
        with unit_of_work() as session:
            return with_etag(person_view(service.get_person(session, caller(), person_id)))

    @blp.arguments(PersonUpdateSchema())
    @blp.response(200, PersonSchema)
    @blp.alt_response(412, description="If-Match names an older version")
    def patch(self, changes: dict[str, Any], person_id: str) -> Any:
        """Edit a person's name, role, language or time zone"""
        with unit_of_work() as session:
            person = service.update_person(session, caller(), person_id, changes, if_match())
            return with_etag(person_view(person))

    @blp.response(204)
    def delete(self, person_id: str) -> None:
        """Deactivate a person: every session ends at once and its personal data is erased
        everywhere"""
        with unit_of_work() as session:
            service.deactivate_person(session, caller(), person_id)
        reclaim_after_erasure(current_app.extensions["programmes.engine"])


@blp.route("/people/<string:person_id>/sessions")
class PersonSessions(MethodView):
    @blp.response(204)
    def delete(self, person_id: str) -> None:
        """Sign a person out everywhere (the person itself or its organisation's managers)"""
        with unit_of_work() as session:
            service.sign_out_everywhere(session, caller(), person_id)


@blp.route("/me")
class Me(MethodView):
    @blp.response(200, MeSchema)
    def get(self) -> dict[str, Any]:
        """Who is calling: the person or the key, its organisation, role and side"""
        with unit_of_work() as session:
            me = sessions.me(session, caller())
            person = session.get(Person, me["person"]["id"]) if me["person"] else None
            if person is not None:
                me["person"] = person_view(person)
            return me
