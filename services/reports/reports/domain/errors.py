"""The reports service's refusals: each is one of the kinds every service gives
(``setu_contract.errors``), with the words of its own; the one handler of
``setu_contract.edge`` answers them all."""

from __future__ import annotations

from setu_contract import errors


class NotFound(errors.NotFound):
    def __init__(self, what: str):
        super().__init__(f"No such {what}.")


class ReportNotReady(errors.Conflict):
    def __init__(self, report_status: str):
        super().__init__(f"The report is {report_status}; download it once it has succeeded.")
        self.report_status = report_status


class StaleVersion(errors.PreconditionFailed):
    def __init__(self, current: int):
        super().__init__(f"The resource has changed (version {current}); fetch it again.")
        self.current = current


class RecipientsRefused(errors.Invalid):
    """Report recipients that are neither the secretariat's address nor an organisation's
    contact address: Setu emails no one else."""

    def __init__(self, refused: list[str]):
        super().__init__(
            "Reports are emailed only to the secretariat or to an organisation's contact "
            "address; not to: " + ", ".join(refused),
            {"recipients": [f"{address} is not a recipient of Setu" for address in refused]},
        )
