"""What the table cannot show: the warm re-solve after a planner's edit (on M), the
what-ifs a planner waits for (on the sample and M), deterministic mode (on S) and what
MODEL.md v3's parts add to a model's build (on M4).
The first two run in the harness's own process, which is why OR-Tools is only imported
here, inside the functions: the harness's children must be free to load HiGHS.  The v3
cost builds in fresh processes, so each build's memory is its own."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from assembler import Progress, Scenario


def interactive_resolve(path: Path) -> None:
    """After one pin or one value change on M, how fast does a warm re-solve get back?"""
    from assembler import SolveSettings, load_scenario
    from assembler.planning.edits import pin, set_value
    from assembler.solver import solve

    scenario = load_scenario(path)
    before = solve(scenario, SolveSettings(time_limit=10))
    assert before.solution is not None and before.score is not None
    staffed = sorted(before.solution.staffed)
    members = {person for person, _ in before.solution.members}
    mission = next(m for m in scenario.missions if m.mission_id in staffed and not m.is_network)
    person = _pinnable_outsider(scenario, mission.mission_id, members)
    value = next(m.value for m in scenario.missions if m.mission_id == staffed[0])
    edited: dict[str, Scenario] = {
        f"pin {person} on {mission.mission_id}": pin(scenario, person, mission.mission_id),
        f"value of {staffed[0]} × 1.5": set_value(scenario, staffed[0], value * 1.5),
    }
    print(f"\ninteractive re-solve on M (previous: score {before.score:,}, gap {before.gap:.4%})")
    for label, scenario_after in edited.items():
        as_good: list[float] = []
        as_tight: list[float] = []
        started = time.perf_counter()
        target = max(before.gap or 0.0, 1e-6)
        previous = before.score

        def progress(
            p: Progress,
            good: list[float] = as_good,
            tight: list[float] = as_tight,
            started: float = started,
            target: float = target,
            previous: int = previous,
        ) -> None:
            now = time.perf_counter() - started
            if not good and p.score >= previous:
                good.append(now)
            if not tight and abs(p.best_bound - p.score) / max(1.0, abs(p.score)) <= target:
                tight.append(now)

        settings = SolveSettings(time_limit=10, hint=before.solution, progress=progress)
        after = solve(scenario_after, settings)
        ended = after.build_seconds + after.solve_seconds
        good = f"{as_good[0]:.2f}s" if as_good else "never (the edit costs score)"
        tight = f"{as_tight[0]:.2f}s" if as_tight else "not within 10 s"
        if not as_tight and after.gap is not None and after.gap <= target:
            # Progress comes with better plans only: a bound closed on the last plan shows
            # in the result alone.
            tight = f"{ended:.2f}s (at the end: no better plan reported it sooner)"
        print(
            f"  {label:<28} score ≥ previous after {good}; gap ≤ previous after {tight}; "
            f"end: {after.status} {after.score:,} gap {after.gap:.4%}"
        )


def _pinnable_outsider(scenario: Scenario, mission_id: str, members: set[str]) -> str:
    """Someone eligible for the mission who is not on any team yet: a pin that moves work."""
    from assembler.compile.instance import Instance

    instance = Instance(scenario)
    m = instance.mission_index[mission_id]
    for p in instance.candidates[m]:
        person = instance.people[p].person_id
        if person not in members:
            return person
    return instance.people[instance.candidates[m][0]].person_id


WHAT_IT_TAKES_TARGET = 2.0
"""Issue 21: seconds for "What would it take" on the sample."""
TOP_TEN_TARGETS = {"sample": 10.0, "M": 60.0}
"""Issue 21: seconds for "Who could join?" (top 10) on the sample and on M."""


def whatifs(sample: Path, m_path: Path, m_missions: int = 3) -> None:
    """How long a planner waits for "What would it take" and "Who could join?" (top 10)
    after the best plan: on every unstaffed mission of the sample (solved to its proven
    optimum first) and on the first ``m_missions`` unstaffed missions of M (its plan at
    10 s), each answer with whether it is proven."""
    from assembler import SolveSettings, load_scenario
    from assembler.analysis import price_of, rank_candidates
    from assembler.solver import solve

    for label, path in (("sample", sample), ("M", m_path)):
        scenario = load_scenario(path)
        settings = SolveSettings(time_limit=10)
        base = solve(scenario, settings)
        assert base.solution is not None
        unstaffed = [
            m.mission_id for m in scenario.missions if m.mission_id not in base.solution.staffed
        ]
        if label == "M":
            unstaffed = unstaffed[:m_missions]
        targets = f"top 10 ≤ {TOP_TEN_TARGETS[label]:g} s"
        if label == "sample":
            targets = f"What would it take ≤ {WHAT_IT_TAKES_TARGET:g} s, {targets}"
        print(
            f"\nwhat-ifs on {label} (against its plan at 10 s: {base.status}, "
            f"gap {base.gap:.4%}); target: {targets}"
        )
        print(f"  {'mission':<8} {'take s':>7}  {'answer':<30} {'top 10 s':>8}  ranked")
        for mission_id in unstaffed:
            started = time.perf_counter()
            price = price_of(scenario, mission_id, settings, base)
            take = time.perf_counter() - started
            started = time.perf_counter()
            ranking = rank_candidates(scenario, mission_id, 10, settings, base)
            top = time.perf_counter() - started
            answer = "cannot be staffed" if not price.possible else f"{price.score}"
            if price.score is not None and price.score.proven:
                answer += " (proven)"
            exact = sum(1 for c in ranking.ranked if c.score is not None and c.score.proven)
            complete = "complete" if ranking.complete else "best found"
            print(
                f"  {mission_id:<8} {take:>7.2f}  {answer:<30} {top:>8.2f}  "
                f"{len(ranking.ranked)} ({exact} exact, {complete})"
            )


def determinism(path: Path) -> None:
    from assembler import SolveSettings, load_scenario
    from assembler.solver import solve

    scenario = load_scenario(path)
    settings = SolveSettings(time_limit=2.0, deterministic=True)
    first, second = solve(scenario, settings), solve(scenario, settings)
    same = first.solution == second.solution
    print(
        f"\ndeterministic mode on S (2 workers, 2 deterministic seconds): identical rosters: {same}"
    )


V3_COST_TARGET = 1.5
"""Issue 23: the v3 parts may cost at most this multiple of v2's build time and memory."""


