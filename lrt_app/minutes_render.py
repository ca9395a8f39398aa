"""Minutes as documents, in Dutch, in the layout of the LRT's own minutes (seeds 003, 004):
the table's name; Omschrijving, Vergaderdatum en -tijd, Vergaderplaats, Aanwezig, Afwezig;
the numbered agenda items with a bullet per point ("Besluit:", "Actie:").

Markdown and HTML come from jinja2 templates (kept here, so that an installed package needs
no data files); DOCX is built with python-docx, on A4 in the house layout below or in a
secretariat's own Word template; PDF/A-2b is the HTML printed by WeasyPrint. The Markdown
reads back in: `minutes_text` skips the heading and reads the items, points and actions.

The house layout, the same in DOCX and PDF: A4; margins 25 mm (20 mm right); the font
Open Sans (Debian's fonts-open-sans, SIL OFL: a humanist sans like the Rijksoverheid Sans
of the central government's house style, which is not freely licensed), DejaVu Sans where
it is missing; a header with the table's name, the meeting's date ("Datum") and its
reference ("Onze referentie", as seed 003 has it); a footer "pagina x van y".

Text is written with inline Markdown (`**vet**`, `*cursief*`, `[tekst](https://...)`),
rendered by markdown-it-py with raw HTML off: HTML in any text is shown as text, in every
format (in the Markdown output as `\\<`).

Input: what `Views.minutes_document` gives.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from lrt_domain.directory import Person
from lrt_domain.dutch_time import local
from lrt_domain.meetings import Meeting, Presence

STATUS = {"draft": "concept", "circulated": "concept, rondgestuurd",
          "revised": "concept, herzien", "approved": "vastgesteld"}
PREFIX = {"decision": "Besluit:", "action": "Actie:", "point": ""}
FONT = "Open Sans"  # Debian: fonts-open-sans
FONT_STACK = '"Open Sans", "DejaVu Sans", sans-serif'
MARGINS_MM = (25, 20, 25, 25)  # top, right, bottom, left


def person_name(person: Person | None, key: str) -> str:
    """A person as the minutes name them: "Mevr. Liesbeth Spies" (the id if unknown)."""
    if person is None:
        return key
    return f"{person.title} {person.name}" if person.title else person.name


def short_name(person: Person | None, key: str) -> str:
    """A person as the seeds' minutes name them: the title and the surname, its first
    particle capitalised ("Dhr. Van der Maat", "Mevr. Spies"); the full name where no
    title is recorded (the id if the person is unknown)."""
    from lrt_domain.publication import split_name

    if person is None:
        return key
    given, surname = split_name(person.name)
    if not person.title or not given or not surname \
            or not any(c.islower() for c in surname[-1]):  # "Adviseur VNG": not a surname
        return person_name(person, key)
    first = surname[0][:1].upper() + surname[0][1:]
    return " ".join([person.title, first, *surname[1:]])


def member_label(name: str, membership: Any) -> str:
    """"Dhr. Van der Maat (SJenV)": the name and, for a member, the office's abbreviation
    on the membership, else the organisation's code."""
    if membership is None:
        return name
    return f"{name} ({membership.abbreviation or membership.organisation})"


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


# --- inline Markdown ---------------------------------------------------------------------

# The characters with which the rules enabled below can begin anything but text (and the
# line breaks and NUL that markdown-it normalises): a text without them is read as itself.
MARKUP = re.compile(r"[*_\[\]`\\&\r\n\0]")


@cache
def _inline_parser() -> Any:
    from markdown_it import MarkdownIt

    # "zero": nothing but paragraphs and text; raw HTML stays off (it is escaped)
    return MarkdownIt("zero").enable(["emphasis", "link", "escape", "backticks", "entity"])


def inline_html(text: str) -> str:
    """A text's inline Markdown as HTML: <strong>, <em>, <code>, <a href>; everything else,
    raw HTML included, escaped. Links only to http(s) and mailto (markdown-it refuses
    javascript: and the like)."""
    if not MARKUP.search(text):  # plain text (most points): what markdown-it would give
        return text.replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    html: str = _inline_parser().renderInline(text)
    return html.replace("\n", " ")


