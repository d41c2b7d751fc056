"""Small pieces of planner-facing wording shared by every layer.

Messages are the product as much as plans are: a near-miss id should always be answered
with the same hint, and a count should always agree with its noun, whichever module
speaks.  Keeping these helpers here, below every package, lets readers, validation,
results and trade-offs share them without importing each other.
"""

from __future__ import annotations

import difflib
import string
from collections.abc import Iterable


def did_you_mean(value: str, options: Iterable[str]) -> str:
    """`` (did you mean 'X'?)`` for the closest option, or nothing when none is close.

    Case is ignored when comparing: ``Unit_ID`` for ``unit_id`` is the commonest slip.
    """
    by_folded = {option.casefold(): option for option in options}
    matches = difflib.get_close_matches(value.casefold(), list(by_folded), n=1)
    return f" (did you mean {by_folded[matches[0]]!r}?)" if matches else ""


def plural(count: int, noun: str, plural: str | None = None) -> str:
    """``1 unit`` or ``3 units``: the count with its noun agreeing.

    ``plural`` is the plural form when adding an ``s`` is wrong (``person`` → ``people``).
    """
    return f"{count} {noun}" if count == 1 else f"{count} {plural or noun + 's'}"


def format_gap(gap: float) -> str:
    """A gap as a percentage a planner reads at a glance: ``2.28%``; a gap too small for
    two decimals is ``< 0.01%``, never ``0.00%`` (which would claim a proof) nor
    ``9.8e-05%``."""
    return f"{gap:.2%}" if gap == 0 or gap >= 1e-4 else "< 0.01%"


_MARKDOWN_ESCAPES = {ord(c): "\\" + c for c in string.punctuation}
_MARKDOWN_ESCAPES.update({ord("\r"): " ", ord("\n"): " ", ord("\u2028"): " ", ord("\u2029"): " "})


def markdown_text(text: object) -> str:
    """``text`` as Markdown that shows it literally, on one line.

    Names, notes, reasons and file names come from scenarios, users and the store; shown
    through Markdown as they are, ``![p](http://host/pixel.png)`` would make a reader's
    browser fetch a URL of the uploader's choosing, and ``**``, ``#`` or Streamlit's
    ``:red[…]`` would restyle the page.  CommonMark lets every ASCII punctuation character be
    escaped with a backslash, so escaping all of them leaves no syntax to find (links,
    images, emphasis, code, headings, lists, tables, HTML, directives, math); line breaks
    become spaces so that a value cannot start a block of its own.
    """
    return str(text).translate(_MARKDOWN_ESCAPES)
