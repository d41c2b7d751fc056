"""Approving a plan of an older scenario version than the approved plan's: only on purpose.

One plan per scenario is approved, and the next re-plan starts from it.  Approving a plan
solved on an older version would silently supersede the plan of the newer version — the
organisation as it now is — and send the next re-plan back to the old data.  That is
sometimes meant (the newer version was a mistake), so it is refused unless the approver
says so explicitly, and the history then says that it was done.
"""

from __future__ import annotations

from assembler.store.records import LifecycleError, PlanRecord


class OlderVersionError(LifecycleError):
    """The plan is of an older version of its scenario than the approved plan."""


def over_newer_note(plan: PlanRecord, approved: PlanRecord, over_newer: bool) -> str:
    """What the approval's history adds (nothing unless ``plan`` is older than
    ``approved``); raises ``OlderVersionError`` for an older plan without ``over_newer``."""
    if plan.version >= approved.version:
        return ""
    if not over_newer:
        raise OlderVersionError(
            f"{plan.label} is of version {plan.version}, older than version "
            f"{approved.version} of the approved {approved.label}: approving it would set the "
            "newer plan aside and the next re-plan would start from the older data; approve "
            "it over the newer one only on purpose (plans approve --over-newer, or the "
            "confirmation on the Plans page)"
        )
    return f" [approved over the newer {approved.label}]"