@dataclass(frozen=True)
class Span:
    """A run of text with its inline formatting."""

    text: str
    bold: bool = False
    italic: bool = False
    code: bool = False
    href: str | None = None


def spans(text: str) -> list[Span]:
    """A text's inline Markdown as runs (for DOCX)."""
    if not MARKUP.search(text):  # plain text (most points): what markdown-it would give
        return [Span(text)] if text else []
    return markdown_spans(text)


def markdown_spans(text: str) -> list[Span]:
    """`spans`, always through markdown-it."""
    out: list[Span] = []
    bold = italic = 0
    href: str | None = None
    for block in _inline_parser().parseInline(text):
        for t in block.children or []:
            if t.type in ("strong_open", "strong_close"):
                bold += 1 if t.type == "strong_open" else -1
            elif t.type in ("em_open", "em_close"):
                italic += 1 if t.type == "em_open" else -1
            elif t.type == "link_open":
                href = str(t.attrs.get("href", ""))
            elif t.type == "link_close":
                href = None
            elif t.type in ("text", "code_inline", "softbreak", "hardbreak"):
                content = " " if t.type.endswith("break") else t.content
                out.append(Span(content, bold > 0, italic > 0, t.type == "code_inline", href))
    return out


def plain(text: str) -> str:
    """A text's inline Markdown as the reader sees it, without the marks."""
    return "".join(s.text for s in spans(text))


def escape_markdown(text: str) -> str:
    """Text for the Markdown output: a `<` could open raw HTML there, so it is escaped
    (`\\<`, which `minutes_text.parse` reads back as `<`)."""
    return text.replace("<", "\\<")


# --- Dutch words -----------------------------------------------------------------------

def dutch_date(day: date) -> str:
    """"10 november 2023" (Babel, nl)."""
    from babel.dates import format_date

    return str(format_date(day, "d MMMM y", locale="nl"))


def dutch_time(moment: datetime) -> str:
    return f"{moment.hour}.{moment.minute:02d} uur"


def dutch_list(values: list[str]) -> str:
    return values[0] if len(values) == 1 else ", ".join(values[:-1]) + " en " + values[-1]


def title(m: Mapping[str, Any]) -> str:
    start = datetime.fromisoformat(m["starts_at_local"])
    return f"Verslag {m['table']} {dutch_date(start.date())}"


def reference(m: Mapping[str, Any]) -> str:
    """"Onze referentie": the meeting's id (LRT-2023-11-10)."""
    return str(m["meeting"])


def author(m: Mapping[str, Any]) -> str:
    """The document's author: the table's secretariat."""
    return str(m.get("secretariat_name") or m.get("secretariat") or m["table_name"])


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


