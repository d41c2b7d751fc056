"""What planners call things: names instead of ids wherever a scenario gives one.

Reports keep ids (they are keys); everything a person reads — pages, change lists, the
comparison of stored plans — goes through ``Names``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from assembler.compile.protection import Shortfall
from assembler.domain.edits import Edit
from assembler.domain.scenario import Scenario


@dataclass(frozen=True)
class Names:
    """What planners call units, skills, missions, people and periods: the ``name`` column
    where the scenario gives one, else the id, so a page never shows an id it could name."""

    units: Mapping[str, str]
    skills: Mapping[str, str]
    missions: Mapping[str, str]
    people: Mapping[str, str]
    periods: Mapping[str, str]
    capabilities: Mapping[str, str]

    @classmethod
    def of(cls, scenario: Scenario) -> Names:
        def named(rows: Mapping[str, str]) -> dict[str, str]:
            return {key: name or key for key, name in rows.items()}

        return cls(
            units=named({u.unit_id: u.name for u in scenario.units or ()}),
            skills=named({k.skill_id: k.name for k in scenario.skills or ()}),
            missions=named({m.mission_id: m.name for m in scenario.missions}),
            people=named({p.person_id: p.name for p in scenario.people}),
            periods={
                period_id: scenario.period_name(t)
                for t, period_id in enumerate(scenario.period_ids)
            },
            capabilities=named({c.capability_id: c.name for c in scenario.capabilities}),
        )

    def unit(self, unit_id: str) -> str:
        return self.units.get(unit_id, unit_id)

    def skill(self, skill_id: str) -> str:
        return self.skills.get(skill_id, skill_id)

    def period(self, period_id: str) -> str:
        return self.periods.get(period_id, period_id)

    def span(self, start: str, end: str) -> str:
        """A run from period ``start`` to ``end`` by name: ``Q1`` or ``Q1 – Q3`` (nothing
        without a start: a mission not staffed, or a plan without periods)."""
        if not start:
            return ""
        first, last = self.period(start), self.period(end)
        return first if first == last else f"{first} – {last}"

    def capability(self, capability_id: str) -> str:
        return self.capabilities.get(capability_id, capability_id)

    def mission(self, mission_id: str) -> str:
        """``M08 · ERP rollout in Finance``: the id planners quote and the name they read."""
        name = self.missions.get(mission_id, mission_id)
        return mission_id if name == mission_id else f"{mission_id} · {name}"

    def person(self, person_id: str) -> str:
        name = self.people.get(person_id, person_id)
        return person_id if name == person_id else f"{person_id} · {name}"

    def edit(self, edit: Edit) -> str:
        """An edit's log line with names: ``start M03 · Fast-track triage in Q3 2027
        (summer)`` rather than ``start M03 in 2027-Q3``."""
        return str(
            replace(
                edit,
                mission_id=None if edit.mission_id is None else self.mission(edit.mission_id),
                person_id=None if edit.person_id is None else self.person(edit.person_id),
                skill_id=None if edit.skill_id is None else self.skill(edit.skill_id),
                period_id=None if edit.period_id is None else self.period(edit.period_id),
                until=None if edit.until is None else self.period(edit.until),
            )
        )

    def demand(self, unit_id: str, skill_id: str, period_id: str | None = None) -> str:
        """An operational demand: ``Emergency Care · Triage · Q1 2027 (winter)``."""
        when = "" if period_id is None else f" · {self.period(period_id)}"
        return f"{self.unit(unit_id)} · {self.skill(skill_id)}{when}"

    def shortfall(self, shortfall: Shortfall) -> str:
        """``Shortfall`` in the planner's words: the unit, skills and period by name."""
        skills = ", ".join(self.skill(skill_id) for skill_id in shortfall.skill_ids)
        when = "" if shortfall.period_id is None else f" in {self.period(shortfall.period_id)}"
        return (
            f"{self.unit(shortfall.unit_id)}: {skills}{when} need "
            f"{shortfall.required_fte:g} FTE (demand + buffer), but the people able to cover "
            f"them have {shortfall.available_fte:g} FTE"
        )
