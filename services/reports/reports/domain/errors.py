"""Domain errors of the reports service: each class names the HTTP status it answers with
(``status``); the one handler of ``setu_contract.edge`` answers them all."""

from __future__ import annotations

from setu_contract.errors import ServiceError


class ReportsError(ServiceError):
    """Base of the errors a use case raises for the caller to see: a state that does not
    allow what was asked (409), unless a subclass says otherwise."""

    status = 409


class NotFound(ReportsError, LookupError):
    status = 404

    def __init__(self, what: str):
        super().__init__(f"No such {what}.")


class ReportNotReady(ReportsError):
    def __init__(self, report_status: str):
        super().__init__(f"The report is {report_status}; download it once it has succeeded.")
        self.report_status = report_status


class StaleVersion(ReportsError):
    status = 412

    def __init__(self, current: int):
        super().__init__(f"The resource has changed (version {current}); fetch it again.")
        self.current = current


class RecipientsRefused(ReportsError):
    """Report recipients that are neither the secretariat's address nor an organisation's
    contact address: Setu emails no one else."""

    status = 422

    def __init__(self, refused: list[str]):
        super().__init__(
            "Reports are emailed only to the secretariat or to an organisation's contact "
            "address; not to: " + ", ".join(refused),
            {"recipients": [f"{address} is not a recipient of Setu" for address in refused]},
        )