def running_header(m: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The page header of DOCX and PDF: the table, the date, our reference."""
    start = datetime.fromisoformat(m["starts_at_local"])
    return [("Datum", dutch_date(start.date())), ("Onze referentie", reference(m))]


MARKDOWN = """\
# {{ m.table_name | md }}

| | |
|---|---|
{% for label, value in header -%}
| {{ label }} | {{ value | md | cell }} |
{% endfor %}
{% for item in m["items"] %}
## {{ item.number }}. {{ item.title | md }}

{% for p in item.points -%}
- {{ prefix(p) }}{{ p.text | md | bullet }}
{% endfor %}
{% endfor -%}
"""

HTML = """\
<!DOCTYPE html>
<html lang="nl">
<head>
<meta charset="utf-8">
<title>{{ title }}</title>
{% if print -%}
<meta name="author" content="{{ author }}">
<meta name="description" content="{{ m.table_name }}">
<meta name="keywords" content="verslag, {{ m.table }}, {{ m.meeting }}">
<meta name="dcterms.created" content="{{ created }}">
<meta name="dcterms.modified" content="{{ created }}">
{% endif -%}
<style>
body { font-family: {{ font_stack }}; font-size: 10pt;
       max-width: 46em; margin: 2em auto; line-height: 1.45; }
h1 { font-size: 14pt; }
table.kop { border-collapse: collapse; margin-bottom: 1.5em; }
table.kop th { text-align: left; vertical-align: top; padding: 0.1em 1.5em 0.1em 0;
               font-weight: normal; color: #555; white-space: nowrap; }
table.kop td { vertical-align: top; padding: 0.1em 0; }
h2 { font-size: 11pt; text-transform: uppercase; margin-top: 1.5em; }
li { margin-bottom: 0.4em; }
.soort { font-weight: bold; }
{% if print -%}
@page { size: A4; margin: {{ margins }};
        @top-left { content: element(kopregel); vertical-align: bottom; }
        @bottom-right { content: "pagina " counter(page) " van " counter(pages);
                        font-family: {{ font_stack }}; font-size: 8pt; } }
body { max-width: none; margin: 0; font-size: 9.5pt; }
div.kopregel { position: running(kopregel); font-size: 8pt; width: 100%;
               padding-bottom: 3mm; }
div.kopregel p { margin: 0; }
div.kopregel .tafel { font-weight: bold; }
h1 { margin-top: 0; }
{% endif -%}
</style>
</head>
<body>
{% if print -%}
<div class="kopregel">
<p class="tafel">{{ m.table_name }}</p>
{% for label, value in running -%}
<p>{{ label }} {{ value }}</p>
{% endfor -%}
</div>
{% endif -%}
<h1>{{ m.table_name }}</h1>
<table class="kop">
{% for label, value in header -%}
<tr><th>{{ label }}</th><td>{{ value }}</td></tr>
{% endfor -%}
</table>
{% for item in m["items"] %}
<h2>{{ item.number }}. {{ item.title | inline }}</h2>
<ul>
{% for p in item.points -%}
<li>{% if prefix(p) %}<span class="soort">{{ prefix(p) }}</span> {% endif %}{{ p.text | inline }}</li>
{% endfor -%}
</ul>
{% endfor -%}
</body>
</html>
"""


def _prefix(point: Mapping[str, Any]) -> str:
    return PREFIX.get(point["kind"], "")


def _environment(autoescape: bool) -> Any:
    from jinja2 import Environment, StrictUndefined
    from markupsafe import Markup

    env = Environment(autoescape=autoescape, undefined=StrictUndefined,
                      keep_trailing_newline=True, trim_blocks=False, lstrip_blocks=False)
    env.filters["cell"] = lambda v: str(v).replace("|", "\\|").replace("\n", " ")
    env.filters["bullet"] = lambda v: str(v).replace("\n", "\n  ")
    env.filters["md"] = lambda v: escape_markdown(str(v))
    env.filters["inline"] = lambda v: Markup(inline_html(str(v)))
    env.globals["prefix"] = lambda p: (_prefix(p) + " ") if _prefix(p) else ""
    return env


def to_markdown(m: Mapping[str, Any]) -> str:
    text: str = _environment(False).from_string(MARKDOWN).render(m=m, header=header(m))
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text


def to_html(m: Mapping[str, Any], *, printed: datetime | None = None) -> str:
    """The minutes as an HTML page; `printed`: the page for print (the PDF), with the
    house layout's page header and footer and the document's properties, made at that
    moment."""
    from markupsafe import Markup

    env = _environment(True)
    env.globals["prefix"] = _prefix
    html: str = env.from_string(HTML).render(
        m=m, header=header(m), title=title(m), print=printed is not None,
        running=running_header(m), author=author(m), font_stack=Markup(FONT_STACK),
        margins=" ".join(f"{v}mm" for v in MARGINS_MM),
        created=printed.isoformat(timespec="seconds") if printed else "")
    return html


def to_pdf(m: Mapping[str, Any], *, now: datetime) -> bytes:
    """The minutes as PDF/A-2b (fonts embedded), printed from the HTML at `now`."""
    return html_to_pdf(to_html(m, printed=now))


def html_to_pdf(page: str) -> bytes:
    """An HTML page as PDF/A-2b, with its fonts embedded (WeasyPrint; the fonts from the
    system's fontconfig, never fetched: a page that links anything outside is refused)."""
    import logging

    from weasyprint import HTML

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)

    def no_fetch(url: str, *args: Any, **kwargs: Any) -> Any:
        raise ValueError(f"a document for print may not fetch {url}")

    pdf: bytes = HTML(string=page, url_fetcher=no_fetch).write_pdf(pdf_variant="pdf/a-2b")
    return pdf


# --- DOCX --------------------------------------------------------------------------------

class TemplateError(ValueError):
    """A --template that is not a Word document."""


# In a secretariat's own template these placeholders are filled wherever they stand
# (header, footer, body); the body's other content is replaced by the minutes.
PLACEHOLDERS = ("tafel", "titel", "datum", "referentie", "auteur")


def to_docx(m: Mapping[str, Any], *, now: datetime, template: Path | None = None) -> bytes:
    """The minutes as a Word document (A4, house layout), made at `now`; with `template`,
    in that Word document's styles, page setup, header and footer instead."""
    from docx import Document

    if template is None:
        doc = Document()
        _house_layout(doc, m)
    else:
        try:
            doc = Document(str(template))
        except Exception as e:  # python-docx: PackageNotFoundError, KeyError, ValueError
            raise TemplateError(f"{template} is not a Word document (.docx): {e}") from None
        _clear_body(doc)
        _fill_placeholders(doc, m)
    _core_properties(doc, m, now)
    _body(doc, m)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _core_properties(doc: Any, m: Mapping[str, Any], now: datetime) -> None:
    from datetime import timezone

    from docx.oxml.ns import qn

    moment = now.astimezone(timezone.utc).replace(tzinfo=None, microsecond=0)
    props = doc.core_properties
    props.title = title(m)
    props.subject = m["table_name"]
    props.author = props.last_modified_by = author(m)
    props.created = props.modified = moment
    for printed in props._element.findall(qn("cp:lastPrinted")):  # the template's date
        props._element.remove(printed)
    props.revision = 1
    props.language = "nl-NL"
    props.category = "verslag"
    props.comments = ""
    props.keywords = f"verslag, {m['table']}, {m['meeting']}"
    props.identifier = reference(m)


def _set_font(style: Any, size: float | None = None, *, bold: bool | None = None) -> None:
    """A style in the house font, black: the theme's fonts and colours taken off."""
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    rfonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attribute), None)
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        rfonts.set(qn(attribute), FONT)
    style.font.color.rgb = RGBColor(0, 0, 0)
    if size is not None:
        style.font.size = Pt(size)
    if bold is not None:
        style.font.bold = bold


