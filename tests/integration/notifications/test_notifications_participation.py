"""participation.declined through Redis and a real worker: the organisation that proposed the
programme is told, in its language, once; a confirmation tells nobody."""

from __future__ import annotations

from tests.support.infra import wait_until
from tests.support.processes import Process
from tests.support.smtp import SmtpServer
from tests.unit.notifications.factories import event, organisation_data, participation_answered


def test_the_creator_is_told_who_declined_in_its_language(
    notifications_worker: Process, smtp_server: SmtpServer, publish
) -> None:
    creator = organisation_data("JP", name="東北大学", preferred_language="ja")
    asked = organisation_data("IN", name="IIT Bombay", preferred_language="hi")
    for organisation in (creator, asked):
        publish(event("organisation.registered", organisation))
    confirmed = participation_answered(creator["id"], asked["id"], "confirmed")
    declined = participation_answered(creator["id"], asked["id"], "declined", role="member")
    declined["data"]["partners"][1]["name"] = asked["name"]
    for envelope in (confirmed, declined, declined):
        publish(envelope)

    [message] = smtp_server.wait_for(1)
    reference = declined["data"]["reference"]
    assert message["To"] == creator["contact_email"]
    assert message["X-Setu-Event-Id"] == declined["id"]
    assert message["Subject"] == f"【Setu】プログラム {reference}：IIT Bombayが参加を辞退しました"  # noqa: RUF001
    text = message.get_body(("plain",)).get_content()
    assert "東北大学 ご担当者様" in text and "参加機関としての参加を辞退" in text
    assert "日本時間" in text
    # The same event again and the confirmation send nothing more: once every task has
    # finished, the one email and a marker's are all there is.
    marker = participation_answered(creator["id"], asked["id"], "declined")
    publish(marker)
    smtp_server.wait_for(2)
    wait_until(
        lambda: notifications_worker.output().count("succeeded") >= 6,
        message="all six tasks to finish",
    )
    assert sorted(m["X-Setu-Event-Id"] for m in smtp_server.messages) == sorted(
        [declined["id"], marker["id"]]
    )
