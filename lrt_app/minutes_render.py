"""Minutes as documents, in Dutch, in the layout of the LRT's own minutes (seeds 003, 004):
the table's name; Omschrijving, Vergaderdatum en -tijd, Vergaderplaats, Aanwezig, Afwezig;
the numbered agenda items with a bullet per point ("Besluit:", "Actie:").

Markdown and HTML come from jinja2 templates (kept here, so that an installed package needs
no data files); DOCX is built with python-docx. The Markdown reads back in: `minutes_text`
skips the heading and reads the items, points and actions.

Input: what `Views.minutes_document` gives.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from lrt_domain.directory import Person
from lrt_domain.meetings import Meeting, Presence

MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
          "september", "oktober", "november", "december")
STATUS = {"draft": "concept", "circulated": "concept, rondgestuurd",
          "revised": "concept, herzien", "approved": "vastgesteld"}
PREFIX = {"decision": "Besluit:", "action": "Actie:", "point": ""}



def person_name(person: Person | None, key: str) -> str:
    """A person as the minutes name them: "Mevr. Liesbeth Spies" (the id if unknown)."""
    if person is None:
        return key
    return f"{person.title} {person.name}" if person.title else person.name


def attendance(meeting: Meeting, label: Callable[[str], str]) -> tuple[list[str], list[str]]:
    """Present and absent as the minutes list them: each person's label, "(digitaal)" for
    who joined remotely, "(namens ...)" for a substitute."""
    present: list[str] = []
    absent: list[str] = []
    for a in meeting.attendance:
        text = label(a.person)
        if a.presence is Presence.REMOTE:
            text += " (digitaal)"
        if a.substitute_for:
            text += f" (namens {label(a.substitute_for)})"
        (absent if a.presence is Presence.ABSENT else present).append(text)
    return present, absent


MARKDOWN = """\
# {{ m.table_name }}

| | |
|---|---|
{% for label, value in header -%}
| {{ label }} | {{ value | cell }} |
{% endfor %}
{% for item in m["items"] %}
## {{ item.number }}. {{ item.title }}

{% for p in item.points -%}
- {{ prefix(p) }}{{ p.text | bullet }}
{% endfor %}
{% endfor -%}
"""

HTML = """\
<!DOCTYPE html>
<html lang="nl">
<head>
<meta charset="utf-8">
<title>{{ title }}</title>
<style>
body { font-family: "RijksoverheidSansText", Verdana, sans-serif; font-size: 10pt;
       max-width: 46em; margin: 2em auto; line-height: 1.45; }