def _house_layout(doc: Any, m: Mapping[str, Any]) -> None:
    from docx.enum.text import WD_TAB_ALIGNMENT
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    top, right, bottom, left = MARGINS_MM
    section.top_margin, section.right_margin = Mm(top), Mm(right)
    section.bottom_margin, section.left_margin = Mm(bottom), Mm(left)
    section.header_distance = section.footer_distance = Mm(10)

    normal = doc.styles["Normal"]
    _set_font(normal, 9.5)
    normal.paragraph_format.space_after = Pt(4)
    rpr = normal.element.get_or_add_rPr()  # Dutch, for the spelling checker and readers
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = rpr.makeelement(qn("w:lang"), {})
        rpr.append(lang)
    lang.set(qn("w:val"), "nl-NL")
    title_style = doc.styles["Title"]
    _set_font(title_style, 14, bold=True)
    ppr = title_style.element.get_or_add_pPr()
    for border in ppr.findall(qn("w:pBdr")):  # the default template's blue rule
        ppr.remove(border)
    title_style.paragraph_format.space_after = Pt(12)
    for name, size in (("Heading 1", 10.5), ("Heading 2", 9.5)):
        heading = doc.styles[name]
        _set_font(heading, size, bold=True)
        heading.font.all_caps = name == "Heading 1"
        heading.paragraph_format.space_before = Pt(12)
        heading.paragraph_format.space_after = Pt(4)
    for name in ("List Bullet", "Header", "Footer"):
        _set_font(doc.styles[name], 9.5 if name == "List Bullet" else 7.5)

    header = section.header
    first = header.paragraphs[0]
    first.style = doc.styles["Header"]
    first.add_run(m["table_name"]).bold = True
    for label, value in running_header(m):
        para = header.add_paragraph(style="Header")
        para.add_run(label + "\t").bold = False
        para.add_run(value)
        para.paragraph_format.tab_stops.add_tab_stop(Mm(28), WD_TAB_ALIGNMENT.LEFT)
    footer = section.footer.paragraphs[0]
    footer.style = doc.styles["Footer"]
    footer.alignment = 2  # right
    footer.add_run("pagina ")
    _field(footer, "PAGE", "1")
    footer.add_run(" van ")
    _field(footer, "NUMPAGES", "1")


