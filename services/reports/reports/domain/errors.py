"""Domain errors of the reports service; the API maps each to one HTTP status, in one place."""

from __future__ import annotations


class ReportsError(Exception):
    """Base of the errors a use case raises for the caller to see."""


class NotFound(ReportsError, LookupError):
    def __init__(self, what: str):
        super().__init__(f"No such {what}.")


class ReportNotReady(ReportsError):
    def __init__(self, status: str):
        super().__init__(f"The report is {status}; download it once it has succeeded.")
        self.status = status


class StaleVersion(ReportsError):
    def __init__(self, current: int):
        super().__init__(f"The resource has changed (version {current}); fetch it again.")
        self.current = current


class RecipientsRefused(ReportsError):
    """Report recipients that are neither the secretariat's address nor an organisation's
    contact address: Setu emails no one else."""

    def __init__(self, refused: list[str]):
        super().__init__(
            "Reports are emailed only to the secretariat or to an organisation's contact "
            "address; not to: " + ", ".join(refused)
        )
        self.errors = {
            "recipients": [f"{address} is not a recipient of Setu" for address in refused]
        }
