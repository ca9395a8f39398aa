"""The minutes as documents a ministry files (issue 15): DOCX on A4 in the house layout or in
a secretariat's own template, PDF/A-2b with its fonts embedded, inline Markdown rendered and
raw HTML escaped in every format. One store per kind (SQLite, PostgreSQL) for the module:
seed 004's minutes, drafted, amended with Markdown and HTML in the text, and approved."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from datetime import datetime, timezone
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from lrt_app.minutes_text import parse

from worlds.command_line import Cli, at
# the command line's English vocabulary that no Dutch output may hold (issue 17); the mail
# (tests/mail/test_one_language.py) and the portal are held to it as well
from worlds.language import english_words

from .test_minutes_documents import FIXTURES, SEEDS, held_meeting, lrt_store

MEETING = "LRT-2023-11-10"
AMENDED = ("VNG ervaart de toon in de brieven vaak als **te zendend**; zie *de brief* "
           "[op de site](https://www.rijksoverheid.nl/brief) <script>alert(1)</script>.")
RENDERED_AT = "2023-12-04 10:30"  # the record clock when the documents are made


@pytest.fixture(scope="module")
def world(module_store: Any) -> Iterator[Cli]:
    """Seed 004's minutes, approved with VNG's amendment, on a store of each kind."""
    cli = Cli(db=module_store)
    seed = SEEDS[0]
    lrt_store(cli)
    meeting = held_meeting(cli, seed, [it.title for it in parse(
        (FIXTURES / seed.file).read_text(encoding="utf8"))])
    cli.at("2023-11-14 10:00")
    cli.new("minutes", "draft", meeting, "--from", str(FIXTURES / seed.file))
    cli.ok("minutes", "circulate", meeting)
    cli.at("2023-11-20 10:00")
    cli.new("amendment", "propose", meeting, "--item", "4", "--point", "2", "--text",
            AMENDED, user="spies")
    cli.at("2023-11-22 10:00")
    cli.ok("amendment", "accept", meeting, "1")
    following = cli.new("meeting", "schedule", "LRT", "--at", "2023-12-01 10:00",
                        "--place", "Johan de Witthuis")
    cli.new("agenda", "add", following, "Vaststelling verslag")
    cli.at("2023-12-01 10:00")
    cli.ok("meeting", "hold", following)
    cli.ok("minutes", "approve", meeting, "--at-meeting", following)
    cli.at(RENDERED_AT)
    yield cli


class Text(HTMLParser):
    """The text a reader sees of a page: the body, the running header left out, headings
    upper-cased as the stylesheet shows them."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0  # inside <head> or the running header
        self.upper = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("head", "style") or ("class", "kopregel") in attrs or self.skip:
            self.skip += 1 if tag not in ("meta", "br") else 0
        self.upper = tag == "h2" or self.upper

    def handle_endtag(self, tag: str) -> None:
        if self.skip:
            self.skip -= 1
        if tag == "h2":
            self.upper = False

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data.upper() if self.upper else data)

    @classmethod
    def of(cls, page: str) -> str:
        parser = cls()
        parser.feed(page)
        return "".join(parser.parts)


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


# --- DOCX ------------------------------------------------------------------------------