def _field(paragraph: Any, instruction: str, shown: str) -> None:
    """A Word field (PAGE, NUMPAGES) that Word brings up to date when it lays out."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def char(kind: str) -> Any:
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        return element

    paragraph.add_run()._r.append(char("begin"))
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} \\* MERGEFORMAT "
    paragraph.add_run()._r.append(instr)
    paragraph.add_run()._r.append(char("separate"))
    paragraph.add_run(shown)
    paragraph.add_run()._r.append(char("end"))


def _clear_body(doc: Any) -> None:
    """A template's body emptied: its paragraphs and tables go, its section settings stay;
    a paragraph holding a placeholder stays (filled by `_fill_placeholders`)."""
    from docx.oxml.ns import qn

    body = doc.element.body
    for child in list(body):
        if child.tag == qn("w:sectPr"):
            continue
        text = "".join(t.text or "" for t in child.iter(qn("w:t")))
        if not re.search(r"\{\{\s*(" + "|".join(PLACEHOLDERS) + r")\s*\}\}", text):
            body.remove(child)


def _fill_placeholders(doc: Any, m: Mapping[str, Any]) -> None:
    start = datetime.fromisoformat(m["starts_at_local"])
    values = {"tafel": m["table_name"], "titel": title(m), "datum": dutch_date(start.date()),
              "referentie": reference(m), "auteur": author(m)}
    pattern = re.compile(r"\{\{\s*(" + "|".join(PLACEHOLDERS) + r")\s*\}\}")
    parts: list[Any] = []
    for section in doc.sections:
        for part in (section.header, section.first_page_header, section.even_page_header,
                     section.footer, section.first_page_footer, section.even_page_footer):
            if not part.is_linked_to_previous:
                parts.append(part)
    parts.append(doc)
    for part in parts:
        paragraphs = list(part.paragraphs)
        for table in part.tables:
            paragraphs += [p for row in table.rows for cell in row.cells
                           for p in cell.paragraphs]
        for para in paragraphs:
            if not pattern.search(para.text) or not para.runs:
                continue
            text = pattern.sub(lambda found: values[found[1]], para.text)
            para.runs[0].text = text  # the first run's formatting for the whole line
            for run in para.runs[1:]:
                run._r.getparent().remove(run._r)


def _style(doc: Any, name: str, fallback: str = "Normal") -> Any:
    try:
        return doc.styles[name]
    except KeyError:
        return doc.styles[fallback]


def escape(text: str) -> str:
    """Text for XML content (`xml.sax.saxutils` would import urllib, http and ssl)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def quoteattr(text: str) -> str:
    """An XML attribute value, quoted."""
    return '"' + escape(text).replace('"', "&quot;") + '"'


W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CHUNK = 500  # paragraphs parsed into the document at a time


