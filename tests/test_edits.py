"""Edits are pure: each returns a new, still valid scenario and leaves the old one alone."""

from __future__ import annotations

import pytest

from assembler import Scenario, SolveSettings, check, solve
from assembler.domain.edits import Edit, EditKind
from assembler.domain.scenario import LockKind
from assembler.io import scenario_bytes
from assembler.planning.edits import (
    EditError,
    apply_edit,
    apply_edits,
    candidates,
    drop_mission,
    forbid,
    lock_of,
    pin,
    set_mandatory,
    set_value,
    unlock,
)
from assembler.store.codec import edits_document, edits_from
from assembler.validation import read_upload
from builders import mission, person, scenario


def organisation() -> Scenario:
    """Ann and Bob in u1 (Ann volunteers), Cat in u2 (volunteers, fte 0.5 capped at one
    mission); a hierarchy mission owned by u1 and a network mission with every side table."""
    people = [
        person("ann", "u1", {"k": 3}, network_opt_in=True),
        person("bob", "u1", {"k": 2}),
        person("cat", "u2", {"k": 4}, network_opt_in=True, max_missions=1),
    ]
    missions = [
        mission("hier", {"k": 0.2}, "improve", 2.0, owner_unit="u1", name="Tidy up"),
        mission("net", {"k": (0.2, 3)}, "innovation", 3.0, name="New thing"),
    ]
    return scenario(
        people,
        missions,
        units=[("u1", None), ("u2", None)],
        capabilities=[("lab", 2, 0)],
        uses=[("net", "lab", 1), ("hier", "lab", 1)],
        preferences=[("ann", "net", 2), ("cat", "hier", 1)],
        locks=[("bob", "net", "forbid"), ("cat", "net", "pin")],
    )


def test_pin_adds_a_lock_and_leaves_the_original_alone() -> None:
    before = organisation()
    after = pin(before, "ann", "hier")
    assert lock_of(after, "ann", "hier") is LockKind.PIN
    assert lock_of(before, "ann", "hier") is None
    result = solve(after, SolveSettings(time_limit=10, workers=1))
    assert result.solution is not None and ("ann", "hier") in result.solution.members
    assert check(after, result.solution) == []


def test_pin_replaces_a_forbid_and_forbid_replaces_a_pin() -> None:
    s = organisation()
    s = forbid(s, "ann", "hier")
    s = pin(s, "ann", "hier")
    assert [(lock.person_id, lock.lock) for lock in s.locks if lock.mission_id == "hier"] == [
        ("ann", LockKind.PIN)
    ]
    s = forbid(s, "ann", "hier")
    assert lock_of(s, "ann", "hier") is LockKind.FORBID
    assert sum(1 for lock in s.locks if lock.mission_id == "hier") == 1


def test_pin_refuses_an_ineligible_person_with_the_reason() -> None:
    with pytest.raises(EditError, match=r"cat cannot be pinned to hier.*inside the u1 branch"):
        pin(organisation(), "cat", "hier")  # u2 is outside the owner's branch
    with pytest.raises(EditError, match="volunteers only"):
        pin(organisation(), "bob", "net")  # not a volunteer


def test_pin_refuses_more_pins_than_missions_a_person_may_join() -> None:
    s = pin(organisation().with_settings(max_missions_default=1), "ann", "hier")
    with pytest.raises(EditError, match=r"ann may join at most 1 mission.*pinned to hier"):
        pin(s, "ann", "net")
    assert pin(s, "ann", "hier").locks == s.locks  # pinning again changes nothing


def test_a_forbidden_person_is_still_a_candidate_to_pin_back() -> None:
    s = forbid(organisation(), "ann", "hier")
    assert [p.person_id for p in candidates(s, "hier")] == ["ann", "bob"]
    assert [p.person_id for p in candidates(s, "net")] == ["ann", "cat"]
    assert lock_of(pin(s, "ann", "hier"), "ann", "hier") is LockKind.PIN


def test_unlock_removes_the_lock_and_refuses_a_missing_one() -> None:
    s = unlock(organisation(), "bob", "net")
    assert lock_of(s, "bob", "net") is None
    with pytest.raises(EditError, match="neither pinned to nor forbidden"):
        unlock(s, "bob", "net")


def test_mandatory_and_value() -> None:
    s = set_mandatory(organisation(), "hier")
    assert next(m for m in s.missions if m.mission_id == "hier").mandatory
    s = set_mandatory(s, "hier", False)
    assert not next(m for m in s.missions if m.mission_id == "hier").mandatory
    s = set_value(s, "net", 7.5)
    changed = next(m for m in s.missions if m.mission_id == "net")
    assert changed.value == 7.5 and changed.name == "New thing"
    with pytest.raises(EditError, match="≥ 0"):
        set_value(s, "net", -1)
    with pytest.raises(EditError, match="≥ 0"):
        set_value(s, "net", float("nan"))


