"""The README's "JSON shapes" and the typed results of the queries (`projections.shapes`)
name the same fields: neither can drift from the other."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, NotRequired, get_type_hints

import pytest

from projections import shapes

README = Path(__file__).parents[2] / "README.md"

# command in the README -> the shape its --json prints (for a list: of each element)
DOCUMENTED = {
    "minutes show": shapes.MinutesView,
    "minutes list": shapes.MinutesListRow,
    "deadlines": shapes.DeadlineRow,
    "action list": shapes.ActionRow,
    "meeting show": shapes.MeetingView,
    "member list": shapes.MemberRow,
    "history": shapes.HistoryRow,
    "comment list": shapes.CommentRow,
    "deadlines --within": shapes.DueRow,
    "report punctuality": shapes.Punctuality,
}


def documented_fields(command: str) -> list[str]:
    """The top-level fields of the shape the README gives for `command`."""
    section = README.read_text(encoding="utf-8").split("### JSON shapes", 1)[1]
    section = section.split("\n## ", 1)[0]
    bullet = re.search(r"^- `" + re.escape(command) + r"`[^\n]*?`([\[{][^`]*)`", section,
                       re.M)
    assert bullet, f"the README documents no shape for {command!r}"
    text = " ".join(bullet.group(1).split()).removeprefix("[")
    assert text.startswith("{"), text
    top, depth = "", 0
    for ch in text:  # the text at the shape's own level: nested shapes left out
        depth += (ch in "[{") - (ch in "]}")
        if depth == 0:
            break
        if depth == 1 and ch not in "[{":
            top += ch
    names = [part.split(":")[0].strip() for part in top.split(",")]
    return [name for name in names if re.fullmatch(r"[a-z_]+", name)]


def required_fields(shape: Any) -> list[str]:
    hints = get_type_hints(shape, include_extras=True)
    return [name for name, hint in hints.items()
            if getattr(hint, "__origin__", None) is not NotRequired]


@pytest.mark.parametrize("command", DOCUMENTED)
def test_the_readme_names_the_fields_of_the_typed_result(command: str) -> None:
    assert sorted(documented_fields(command)) == sorted(required_fields(DOCUMENTED[command]))


def test_the_parser_reads_nested_shapes() -> None:
    assert documented_fields("report punctuality") == ["table", "year", "meetings", "totals"]
