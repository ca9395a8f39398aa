"""Minutes written as plain text: a heading per agenda item, a bullet per point.

    ## 1. Opening en mededelingen
    - Het verslag wordt geaccordeerd met een wijziging namens VNG.
    - Besluit: de LRT komt voortaan eens per maand bijeen.
    - Actie: VNG levert wijziging aan.

A bullet starting with "Besluit:" is a decision, one starting with "Actie:" an action; an
indented line continues the point above it. Before the first agenda item stands, at most,
the heading that `lrt minutes show --format md` writes: a title ("# ...") and the table of
"Omschrijving", "Vergaderdatum en -tijd", ... ("| ... |" rows); and <!-- comments -->.
It is skipped, so that rendered minutes read back in; any other text there is refused,
naming its line, rather than dropped unseen.

A line is at most `MAX_LINE` characters; the patterns are matched on stripped lines and
cannot backtrack over a long one (each is linear in the line's length).
"""

from __future__ import annotations

import re

from lrt_domain.checks import MAX_TEXT
from lrt_domain.errors import InvalidInput
from lrt_domain.minutes import Item, Point, PointKind

MAX_LINE = MAX_TEXT  # characters: a line may hold a whole point, and no more
HEADING = re.compile(r"#+\s*(\d{1,4})(?!\d)[.)]?(.*)")
BULLET = re.compile(r"[-*•]\s+(.*)")
KINDS = {"besluit:": PointKind.DECISION, "actie:": PointKind.ACTION}


def parse(text: str) -> list[Item]:
    """The items of `text`; linear in its size: a point's lines are gathered and joined
    once at the end (not copied into the point at each continuation line)."""
    items: list[tuple[int, str, list[tuple[PointKind, list[str]]]]] = []
    comment = False  # within a comment before the first item
    for number, raw in enumerate(text.removeprefix("\ufeff").splitlines(), start=1):
        if len(raw) > MAX_LINE:
            raise InvalidInput(f"text line {number}: longer than {MAX_LINE} characters")
        line = raw.strip()
        if not line:
            continue
        if heading := HEADING.match(line):
            items.append((int(heading[1]), _unescape(heading[2].strip()), []))
        elif not items and BULLET.match(line):
            raise InvalidInput(f"text line {number}: expected a heading such as "
                               "'## 1. Opening' before any point")
        elif not items:
            if comment or line.startswith("<!--"):  # a Markdown (HTML) comment
                comment = "-->" not in line[4 if not comment else 0:]
                continue
            if line.startswith(("#", "|")):
                continue  # the document's heading: its title, the table of Omschrijving, ...
            raise InvalidInput(f"text line {number}: text before the first agenda item "
                               "('## 1. Title'); only a '# title', '| ... |' rows and "
                               "<!-- comments --> may stand there")
        elif bullet := BULLET.match(line):
            items[-1][2].append(_point(bullet[1]))
        elif items[-1][2] and raw[:1].isspace():
            items[-1][2][-1][1].append(_unescape(line))
        else:
            raise InvalidInput(f"text line {number}: expected a bullet ('- ...') or an "
                               "indented continuation")
    return [Item(number=n, title=title or f"Agendapunt {n}",
                 points=tuple(Point(kind=kind, text=" ".join(lines)) for kind, lines in points))
            for n, title, points in items]


def _unescape(text: str) -> str:
    """`\\<` as the Markdown output escapes a `<` (`minutes_render.escape_markdown`)."""
    return text.replace("\\<", "<")


def _point(text: str) -> tuple[PointKind, list[str]]:
    """A bullet's kind and its first line (a prefix looked for in its first characters,
    not in a lowered copy of the whole line)."""
    text = _unescape(text)
    for prefix, kind in KINDS.items():
        if text[:len(prefix)].lower() == prefix:
            return kind, [text[len(prefix):].strip()]
    return PointKind.POINT, [text]


def render(items: list[Item] | tuple[Item, ...]) -> str:
    """The inverse of `parse`."""
    out = []
    for it in items:
        out.append(f"## {it.number}. {it.title}".replace("<", "\\<"))
        for p in it.points:
            prefix = {PointKind.DECISION: "Besluit: ", PointKind.ACTION: "Actie: "}.get(p.kind, "")
            out.append(f"- {prefix}{p.text}".replace("\n", "\n  ").replace("<", "\\<"))
        out.append("")
    return "\n".join(out)