class _Body:
    """The minutes' paragraphs written as WordprocessingML text, parsed by lxml in chunks
    and put before the body's section settings: each paragraph costs the same however long
    the document (python-docx's `add_paragraph` looks for the section settings among all
    the body's children, `paragraph.style = ...` goes through every style for the
    default one, and `relate_to` through every relationship for a link and a free id:
    each quadratic over a long document, 25 s for 10k bullets). The XML is what
    python-docx writes for the same calls (a run's bold, italic, underline, font)."""

    def __init__(self, doc: Any) -> None:
        from docx.enum.style import WD_STYLE_TYPE
        from docx.opc.constants import RELATIONSHIP_TYPE

        self.doc = doc
        self.body = doc.element.body
        self.end = self.body.sectPr  # found once: looking for it is a walk over the body
        self.paragraphs: list[str] = []
        self._type = WD_STYLE_TYPE.PARAGRAPH
        self._rels = doc.part.rels
        self._link = RELATIONSHIP_TYPE.HYPERLINK
        self._links: dict[str, str] = {
            str(rel.target_ref): str(rid) for rid, rel in self._rels.items()
            if rel.is_external and rel.reltype == self._link}
        self._next = 1

    def style(self, style: Any) -> str:
        """A paragraph style's properties, as each paragraph in it starts."""
        style_id = self.doc.part.get_style_id(style, self._type)  # None: the default
        return (f"<w:pPr><w:pStyle w:val={quoteattr(style_id)}/></w:pPr>"
                if style_id is not None else "")

    def paragraph(self, properties: str, runs: list[str]) -> None:
        self.paragraphs.append(f"<w:p>{properties}{''.join(runs)}</w:p>")
        if len(self.paragraphs) >= CHUNK:
            self.flush()

    def link(self, href: str) -> str:
        """The id of the document's relationship to `href` (one per distinct target)."""
        if href not in self._links:
            while f"rId{self._next}" in self._rels:
                self._next += 1
            self._rels.add_relationship(self._link, href, f"rId{self._next}",
                                        is_external=True)
            self._links[href] = f"rId{self._next}"
        return self._links[href]

    def flush(self) -> None:
        from docx.oxml import parse_xml

        if not self.paragraphs:
            return
        chunk = parse_xml(f'<w:body xmlns:w="{W_NS}" xmlns:r="{R_NS}">'
                          f"{''.join(self.paragraphs)}</w:body>")
        self.paragraphs.clear()
        for p in list(chunk):
            if self.end is None:
                self.body.append(p)
            else:
                self.end.addprevious(p)


def _run(text: str, *, bold: bool = False, italic: bool = False, underline: bool = False,
         font: str | None = None) -> str:
    """A run as python-docx writes `add_run(text)` with these properties: a tab as
    <w:tab/>, a line break as <w:br/>."""
    properties = "".join([
        f"<w:rFonts w:ascii={quoteattr(font)} w:hAnsi={quoteattr(font)}/>" if font else "",
        "<w:b/>" if bold else "", "<w:i/>" if italic else "",
        '<w:u w:val="single"/>' if underline else ""])
    content = []
    for part in re.split(r"(\t|\r\n|\n|\r)", text):
        if part == "\t":
            content.append("<w:tab/>")
        elif part in ("\n", "\r", "\r\n"):
            content.append("<w:br/>")
        elif part:
            content.append(f'<w:t xml:space="preserve">{escape(part)}</w:t>')
    return f"<w:r>{f'<w:rPr>{properties}</w:rPr>' if properties else ''}{''.join(content)}</w:r>"


def _spans_xml(text: str, body: _Body) -> list[str]:
    """Inline Markdown as runs: bold, italic, code; a link as a Word hyperlink."""
    out = []
    for span in spans(text):
        run = _run(span.text, bold=span.bold, italic=span.italic, underline=bool(span.href),
                   font="DejaVu Sans Mono" if span.code else None)
        out.append(f"<w:hyperlink r:id={quoteattr(body.link(span.href))}>{run}</w:hyperlink>"
                   if span.href else run)
    return out


def _body(doc: Any, m: Mapping[str, Any]) -> None:
    from docx.shared import Mm

    doc.add_paragraph(m["table_name"], style=_style(doc, "Title"))
    rows = header(m)
    grid = doc.add_table(rows=len(rows), cols=2)
    grid.autofit = False
    section = doc.sections[0]
    text_width = section.page_width - section.left_margin - section.right_margin
    widths = (Mm(45), text_width - Mm(45))  # the labels' column as wide as they need
    for column, width in zip(grid.columns, widths):
        column.width = width
    for row, (label, value) in zip(grid.rows, rows):
        row.cells[0].text = label
        row.cells[1].text = value
        for cell, width in zip(row.cells, widths):
            cell.width = width
    body = _Body(doc)
    bullet_style = _style(doc, "List Bullet")
    heading, bullet = body.style(_style(doc, "Heading 1")), body.style(bullet_style)
    # a template without bullets: a bullet sign
    sign = [_run("• ")] if bullet_style.name != "List Bullet" else []
    for item in m["items"]:
        body.paragraph(heading, [_run(f"{item['number']}. "), *_spans_xml(item["title"], body)])
        for p in item["points"]:
            prefix = [_run(_prefix(p) + " ", bold=True)] if _prefix(p) else []
            body.paragraph(bullet, [*sign, *prefix, *_spans_xml(p["text"], body)])
    body.flush()