h1 { font-size: 14pt; }
table.kop { border-collapse: collapse; margin-bottom: 1.5em; }
table.kop th { text-align: left; vertical-align: top; padding: 0.1em 1.5em 0.1em 0;
               font-weight: normal; color: #555; white-space: nowrap; }
table.kop td { vertical-align: top; padding: 0.1em 0; }
h2 { font-size: 11pt; text-transform: uppercase; margin-top: 1.5em; }
li { margin-bottom: 0.4em; }
.soort { font-weight: bold; }
</style>
</head>
<body>
<h1>{{ m.table_name }}</h1>
<table class="kop">
{% for label, value in header -%}
<tr><th>{{ label }}</th><td>{{ value }}</td></tr>
{% endfor -%}
</table>
{% for item in m["items"] %}
<h2>{{ item.number }}. {{ item.title }}</h2>
<ul>
{% for p in item.points -%}
<li>{% if prefix(p) %}<span class="soort">{{ prefix(p) }}</span> {% endif %}{{ p.text }}</li>
{% endfor -%}
</ul>
{% endfor -%}
</body>
</html>
"""


def dutch_date(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def dutch_time(moment: datetime) -> str:
    return f"{moment.hour}.{moment.minute:02d} uur"


def dutch_list(values: list[str]) -> str:
    return values[0] if len(values) == 1 else ", ".join(values[:-1]) + " en " + values[-1]


def title(m: Mapping[str, Any]) -> str:
    start = datetime.fromisoformat(m["starts_at_local"])
    return f"Verslag {m['table']} {dutch_date(start.date())}"


def header(m: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The heading's rows, as in the seeds, then the status of this text."""
    start = datetime.fromisoformat(m["starts_at_local"])
    status = f"{STATUS.get(m['status'], m['status'])}, versie {m['version']}"
    if m["status"] == "circulated" and m.get("round_deadline"):
        deadline = datetime.fromisoformat(m["round_deadline"])
        status += (f" (opmerkingen tot {dutch_time(deadline).removesuffix(' uur')}u op "
                   f"{dutch_date(deadline.date())})")
    rows = [("Omschrijving", title(m)),
            ("Vergaderdatum en -tijd", f"{dutch_date(start.date())}, {dutch_time(start)}"),
            ("Vergaderplaats", m["place"]),
            ("Aanwezig", ", ".join(m["present"]) or "-"),
            ("Afwezig", ", ".join(m["absent"]) or "-"),
            ("Status", status)]
    if a := m["approval"]:
        if a["written_procedure"]:
            how = "via schriftelijke procedure (stilzwijgende instemming)"
        else:
            day = date.fromisoformat(m["approval_date"]) if m.get("approval_date") else None
            how = (f"in de vergadering van {dutch_date(day)} ({a['at_meeting']})" if day
                   else f"in de vergadering {a['at_meeting']}")
        amended = m.get("amended_by") or []
        if amended:
            how += (" met een wijziging" if len(a["amendments"]) == 1 else " met wijzigingen")
            how += f" namens {dutch_list(amended)}"
        rows.append(("Vastgesteld", how))
    if m["corrections"]:
        rows.append(("Correcties", "; ".join(
            f"{c['number']}. agendapunt {c['item']}"
            + (f", punt {c['point']}" if c["point"] else "")
            + f": {c['reason']} (op versie {c['of_version']})" for c in m["corrections"])))
    return rows


def _prefix(point: dict[str, Any]) -> str:
    return PREFIX.get(point["kind"], "")


def _environment(autoescape: bool) -> Any:
    from jinja2 import Environment, StrictUndefined

    env = Environment(autoescape=autoescape, undefined=StrictUndefined,
                      keep_trailing_newline=True, trim_blocks=False, lstrip_blocks=False)
    env.filters["cell"] = lambda v: str(v).replace("|", "\\|").replace("\n", " ")
    env.filters["bullet"] = lambda v: str(v).replace("\n", "\n  ")
    env.globals["prefix"] = lambda p: (_prefix(p) + " ") if _prefix(p) else ""
    return env


def to_markdown(m: Mapping[str, Any]) -> str:
    text: str = _environment(False).from_string(MARKDOWN).render(m=m, header=header(m))
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text


def to_html(m: Mapping[str, Any]) -> str:
    env = _environment(True)
    env.globals["prefix"] = _prefix
    html: str = env.from_string(HTML).render(m=m, header=header(m), title=title(m))
    return html


def to_docx(m: Mapping[str, Any]) -> bytes:
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = "Verdana"
    normal.font.size = Pt(9.5)
    # the document's language: Dutch, for the spelling checker and screen readers
    rpr = normal.element.get_or_add_rPr()
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = rpr.makeelement(qn("w:lang"), {})
        rpr.append(lang)
    lang.set(qn("w:val"), "nl-NL")
    doc.core_properties.title = title(m)
    doc.core_properties.subject = m["table_name"]
    doc.core_properties.language = "nl-NL"
    doc.core_properties.keywords = f"verslag, {m['table']}, {m['meeting']}"

    doc.add_heading(m["table_name"], level=0)
    rows = header(m)
    grid = doc.add_table(rows=len(rows), cols=2)
    for row, (label, value) in zip(grid.rows, rows):
        row.cells[0].text = label
        row.cells[1].text = value
    for item in m["items"]:
        doc.add_heading(f"{item['number']}. {item['title']}", level=1)
        for p in item["points"]:
            para = doc.add_paragraph(style="List Bullet")
            if prefix := _prefix(p):
                para.add_run(prefix + " ").bold = True
            para.add_run(p["text"])
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
