"""The words of a generic organisation, kept as data in ``vocabulary.toml``.

Division names, skills, person names and mission wording are content, not logic: they sit
in a data file the package ships, so the generator's code reads as what it does.  The file
is validated when loaded, so a typo in it fails at import with the field at fault rather
than as a strange scenario.  Every list keeps the file's order, which the draws depend on.
"""

from __future__ import annotations

import tomllib
from importlib.resources import files

from pydantic import BaseModel, ConfigDict

from assembler.domain.scenario import CapabilityKind, ChangeType


class Area(BaseModel):
    """A functional area: what a division does, which skills it lives on, what it works on."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    division: str
    category: str
    skills: tuple[str, ...]
    departments: tuple[str, ...]
    objects: tuple[str, ...]


class Vocabulary(BaseModel):
    """Everything ``vocabulary.toml`` holds; see the comments there for what each list is."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    change_skills: tuple[str, ...]
    qualifiers: tuple[str, ...]
    regions: tuple[str, ...]
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    systems: tuple[str, ...]
    partners: tuple[str, ...]
    tech: tuple[str, ...]
    capabilities: tuple[tuple[str, CapabilityKind], ...]
    mission_names: dict[ChangeType, tuple[str, ...]]
    areas: tuple[Area, ...]


def load_vocabulary() -> Vocabulary:
    """The vocabulary shipped with the package (read through ``importlib.resources``, so it
    is found in an installed wheel as well as in a source tree)."""
    text = files("assembler.generate").joinpath("vocabulary.toml").read_text(encoding="utf-8")
    return Vocabulary.model_validate(tomllib.loads(text))


VOCABULARY = load_vocabulary()