def test_drop_removes_the_mission_and_every_row_about_it() -> None:
    s = drop_mission(organisation(), "net")
    assert [m.mission_id for m in s.missions] == ["hier"]
    for table in ("mission_needs", "mission_capabilities", "preferences", "locks"):
        assert all(row.mission_id != "net" for row in getattr(s, table)), table
    assert [(p.person_id, p.mission_id) for p in s.preferences] == [("cat", "hier")]
    # Still a valid scenario: it survives a write and a strict read.
    report = read_upload("edited.zip", scenario_bytes(s))
    assert report.errors == () and report.scenario == s


def test_unknown_ids_are_refused() -> None:
    s = organisation()
    with pytest.raises(EditError, match="no person 'zed'"):
        pin(s, "zed", "hier")
    with pytest.raises(EditError, match="no mission 'nope'"):
        drop_mission(s, "nope")
    with pytest.raises(EditError, match="no mission 'nope'"):
        candidates(s, "nope")


def test_edits_as_data_replay_and_read_well() -> None:
    log = [
        Edit(EditKind.PIN, "hier", "ann"),
        Edit(EditKind.FORBID, "hier", "bob"),
        Edit(EditKind.MANDATORY, "net"),
        Edit(EditKind.VALUE, "hier", value=4),
        Edit(EditKind.OPTIONAL, "net"),
        Edit(EditKind.UNLOCK, "hier", "bob"),
        Edit(EditKind.DROP, "net"),
    ]
    assert [str(edit) for edit in log] == [
        "pin ann to hier",
        "forbid bob on hier",
        "make net mandatory",
        "set the value of hier to 4",
        "make net optional",
        "unlock bob on hier",
        "drop net",
    ]
    s = apply_edits(organisation(), log)
    assert [(m.mission_id, m.value, m.mandatory) for m in s.missions] == [("hier", 4.0, False)]
    assert [(lock.person_id, lock.mission_id, lock.lock) for lock in s.locks] == [
        ("ann", "hier", LockKind.PIN)
    ]
    with pytest.raises(EditError, match="needs a person"):
        apply_edit(s, Edit(EditKind.PIN, "hier"))
    with pytest.raises(EditError, match="needs the new value"):
        apply_edit(s, Edit(EditKind.VALUE, "hier"))


def test_a_development_goal_is_added_and_removed_with_clear_refusals() -> None:
    s = organisation()
    grown = apply_edit(s, Edit(EditKind.ADD_GOAL, person_id="bob", skill_id="k", weight=3))
    assert [(g.person_id, g.skill_id, g.weight) for g in grown.development] == [("bob", "k", 3)]
    assert s.development == ()  # the old scenario is left alone
    refusals = {
        "there is no person 'eve'": Edit(
            EditKind.ADD_GOAL, person_id="eve", skill_id="k", weight=1
        ),
        "there is no skill 'K2' \\(did you mean 'k'\\?\\)": Edit(
            EditKind.ADD_GOAL, person_id="bob", skill_id="K2", weight=1
        ),
        "weight is 1, 2 or 3, not 4": Edit(
            EditKind.ADD_GOAL, person_id="bob", skill_id="k", weight=4
        ),
        "needs its weight": Edit(EditKind.ADD_GOAL, person_id="bob", skill_id="k"),
        "needs a person and a skill": Edit(EditKind.REMOVE_GOAL, person_id="bob"),
    }
    for message, edit in refusals.items():
        with pytest.raises(EditError, match=message):
            apply_edit(s, edit)
    again = Edit(EditKind.ADD_GOAL, person_id="bob", skill_id="k", weight=1)
    with pytest.raises(EditError, match=r"bob has a development goal in k already \(weight 3\)"):
        apply_edit(grown, again)
    remove = Edit(EditKind.REMOVE_GOAL, person_id="bob", skill_id="k")
    assert apply_edit(grown, remove).development == ()
    with pytest.raises(EditError, match="bob has no development goal in k"):
        apply_edit(s, remove)
    with pytest.raises(EditError, match="'drop' needs a mission"):
        apply_edit(s, Edit(EditKind.DROP))
    assert str(Edit(EditKind.ADD_GOAL, person_id="bob", skill_id="k", weight=2)) == (
        "add a development goal for bob: k (weight 2)"
    )
    assert str(remove) == "remove the development goal of bob in k"


def test_goal_edits_round_trip_and_older_logs_read_as_they_were() -> None:
    log = (
        Edit(EditKind.PIN, "hier", "ann"),
        Edit(EditKind.ADD_GOAL, person_id="bob", skill_id="k", weight=2),
        Edit(EditKind.REMOVE_GOAL, person_id="bob", skill_id="k"),
    )
    document = edits_document(log)
    assert edits_from(document) == log
    # an edit of before goals is stored as it was then, so its version's digest holds
    assert document[0] == {
        "kind": "pin",
        "mission_id": "hier",
        "person_id": "ann",
        "value": None,
        "period_id": None,
        "until": None,
    }
    assert edits_from(document[:1]) == log[:1]
