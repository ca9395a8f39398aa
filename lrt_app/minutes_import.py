"""Existing minutes read in as they are: the published text of the LRT's minutes (seeds 003
and 004, as a PDF's text or pasted from it) or a Word document of them, into items and
points, for `lrt minutes import`.

Where `minutes_text.parse` reads our own plain-text form strictly, this reads what a
secretariat already has, leniently:

- everything before the first numbered heading ("1. OPENING EN MEDEDELINGEN", "1. Opening en
  Kennismaking", with or without "##") is the document's heading block (Omschrijving,
  Aanwezig, ...) and is skipped; headings are taken in order (1, 2, 3, ...), so a numbered
  line inside a point is not one; a heading that runs onto the next line is joined (a
  heading in capitals also across an empty line);
- a point starts at a bullet ("•", "-", "*", "–"); a line after it continues it (a word
  broken at a line's end with "-" is joined: "HLRT-" + "niveau"); after an empty line, a
  line that starts with a capital after a point that ended a sentence starts a new point
  (seed 003's "Communicatie."), as does text right under a heading after an empty line;
- the page header that repeats on every page of the published PDF ("Directoraat-Generaal
  Migratie", "Directie ...", "Team ...", "Datum", the date, "Onze referentie", its value)
  is dropped;
- a run of three or more spaces inside a line is a name blacked out in the publication:
  written "[REDACTED]", as seed 003's text has it;
- "Besluit:" and "Actie:" make a point a decision or an action, as everywhere.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from lrt_domain.errors import InvalidInput
from lrt_domain.minutes import Item, Point, PointKind

HEADING = re.compile(r"(?:#+\s*)?(\d{1,2})[.)]\s+(\S.*)")
BULLET = re.compile(r"[•\-*–]\s+(.*)")
BLACKED_OUT = re.compile(r"(?<=\S) {3,}(?=\S)")
PAGE_HEADER = re.compile(
    r"(\*\*.*|.*\*\*|Directoraat-Generaal.*|Directie .*|Team .*|Datum|Onze referentie|x|"
    r"\d{1,2} (januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|"
    r"november|december) \d{4})")
KINDS = {"besluit:": PointKind.DECISION, "actie:": PointKind.ACTION}


def read(text: str) -> list[Item]:
    """The items of minutes as published (see the module's docstring)."""
    items: list[tuple[int, list[str], list[str]]] = []  # number, title parts, points
    blank = False
    for raw in text.removeprefix("\ufeff").splitlines():
        line = BLACKED_OUT.sub(" [REDACTED] ", raw.replace("\u00a0", " ")).strip()
        if not line:
            blank = True
            continue
        heading = HEADING.fullmatch(line)
        if heading and int(heading[1]) == len(items) + 1:
            items.append((int(heading[1]), [heading[2].strip()], []))
        elif not items:
            pass  # the heading block
        elif bullet := BULLET.fullmatch(line):
            items[-1][2].append(bullet[1].strip())
        elif PAGE_HEADER.fullmatch(line):
            pass
        else:
            _, title, points = items[-1]
            if not points:  # a heading in capitals runs on in capitals, a blank between
                if blank and not (line.isupper() and " ".join(title).isupper()):
                    points.append(line)
                else:
                    title.append(line)
            elif blank and line[:1].isupper() and points[-1].rstrip()[-1:] in ".!?)":
                points.append(line)
            elif points[-1].endswith("-"):
                points[-1] += line
            else:
                points[-1] += " " + line
        blank = False
    if not items:
        raise InvalidInput("text: no numbered agenda item ('1. Opening') found")
    return [Item(number=n, title=" ".join(" ".join(title).split()),
                 points=tuple(_point(p) for p in points)) for n, title, points in items]


def read_docx(data: bytes) -> list[Item]:
    """The items of minutes in a Word document: its paragraphs as lines (a list paragraph
    as a bullet), then as `read`."""
    try:
        from docx import Document

        document = Document(io.BytesIO(data))
    except Exception as e:  # not a Word document
        raise InvalidInput(f"text: not a Word document (.docx): {e}") from None
    lines = []
    for paragraph in document.paragraphs:
        style = paragraph.style.name if paragraph.style is not None else ""
        text = paragraph.text
        if style.startswith("List") and not BULLET.fullmatch(text.strip()):
            text = "• " + text
        lines += [text, ""] if style.startswith("Heading") else [text]
    return read("\n".join(lines))


def read_file(path: Path) -> list[Item]:
    data = path.read_bytes()
    if data[:2] == b"PK":  # a zip: a .docx
        return read_docx(data)
    try:
        return read(data.decode("utf8"))
    except UnicodeDecodeError:
        raise InvalidInput(f"text: {path} is neither UTF-8 text nor a Word document") from None


def _point(text: str) -> Point:
    text = " ".join(text.split())
    for prefix, kind in KINDS.items():
        if text.lower().startswith(prefix):
            return Point(kind=kind, text=text[len(prefix):].strip())
    return Point(text=text)
