"""Minutes written as plain text: a heading per agenda item, a bullet per point.

    ## 1. Opening en mededelingen
    - Het verslag wordt geaccordeerd met een wijziging namens VNG.
    - Besluit: de LRT komt voortaan eens per maand bijeen.
    - Actie: VNG levert wijziging aan.

A bullet starting with "Besluit:" is a decision, one starting with "Actie:" an action; an
indented line continues the point above it. Lines before the first agenda item that are not
bullets are the heading of the document (the title and the table of "Omschrijving",
"Vergaderdatum en -tijd", ... that `lrt minutes show --format md` writes) and are skipped, so
that rendered minutes read back in.
"""

from __future__ import annotations

import re

from lrt_domain.errors import InvalidInput
from lrt_domain.minutes import Item, Point, PointKind

HEADING = re.compile(r"^#+\s*(\d+)[.)]?\s*(.*?)\s*$")
BULLET = re.compile(r"^[-*•]\s+(.*)$")
KINDS = {"besluit:": PointKind.DECISION, "actie:": PointKind.ACTION}


def parse(text: str) -> list[Item]:
    items: list[tuple[int, str, list[Point]]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if heading := HEADING.match(line):
            items.append((int(heading[1]), heading[2], []))
        elif not items and not BULLET.match(line):
            continue  # the document's heading: title, Omschrijving, Aanwezig, ...
        elif not items:
            raise InvalidInput(f"text line {number}: expected a heading such as "
                               "'## 1. Opening' before any point")
        elif bullet := BULLET.match(line):
            items[-1][2].append(_point(bullet[1]))
        elif items[-1][2] and raw[:1].isspace():
            last = items[-1][2][-1]
            items[-1][2][-1] = last.model_copy(update={"text": f"{last.text} {line}"})
        else:
            raise InvalidInput(f"text line {number}: expected a bullet ('- ...') or an "
                               "indented continuation")
    return [Item(number=n, title=title or f"Agendapunt {n}", points=tuple(points))
            for n, title, points in items]


def _point(text: str) -> Point:
    for prefix, kind in KINDS.items():
        if text.lower().startswith(prefix):
            return Point(kind=kind, text=text[len(prefix):].strip())
    return Point(text=text)


def render(items: list[Item] | tuple[Item, ...]) -> str:
    """The inverse of `parse`."""
    out = []
    for it in items:
        out.append(f"## {it.number}. {it.title}")
        for p in it.points:
            prefix = {PointKind.DECISION: "Besluit: ", PointKind.ACTION: "Actie: "}.get(p.kind, "")
            out.append(f"- {prefix}{p.text}".replace("\n", "\n  "))
        out.append("")
    return "\n".join(out)
