"""``assembler explain``: what it takes to staff a mission, who could join it, and why a
person is not on its team — the what-if questions of ``assembler.analysis``, from a shell.

Exit codes as for ``solve``: 0 answered, 2 invalid input or an unknown id, 3 when the
scenario itself has no plan to compare against, 130 after Ctrl-C (or SIGTERM): every solve
stops at once and what was answered by then is printed.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from assembler.analysis import (
    Candidate,
    Excluded,
    Price,
    Ranking,
    price_of,
    rank_candidates,
    why_not_on_team,
)
from assembler.cli.common import (
    EXIT_INVALID,
    EXIT_NO_SOLUTION,
    ScenarioArgument,
    guarded,
    load,
)
from assembler.cli.interrupt import EXIT_INTERRUPTED, Interrupt
from assembler.cli.printing import print_summary, say, visible, warn
from assembler.domain.scenario import Scenario
from assembler.domain.solve_settings import SolveSettings
from assembler.results.names import Names
from assembler.results.result import Result, Status
from assembler.solver import solve
from assembler.text import did_you_mean


@guarded
def explain(
    scenario: ScenarioArgument,
    mission: Annotated[str, typer.Option("--mission", help="The mission to ask about.")],
    candidates: Annotated[
        int | None,
        typer.Option(
            "--candidates",
            min=1,
            help="Rank this many people who could join, by the change in score of pinning each.",
        ),
    ] = None,
    person: Annotated[
        str | None, typer.Option("--person", help="Why this person is not on the team.")
    ] = None,
    time_limit: Annotated[float, typer.Option(min=0.01, help="Seconds per solve.")] = 30.0,
    budget: Annotated[
        float, typer.Option(min=1.0, help="Seconds for all the re-solves of --candidates.")
    ] = 120.0,
    as_json: Annotated[bool, typer.Option("--json", help="Answer as JSON on stdout.")] = False,
) -> None:
    """What it takes to staff a mission (the best plan with it forced in), or with
    --candidates who could join it and at what cost, or with --person why they are not on it."""
    loaded = load(scenario)
    _known(loaded, mission, person)
    with Interrupt("what is answered so far will be printed") as interrupt:
        settings = SolveSettings(time_limit=time_limit, stop=interrupt.stop)
        base = interrupt.run(lambda: solve(loaded, settings))
        if base.solution is None:
            print_summary(base)
            warn("the scenario has no plan to compare against; see above why.")
            raise typer.Exit(EXIT_INTERRUPTED if interrupt.interrupted else EXIT_NO_SOLUTION)
        _answer(loaded, mission, candidates, person, as_json, settings, base, budget, interrupt)
    if interrupt.interrupted:
        warn("interrupted: the answer above is what was worked out before the stop.")
        raise typer.Exit(EXIT_INTERRUPTED)


def _answer(
    loaded: Scenario,
    mission: str,
    candidates: int | None,
    person: str | None,
    as_json: bool,
    settings: SolveSettings,
    base: Result,
    budget: float,
    interrupt: Interrupt,
) -> None:
    """The question asked, answered and printed; its solves end at the first Ctrl-C."""
    if person is not None:
        answer = interrupt.run(lambda: why_not_on_team(loaded, person, mission, settings, base))
        if as_json:
            say(json.dumps({"person_id": person, "mission_id": mission, **_person(answer)}))
        else:
            _print_person(loaded, mission, answer)
    elif candidates is not None:
        ranking = interrupt.run(
            lambda: rank_candidates(loaded, mission, candidates, settings, base, budget)
        )
        if as_json:
            say(json.dumps(ranking.to_json(), ensure_ascii=False, indent=2))
        else:
            _print_ranking(loaded, base, ranking)
    else:
        price = interrupt.run(lambda: price_of(loaded, mission, settings, base))
        if as_json:
            say(json.dumps(price.to_json(), ensure_ascii=False, indent=2))
        else:
            _print_price(loaded, price)


def _known(scenario: Scenario, mission_id: str, person_id: str | None) -> None:
    """Unknown ids end the command with exit 2 and the closest id, like bad input does."""
    missions = [m.mission_id for m in scenario.missions]
    if mission_id not in missions:
        warn(f"--mission: no mission {mission_id!r}{did_you_mean(mission_id, missions)}")
        raise typer.Exit(EXIT_INVALID)
    people = [p.person_id for p in scenario.people]
    if person_id is not None and person_id not in people:
        warn(f"--person: no person {person_id!r}{did_you_mean(person_id, people)}")
        raise typer.Exit(EXIT_INVALID)


def _title(scenario: Scenario, mission_id: str) -> str:
    mission = next(m for m in scenario.missions if m.mission_id == mission_id)
    return visible(f"{mission_id} · {mission.name}" if mission.name else mission_id)


def _status(result: Result) -> str:
    return "proven optimal" if result.status is Status.OPTIMAL else f"{result.status}"


def _print_price(scenario: Scenario, price: Price) -> None:
    base = price.base
    say(f"mission     {_title(scenario, price.mission_id)}")
    say(f"best plan   score {base.score:,} ({_status(base)})")
    if price.already_staffed:
        say("answer      staffed in the best plan already: it costs nothing")
        return
    if not price.possible:
        say("answer      it cannot be staffed:")
        for reason in price.reasons:
            say(f"  - {reason}")
        return
    comparison, effect, names = price.comparison, price.effect, Names.of(scenario)
    assert price.score is not None and comparison is not None and effect is not None
    proven = "proven" if price.score.proven else "not proven: the solves hit their limit"
    say(f"to staff it {visible(effect.words(names, staffing=price.mission_id))}")
    say(f"            score {price.score} ({proven})")
    if not comparison.lost:
        say("displaces   no mission")
    for lost in comparison.lost:
        say(f"displaces   {visible(f'{lost.mission_id} · {lost.name}')} (value {lost.value:g})")
    others = [m.mission_id for m in comparison.gained if m.mission_id != price.mission_id]
    if others:
        say(f"also staffs {', '.join(others)}")
    say(f"moves       {len(comparison.moves)} people")
    for move in comparison.moves[:10]:
        joined = f"joins {', '.join(move.joined)}" if move.joined else ""
        left = f"leaves {', '.join(move.left)}" if move.left else ""
        change = "; ".join(part for part in (joined, left) if part)
        say(f"  {visible(f'{move.person_id} {move.name} ({names.unit(move.unit_id)})')}: {change}")
    if len(comparison.moves) > 10:
        say(f"  … and {len(comparison.moves) - 10} more (--json lists all)")
    for shift in comparison.shifts:
        say(f"shifts      {shift.mission_id} from {shift.start_before} to {shift.start_after}")


def _print_ranking(scenario: Scenario, base: Result, ranking: Ranking) -> None:
    say(f"mission     {_title(scenario, ranking.mission_id)}")
    say(f"best plan   score {base.score:,} ({_status(base)})")
    if ranking.unstaffable:
        say("answer      nobody can join: it cannot be staffed")
        for reason in ranking.unstaffable:
            say(f"  - {visible(reason)}")
        return
    names = Names.of(scenario)
    say("candidates  what pinning each does to the best plan (exact answers first)")
    for candidate in ranking.ranked:
        score = "no plan in time" if candidate.score is None else f"score {candidate.score}"
        effect = "" if candidate.effect is None else f"{candidate.effect.words(names)}; "
        bound = "" if candidate.score is None or candidate.score.proven else ", not proven"
        team = " (on the team)" if candidate.on_team else ""
        role = f"; {visible(candidate.role)}" if candidate.role else ""
        who = visible(f"{candidate.person_id:<8} {candidate.name:<24} {candidate.unit_id:<16}")
        say(f"  {who} {visible(effect)}{score}{bound}{team}{role}")
    if ranking.unevaluated and ranking.complete:
        say(f"  {ranking.unevaluated} more eligible people could do no better: not evaluated")
    elif ranking.unevaluated:
        say(f"  {ranking.unevaluated} eligible people not evaluated within --budget")
    if ranking.excluded:
        say("cannot join")
        for excluded in ranking.excluded:
            say(f"  {visible(f'{excluded.person_id:<8} {excluded.name:<24}')} {excluded.reason}")


def _person(answer: Candidate | Excluded) -> dict[str, object]:
    if isinstance(answer, Candidate):
        score = answer.score
        return {
            "can_join": True,
            "on_team": answer.on_team,
            "proven": score.proven if score else False,
            "score_delta": score.low if score and score.proven else None,
            "score_delta_range": None if score is None else [score.low, score.high],
        }
    return {"can_join": False, "reason": answer.reason}


def _print_person(scenario: Scenario, mission_id: str, answer: Candidate | Excluded) -> None:
    say(f"mission     {_title(scenario, mission_id)}")
    if isinstance(answer, Excluded):
        say(f"answer      {answer.person_id} cannot join: {answer.reason}")
        return
    if answer.on_team:
        say(f"answer      {answer.person_id} is on the team in the best plan")
        return
    score = "no plan in time" if answer.score is None else str(answer.score)
    say(
        f"answer      {answer.person_id} could join; pinning them changes the score by {score}"
        " — the best plan uses their time better elsewhere or not at all"
        if answer.score is None or answer.score.high < 0
        else f"answer      {answer.person_id} could join at no cost: the best plan has an "
        "equally good alternative with them on the team"
    )
