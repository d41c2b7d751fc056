"""Benchmark harness: the engine against its peers on generated organisations (``make bench``).

Every size (``cases.SIZES``: S … XL without periods, M4, M12 and L4 with a horizon) is
generated in every shape asked for (``assembler.generate.SHAPES``) at a fixed seed, and
solved by every solver asked for — the engine, plain CP-SAT, the greedy plan, HiGHS, and
HiGHS with five times the limit for the best known bound — on 2 workers with the size's
limit, each run in a fresh process.  Prints one table (every plan also against the best
bound known for its instance), each solver's mean and worst-shape gap per size, the warm
re-solve, what-if and determinism checks, and the engine's scaling series (CSV and PNG in
``--out``).  Runs are cached (``benchmarks/.cache``): a rerun only measures what is new.

    python benchmarks/bench.py                                             # everything
    python benchmarks/bench.py --sizes S,M --shapes default --no-scaling   # a quick look
    python benchmarks/bench.py --sizes M4 --solvers engine,highs-5x        # one comparison
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import scaling
from assembler.generate import SHAPES
from cases import PROJECTS, SEED, SIZES, SOLVERS, scenario_path
from measure import measure
from peers import WORKERS
from table import Row, print_summary, print_table, rows_of, write_csv

HERE = Path(__file__).parent
SAMPLE = HERE.parent / "data" / "sample"


def _names(text: str, known: dict[str, object], what: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in known]
    if unknown:
        raise SystemExit(f"unknown {what}: {', '.join(unknown)} (known: {', '.join(known)})")
    return names


def _options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default=",".join(SIZES), help="default: %(default)s")
    parser.add_argument(
        "--shapes", default=",".join([*SHAPES, PROJECTS]), help="default: %(default)s"
    )
    parser.add_argument("--solvers", default=",".join(SOLVERS), help="default: %(default)s")
    parser.add_argument(
        "--limit-scale",
        type=float,
        default=1.0,
        help="multiply every time limit (a smoke run: 0.1); results are cached per limit",
    )
    parser.add_argument("--no-scaling", action="store_true", help="skip the scaling series")
    parser.add_argument(
        "--scaling-people",
        default=",".join(str(n) for n in scaling.PEOPLE),
        help="points of the scaling series (default: %(default)s)",
    )
    parser.add_argument("--scaling-limit", type=float, default=scaling.LIMIT)
    parser.add_argument(
        "--no-extras", action="store_true", help="skip the re-solve and determinism checks"
    )
    parser.add_argument("--fresh", action="store_true", help="measure again, ignoring the cache")
    parser.add_argument("--cache", type=Path, default=HERE / ".cache")
    parser.add_argument("--out", type=Path, default=HERE / "results", help="CSV and PNG files")
    return parser.parse_args()


def main() -> None:
    options = _options()
    sizes = _names(options.sizes, SIZES, "size")
    shapes = _names(options.shapes, {**SHAPES, PROJECTS: None}, "shape")
    solvers = _names(options.solvers, SOLVERS, "solver")
    rows: list[Row] = []
    for size_name in sizes:
        size = SIZES[size_name]
        for shape in (shape for shape in shapes if size.fits(shape)):
            path = scenario_path(options.cache, size_name, size, shape)
            records = []
            for solver in solvers:
                limit = size.limit * options.limit_scale * SOLVERS[solver].factor
                record, cached = measure(options.cache, solver, path, limit, options.fresh)
                records.append(record)
                print(
                    f"  … {size_name} {shape} {solver}: {record.run.status} in "
                    f"{record.run.seconds:.1f}s{' (cached)' if cached else ''}",
                    file=sys.stderr,
                    flush=True,
                )
            rows.extend(rows_of(size_name, shape, records))
    limits = ", ".join(f"{s} {SIZES[s].limit * options.limit_scale:g}s" for s in sizes)
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(
        f"\nassembler benchmark — seed {SEED}, {WORKERS} workers, limits {limits} "
        f"(highs-5x: × 5); {os.cpu_count()} cores, load now {load}\n"
    )
    for name in sizes:
        print(f"  {name:<4} {SIZES[name].label}")
    print()
    if rows:
        print_table(rows)
        print_summary(rows)
        write_csv(rows, options.out / "bench.csv")
    if not options.no_extras:
        from extras import determinism, interactive_resolve, v3_cost, whatifs

        if "M" in sizes:
            interactive_resolve(scenario_path(options.cache, "M", SIZES["M"], "default"))
            whatifs(SAMPLE, scenario_path(options.cache, "M", SIZES["M"], "default"))
        if "S" in sizes:
            determinism(scenario_path(options.cache, "S", SIZES["S"], "default"))
        if "M4v3" in sizes:
            v3_cost(
                scenario_path(options.cache, "M4", SIZES["M4"], "default"),
                scenario_path(options.cache, "M4v3", SIZES["M4v3"], "default"),
            )
    if not options.no_scaling:
        people = [int(n) for n in options.scaling_people.split(",")]
        points = scaling.series(options.cache, people, options.scaling_limit, options.fresh)
        scaling.print_series(points)
        scaling.write_csv(points, options.out / "scaling.csv")
        scaling.write_png(points, options.out / "scaling.png")


if __name__ == "__main__":
    main()
