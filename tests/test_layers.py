"""The packages follow the flow: each imports only from those above it in the README's
"Where things live" table, so no package imports one that (directly or not) imports it."""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "src" / "assembler"
README = Path(__file__).resolve().parents[1] / "README.md"


def readme_order() -> list[str]:
    """The packages in the order of the README's table, top first."""
    rows = re.findall(r"^\| `([a-z_]+)(?:/|\.py)` \|", README.read_text(encoding="utf-8"), re.M)
    return list(rows)


def package_imports() -> dict[str, set[str]]:
    """Package (or top-level module) → the other ``assembler`` packages it imports."""
    edges: dict[str, set[str]] = defaultdict(set)
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        if parts == ("__init__.py",):
            continue  # the public API re-exports from everywhere
        here = parts[0].removesuffix(".py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("assembler."):
                there = node.module.split(".")[1]  # type: ignore[union-attr]
                if there != here:
                    edges[here].add(there)
    return edges


def test_no_package_imports_its_way_back_to_itself() -> None:
    edges = package_imports()

    def reaches(start: str, goal: str) -> bool:
        seen, stack = set(), [start]
        while stack:
            for nxt in edges.get(stack.pop(), ()):
                if nxt == goal:
                    return True
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        return False

    cycles = sorted((a, b) for a in edges for b in edges[a] if reaches(b, a))
    assert cycles == []


def test_or_tools_and_streamlit_stay_in_their_packages() -> None:
    for path in ROOT.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        package = path.relative_to(ROOT).parts[0]
        if "import streamlit" in text or "from streamlit" in text:
            raise AssertionError(f"{path} imports streamlit")
        if package != "solver" and ("from ortools.sat" in text or "import ortools" in text):
            raise AssertionError(f"{path} imports OR-Tools")


def test_each_package_imports_only_from_those_above_it_in_the_readme() -> None:
    order = readme_order()
    edges = package_imports()
    assert set(edges) <= set(order), "a package the README's table does not name"
    upward = sorted(
        (here, there)
        for here, theres in edges.items()
        for there in theres
        if order.index(there) > order.index(here)
    )
    assert upward == []