def test_docx_on_a4_in_the_house_layout(world: Cli, tmp_path: Path) -> None:
    import docx

    path = tmp_path / "verslag.docx"
    world.ok("minutes", "show", MEETING, "--format", "docx", "--out", str(path), user="woo")
    document = docx.Document(str(path))
    section = document.sections[0]
    mm = [round(v.mm, 1) for v in (section.page_width, section.page_height,
                                   section.top_margin, section.right_margin,
                                   section.bottom_margin, section.left_margin)]
    assert mm == [210, 297, 25, 20, 25, 25]  # A4 (in Word's twips)
    # the header: the table, the date, our reference (seed 003's "Onze referentie")
    header = [p.text for p in section.header.paragraphs]
    assert header == ["Landelijke Regietafel Migratie en Integratie",
                      "Datum\t10 november 2023", "Onze referentie\tLRT-2023-11-10"]
    # the footer: "pagina x van y", with Word's fields for both numbers
    footer = section.footer.paragraphs[0]
    assert footer.text == "pagina 1 van 1"
    instructions = [t.text.split()[0] for t in footer._p.iter(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}instrText")]
    assert instructions == ["PAGE", "NUMPAGES"]
    # the properties: the secretariat wrote it, made at the record clock's now
    props = document.core_properties
    assert props.author == "Ministerie van Justitie en Veiligheid"
    assert props.last_modified_by == props.author
    made = at(RENDERED_AT).astimezone(timezone.utc)
    assert props.created == props.modified
    assert abs((props.created.replace(tzinfo=timezone.utc) - made).total_seconds()) < 2
    assert props.title == "Verslag LRT 10 november 2023"
    assert props.language == "nl-NL" and props.comments == ""
    assert props.last_printed is None
    # the house font, black headings, no theme fonts left in the styles
    styles = zipfile.ZipFile(path).read("word/styles.xml").decode("utf8")
    assert 'w:ascii="Open Sans"' in styles
    for name in ("Normal", "Title", "Heading 1", "List Bullet"):
        style = document.styles[name]
        assert style.font.name == "Open Sans", name
        assert style.font.color.rgb in (None, docx.shared.RGBColor(0, 0, 0)), name
    # headings and lists as in the HTML
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings[0] == "1. OPENING EN MEDEDELINGEN"  # as seed 004 writes it
    assert any(p.style.name == "List Bullet" for p in document.paragraphs)


def test_inline_markdown_in_docx(world: Cli, tmp_path: Path) -> None:
    import docx

    path = tmp_path / "verslag.docx"
    world.ok("minutes", "show", MEETING, "--format", "docx", "--out", str(path), user="woo")
    document = docx.Document(str(path))
    point = next(p for p in document.paragraphs if "zendend" in p.text)
    assert point.text == ("VNG ervaart de toon in de brieven vaak als te zendend; zie de brief "
                          "op de site <script>alert(1)</script>.")
    assert [r.text for r in point.runs if r.bold] == ["te zendend"]
    assert [r.text for r in point.runs if r.italic] == ["de brief"]
    links = point._p.findall(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}hyperlink")
    assert len(links) == 1
    target = point.part.rels[links[0].get(
        "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id")]
    assert target.target_ref == "https://www.rijksoverheid.nl/brief"


def test_docx_in_the_secretariats_own_template(world: Cli, tmp_path: Path) -> None:
    import docx
    from docx.shared import Mm, Pt

    template = docx.Document()
    section = template.sections[0]
    section.page_width, section.page_height = Mm(215.9), Mm(279.4)  # theirs, not ours
    section.header.paragraphs[0].text = "Ministerie van JenV | {{ tafel }} | {{ datum }}"
    section.footer.paragraphs[0].text = "Kenmerk {{ referentie }}"
    template.styles["Normal"].font.name = "Arial"
    template.styles["Normal"].font.size = Pt(11)
    template.add_paragraph("Dit briefpapier wordt vervangen.")
    own = tmp_path / "huisstijl.docx"
    template.save(str(own))

    path = tmp_path / "verslag.docx"
    world.ok("minutes", "show", MEETING, "--format", "docx", "--out", str(path),
             "--template", str(own), user="woo")
    document = docx.Document(str(path))
    section = document.sections[0]
    assert round(section.page_width.mm, 1) == 215.9  # the template's page setup stays
    assert document.styles["Normal"].font.name == "Arial"
    assert [p.text for p in section.header.paragraphs] == [
        "Ministerie van JenV | Landelijke Regietafel Migratie en Integratie | "
        "10 november 2023"]
    assert section.footer.paragraphs[0].text == "Kenmerk LRT-2023-11-10"
    texts = [p.text for p in document.paragraphs]
    assert "Dit briefpapier wordt vervangen." not in texts
    assert "1. OPENING EN MEDEDELINGEN" in texts
    assert document.core_properties.author == "Ministerie van Justitie en Veiligheid"

    not_word = tmp_path / "brief.docx"
    not_word.write_text("geen Word-bestand", encoding="utf8")
    world.refused("minutes", "show", MEETING, "--format", "docx", "--out",
                  str(tmp_path / "x.docx"), "--template", str(not_word), code=2,
                  fragments=("'--template'", "not a Word document"), user="woo")
    world.refused("minutes", "show", MEETING, "--format", "pdf", "--out",
                  str(tmp_path / "x.pdf"), "--template", str(own), code=2,
                  fragments=("--template", "docx"), user="woo")
    assert not (tmp_path / "x.docx").exists()


# --- inline Markdown, raw HTML ------------------------------------------------------------

def test_inline_markdown_in_html_and_markdown(world: Cli) -> None:
    page = world.ok("minutes", "show", MEETING, "--format", "html", user="woo")
    assert ("<strong>te zendend</strong>; zie <em>de brief</em> "
            '<a href="https://www.rijksoverheid.nl/brief">op de site</a> '
            "&lt;script&gt;alert(1)&lt;/script&gt;.") in page
    assert "<script>" not in page and "**" not in page
    md = world.ok("minutes", "show", MEETING, "--format", "md", user="woo")
    assert "**te zendend**" in md  # Markdown stays Markdown
    assert not re.search(r"(?<!\\)<", md)  # every < escaped
    assert "\\<script>alert(1)\\</script>" in md
    # and reads back in as it was written
    items = parse(md)
    assert items[3].points[1].text == AMENDED


# --- PDF/A ---------------------------------------------------------------------------------

def pdf_facts(data: bytes) -> dict[str, Any]:
    """What a reader of the PDF checks: the XMP's PDF/A identification, the fonts and
    whether each is embedded, the text of each page, the document's properties."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    xmp = reader.xmp_metadata
    assert xmp is not None, "no XMP metadata"
    raw = xmp.stream.get_data().decode("utf8")
    part = re.search(r'pdfaid:part="(\d)"', raw) or re.search(r"<pdfaid:part>(\d)<", raw)
    conformance = (re.search(r'pdfaid:conformance="(\w)"', raw)
                   or re.search(r"<pdfaid:conformance>(\w)<", raw))
    fonts: dict[str, bool] = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            described = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" \
                in font else font
            descriptor = described["/FontDescriptor"].get_object()
            fonts[str(font["/BaseFont"])] = any(
                k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    info = reader.metadata
    return {"pdfa": (part and part[1], conformance and conformance[1]), "fonts": fonts,
            "pages": [p.extract_text() for p in reader.pages],
            "title": info.title if info else None, "author": info.author if info else None,
            "lang": reader.trailer["/Root"].get("/Lang"),
            "output_intent": "/OutputIntents" in reader.trailer["/Root"]}


def body_text(pages: list[str], header: list[str]) -> str:
    """The pages' text without the running header and the footer, and the list markers."""
    out = []
    for number, text in enumerate(pages, start=1):
        lines = [ln.strip() for ln in text.splitlines()]
        for running in (*header, f"pagina {number} van {len(pages)}"):
            # once a page, the last (the page's boxes come after its body): the table's
            # name is the title too
            del lines[len(lines) - 1 - lines[::-1].index(running)]
        out.append("\n".join(lines))
    return "\n".join(out).replace("•", "")


def test_minutes_as_pdf_a(world: Cli, tmp_path: Path) -> None:
    path = tmp_path / "verslag.pdf"
    out = world.ok("minutes", "show", MEETING, "--format", "pdf", "--out", str(path),
                   user="woo")
    assert out == f"{path}\n"
    data = path.read_bytes()
    facts = pdf_facts(data)
    assert facts["pdfa"] == ("2", "B")
    assert facts["output_intent"]
    assert facts["fonts"] and all(facts["fonts"].values()), facts["fonts"]
    assert any("Open-Sans" in name for name in facts["fonts"]), facts["fonts"]
    assert facts["title"] == "Verslag LRT 10 november 2023"
    assert facts["author"] == "Ministerie van Justitie en Veiligheid"
    assert facts["lang"] == "nl"
    assert len(facts["pages"]) >= 2
    header = ["Landelijke Regietafel Migratie en Integratie", "Datum 10 november 2023",
              "Onze referentie LRT-2023-11-10"]
    for number, text in enumerate(facts["pages"], start=1):
        lines = [ln.strip() for ln in text.splitlines()]
        assert all(h in lines for h in header), lines  # the running header on every page
        assert f"pagina {number} van {len(facts['pages'])}" in lines
    # the text is the page's text, modulo the layout's whitespace
    page = world.ok("minutes", "show", MEETING, "--format", "html", user="woo")
    assert squeeze(body_text(facts["pages"], header)) == squeeze(Text.of(page))
    assert "<script>alert(1)</script>" in squeeze(body_text(facts["pages"], header))


def test_pdf_needs_a_file(world: Cli) -> None:
    world.refused("minutes", "show", MEETING, "--format", "pdf", code=2,
                  fragments=("--out",), user="woo")


def test_render_time_is_the_record_clock(world: Cli, tmp_path: Path) -> None:
    """Two PDFs made at different moments differ in their dates only."""
    from pypdf import PdfReader

    path = tmp_path / "verslag.pdf"
    world.ok("minutes", "show", MEETING, "--format", "pdf", "--out", str(path), user="woo")
    created = PdfReader(str(path)).metadata.creation_date
    assert created is not None
    expected = at(RENDERED_AT)
    assert abs((created - expected).total_seconds()) < 2, (created, expected)
    assert isinstance(created, datetime)


# --- one language per document ------------------------------------------------------------

def docx_text(path: Path) -> str:
    import docx

    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    parts += [c.text for t in document.tables for row in t.rows for c in row.cells]
    for section in document.sections:
        parts += [p.text for p in section.header.paragraphs + section.footer.paragraphs]
    props = document.core_properties
    parts += [props.title, props.subject, props.author, props.keywords, props.category]
    return "\n".join(parts)


def test_every_document_is_in_dutch(world: Cli, tmp_path: Path) -> None:
    """The minutes in every format, the Woo publication, the parliament export and the
    calendar: not one word of the command line's English."""
    from icalendar import Calendar

    texts: dict[str, str] = {}
    texts["text"] = world.ok("minutes", "show", MEETING, user="woo")
    texts["md"] = world.ok("minutes", "show", MEETING, "--format", "md", user="woo")
    texts["html"] = Text.of(world.ok("minutes", "show", MEETING, "--format", "html",
                                     user="woo"))
    world.ok("minutes", "show", MEETING, "--format", "docx", "--out",
             str(tmp_path / "v.docx"), user="woo")
    texts["docx"] = docx_text(tmp_path / "v.docx")
    world.ok("minutes", "show", MEETING, "--format", "pdf", "--out",
             str(tmp_path / "v.pdf"), user="woo")
    texts["pdf"] = "\n".join(pdf_facts((tmp_path / "v.pdf").read_bytes())["pages"])

    export = tmp_path / "kamer"
    world.ok("export", "parliament", "--table", "LRT", "--from", "2023-01-01", "--to",
             "2023-12-31", "--out", str(export), user="woo")
    for path in sorted(export.iterdir()):
        if path.suffix == ".pdf":
            texts[path.name] = "\n".join(pdf_facts(path.read_bytes())["pages"])
        elif path.suffix == ".html":
            texts[path.name] = Text.of(path.read_text(encoding="utf8"))
        elif path.suffix == ".xml":  # what a reader sees: the elements' text
            from lxml import etree

            texts[path.name] = " ".join(etree.fromstring(path.read_bytes()).itertext())
        elif path.name != "MANIFEST.sha256":
            texts[path.name] = path.read_text(encoding="utf8")
    assert {"CHAIN.txt", "index.html", f"{MEETING}.pdf"} <= set(texts)

    world.ok("calendar", "export", "--table", "LRT", "--out", str(tmp_path / "lrt.ics"))
    calendar = Calendar.from_ical((tmp_path / "lrt.ics").read_bytes())
    texts["ics"] = "\n".join(
        str(c.get(k)) for c in calendar.walk() for k in ("SUMMARY", "DESCRIPTION", "LOCATION")
        if c.get(k) is not None)
    categories = {str(v) for c in calendar.walk() if c.get("CATEGORIES") is not None
                  for v in c.get("CATEGORIES").cats}
    assert categories == {"LRT", "vergadering", "commentaarronde", "actie"}

    found = {name: english_words(text) for name, text in texts.items()}
    assert {name: words for name, words in found.items() if words} == {}
    assert ("in de vergadering van 1 december 2023 (LRT-2023-12-01) met een wijziging "
            "namens VNG") in texts["text"]


def test_a_public_office_is_recorded_on_the_person(world: Cli) -> None:
    world.ok("person", "office", "van-rijn", "--office", "voorzitter Aedes")
    listed = {p["id"]: p for p in world.json("person", "list")}
    assert listed["van-rijn"]["office"] == "voorzitter Aedes"
    assert listed["spies"]["office"] is None
    world.refused("person", "office", "van-rijn", code=2, fragments=("--office", "--none"))
    world.refused("person", "office", "van-rijn", "--office", "voorzitter Aedes",
                  fragments=("already",))
    world.refused("person", "office", "niemand", "--none", fragments=("niemand",))
    world.refused("person", "office", "van-rijn", "--none", user="spies",
                  fragments=("record offices",))
    world.ok("person", "office", "van-rijn", "--none")
    assert {p["id"]: p for p in world.json("person", "list")}["van-rijn"]["office"] is None


# --- DiWoo metadata -------------------------------------------------------------------------

DIWOO = Path(__file__).parent.parent / "fixtures" / "diwoo"
NS = {"d": "https://standaarden.overheid.nl/diwoo/metadata/"}
JENV = "https://identifier.overheid.nl/tooi/id/ministerie/mnre1058"


def diwoo_schemas() -> list[Any]:
    """Our schema of the DiWoo 0.9.8 elements lrt writes; and the official schema too when
    its files are in fixtures/diwoo/official/ (its MDTO import answered by a local stub)."""
    from lxml import etree

    schemas = [etree.XMLSchema(etree.parse(str(DIWOO / "diwoo-0.9.8-lrt.xsd")))]
    official = DIWOO / "official" / "diwoo-metadata.xsd"
    if official.exists():
        stub = DIWOO / "official" / "mdto-stub.xsd"
        stub.write_text(
            '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" '
            'targetNamespace="https://www.nationaalarchief.nl/mdto" '
            'elementFormDefault="qualified"><xs:element name="MDTO"/></xs:schema>\n',
            encoding="utf8")
        text = official.read_text(encoding="utf8").replace(
            "https://www.nationaalarchief.nl/mdto/MDTO-XML1.0.1.xsd", "mdto-stub.xsd")
        schemas.append(etree.XMLSchema(etree.fromstring(
            text.encode("utf8"), base_url=str(official))))
    return schemas


def valid_diwoo(data: bytes) -> Any:
    from lxml import etree

    tree = etree.fromstring(data)
    for schema in diwoo_schemas():
        assert schema.validate(tree), schema.error_log
    return tree


def test_diwoo_metadata_beside_each_published_document(world: Cli, tmp_path: Path) -> None:
    world.refused("org", "tooi", "JenV", "https://example.org/jenv",
                  fragments=("TOOI organisation identifier",))
    world.ok("org", "tooi", "JenV", JENV)
    assert {o["code"]: o for o in world.json("org", "list")}["JenV"]["tooi"] == JENV

    out = tmp_path / "openbaar"
    data = world.json("minutes", "publish", MEETING, "--out", str(out))
    xml_file = out / f"{MEETING}-openbaar.xml"
    assert data["files"]["diwoo"] == str(xml_file)
    tree = valid_diwoo(xml_file.read_bytes())
    one = lambda path: tree.find(path, NS)  # noqa: E731
    assert one("d:DiWoo/d:publisher").get("resource") == JENV
    assert one("d:DiWoo/d:publisher").text == "Ministerie van Justitie en Veiligheid"
    assert one("d:DiWoo/d:verantwoordelijke").get("resource") == JENV
    assert one("d:DiWoo/d:titelcollectie/d:officieleTitel").text == (
        "Verslag LRT 10 november 2023 (Landelijke Regietafel Migratie en Integratie)")
    assert one("d:DiWoo/d:creatiedatum").text == "2023-11-10"
    assert one("d:DiWoo/d:language").get("resource").endswith("/language/NLD")
    assert one("d:DiWoo/d:format").get("resource").endswith("/file-type/PDF")
    category = one("d:DiWoo/d:classificatiecollectie/d:informatiecategorieen/"
                   "d:informatiecategorie")
    assert category.get("resource").startswith("https://identifier.overheid.nl/tooi/def/thes")
    pdf = (out / f"{MEETING}-openbaar.pdf").read_bytes()
    import hashlib

    assert [i.text for i in tree.findall("d:DiWoo/d:identifiers/d:identifier", NS)] == [
        MEETING, f"{MEETING}-openbaar.pdf", "sha256:" + hashlib.sha256(pdf).hexdigest()]
    actions = [(a.find("d:soortHandeling", NS).text, a.find("d:atTime", NS).text)
               for a in tree.findall("d:DiWoo/d:documenthandelingen/d:documenthandeling", NS)]
    assert actions[0][0] == "vaststelling" and actions[0][1].startswith("2023-12-01T10:00")
    assert actions[1][0] == "openbaarmaking"
    assert actions[1][1].startswith(RENDERED_AT.replace(" ", "T"))

    # the export for parliament: one beside each meeting's PDF, in the manifest
    export = tmp_path / "kamer"
    world.ok("export", "parliament", "--table", "LRT", "--from", "2023-01-01", "--to",
             "2023-12-31", "--out", str(export), user="woo")
    tree = valid_diwoo((export / f"{MEETING}.xml").read_bytes())
    assert tree.find("d:DiWoo/d:publisher", NS).get("resource") == JENV
    assert f"  {MEETING}.xml\n" in (export / "MANIFEST.sha256").read_text(encoding="ascii")