def _build_in_child(path: str, queue: Any) -> None:
    import resource

    from assembler import load_scenario
    from assembler.compile.instance import Instance
    from assembler.solver.model import build_model

    scenario = load_scenario(path)
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    model, _ = build_model(Instance(scenario))
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put((seconds, peak - baseline, len(model.proto.variables), len(model.proto.constraints)))


def _build_cost(path: Path, repeats: int = 3) -> tuple[float, float, int, int]:
    """The fastest of ``repeats`` builds (Instance and CP-SAT model), each in a fresh
    process, with the memory it added to the loaded scenario's."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    runs = []
    for _ in range(repeats):
        queue = context.Queue()
        process = context.Process(target=_build_in_child, args=(str(path), queue))
        process.start()
        runs.append(queue.get())
        process.join()
    return min(runs)


def v3_cost(v2_path: Path, v3_path: Path) -> None:
    """The same organisation with and without MODEL.md v3's parts: what they add to the
    model's build time and memory."""
    v2, v3 = _build_cost(v2_path), _build_cost(v3_path)
    print("\nMODEL.md v3's cost on M4's organisation (build: Instance + CP-SAT model, best of 3)")
    print(f"  {'':<20} {'build s':>8} {'memory MiB':>11} {'variables':>10} {'constraints':>12}")
    for label, (seconds, mib, variables, constraints) in (("v2", v2), ("v3 (--growth)", v3)):
        print(f"  {label:<20} {seconds:>8.2f} {mib:>11.0f} {variables:>10,} {constraints:>12,}")
    time_ratio, memory_ratio = v3[0] / v2[0], v3[1] / max(v2[1], 1.0)
    verdict = "within" if max(time_ratio, memory_ratio) <= V3_COST_TARGET else "over"
    print(
        f"  v3 ÷ v2: build {time_ratio:.2f} ×, memory {memory_ratio:.2f} × "
        f"({verdict} the {V3_COST_TARGET} × target)"
    )
