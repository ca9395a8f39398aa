"""Minutes as documents: the two published sets of minutes of the seeds, written as Markdown
(tests/fixtures), drafted through `lrt minutes draft --from`, their "Actie:" lines becoming
action items with owners read from the text, and rendered back as Markdown, HTML and DOCX
in the seeds' layout with every point and every action."""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest

from lrt_app.minutes_text import parse
from lrt_domain.minutes_actions import action_lines

from worlds.command_line import SEC, Cli

FIXTURES = Path(__file__).parent.parent / "fixtures"
PREFIX = {"point": "", "decision": "Besluit: ", "action": "Actie: "}


class ListItems(HTMLParser):
    """The text of every <li> of a page, its entities decoded."""

    def __init__(self) -> None:
        super().__init__()
        self.items: list[str] = []
        self.inside = False

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag == "li":
            self.inside = True
            self.items.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "li":
            self.inside = False

    def handle_data(self, data: str) -> None:
        if self.inside:
            self.items[-1] += data

    @classmethod
    def of(cls, page: str) -> list[str]:
        parser = cls()
        parser.feed(page)
        return parser.items


@dataclass
class Seed:
    file: str
    at: str
    place: str
    meeting: str
    actions: list[tuple[int, list[str]]]  # (agenda item, owners) of each action, in order


SEEDS = [
    Seed("seed_004_lrt_2023-11-10.md", "2023-11-10 09:15", "Webex", "LRT-2023-11-10",
         [(1, ["VNG"]), (2, ["JenV"]), (3, ["VNG"]), (4, ["JenV"]), (5, ["VB"])]),
    Seed("seed_003_lrt_2024-09-23.md", "2024-09-23 14:00", "Johan de Witthuis",
         "LRT-2024-09-23", []),
]

ORGANISATIONS = [("BZK", "Ministerie van BZK"), ("VNG", "Vereniging van Nederlandse Gemeenten"),
                 ("IPO", "Interprovinciaal Overleg"), ("CdK", "Kring van Commissarissen"),
                 ("COA", "Centraal Orgaan opvang asielzoekers"), ("Aedes", "Aedes"),
                 ("VB", "Veiligheidsberaad")]
# person id, name, title, organisation, presence at the meeting
MEMBERS = [("van-der-maat", "Christophe van der Maat", "Dhr.", "JenV", "present"),
           ("spies", "Liesbeth Spies", "Mevr.", "VNG", "remote"),
           ("de-reus", "Jan de Reus", "Dhr.", "IPO", "present"),
           ("klijnsma", "Jetta Klijnsma", "Mevr.", "CdK", "present"),
           ("kolff", "Wouter Kolff", "Dhr.", "VB", "remote"),
           ("van-rijn", "Martin van Rijn", "Dhr.", "Aedes", "absent")]


# how the seeds name these members' offices (seed 004: "Dhr. Van der Maat (SJenV)")
ABBREVIATIONS = {"van-der-maat": "SJenV", "klijnsma": "CDK’s"}


def lrt_store(cli: Cli) -> None:
    cli.at("2023-10-02 09:00")
    assert cli.invoke("init", "--admin", SEC, "--organisation", "JenV",
                      "--organisation-name", "Ministerie van Justitie en Veiligheid",
                      user=None).exit_code == 0
    for code, name in ORGANISATIONS:
        cli.new("org", "add", code, name)
    cli.new("table", "add", "LRT", "Landelijke Regietafel Migratie en Integratie",
            "--secretariat", "JenV", "--meetings-per-year", "6")
    for key, name, title, org, _ in MEMBERS:
        cli.new("person", "add", name, "--id", key, "--title", title)
        abbreviation = ["--abbreviation", ABBREVIATIONS[key]] if key in ABBREVIATIONS else []
        cli.new("member", "add", "LRT", key, "--organisation", org, "--function",
                f"bestuurder {org}", "--since", "2023-09-01", "--office-holder",
                *abbreviation)
    cli.new("user", "add", "spies", "--role", "member", "--organisation", "VNG",
            "--person", "spies")
    cli.new("user", "add", "woo", "--role", "auditor")


def held_meeting(cli: Cli, seed: Seed, titles: list[str]) -> str:
    meeting = cli.new("meeting", "schedule", "LRT", "--at", seed.at, "--place", seed.place)
    assert meeting == seed.meeting
    for title in titles:
        cli.new("agenda", "add", meeting, title)
    cli.at(seed.at)
    cli.ok("meeting", "hold", meeting)
    for key, *_, presence in MEMBERS:
        cli.ok("attendance", "record", meeting, key, presence)
    return meeting


@pytest.mark.parametrize("seed", SEEDS, ids=[s.file[:8] for s in SEEDS])
def test_seed_minutes_round_trip(cli: Cli, tmp_path: Path, seed: Seed) -> None:
    source = (FIXTURES / seed.file).read_text(encoding="utf8")
    expected = parse(source)
    lrt_store(cli)
    meeting = held_meeting(cli, seed, [it.title for it in expected])

    # draft from the Markdown: the minutes, and an action item per action line
    drafted = cli.invoke("minutes", "draft", meeting, "--from", str(FIXTURES / seed.file))
    assert drafted.exit_code == 0, drafted.stderr
    assert drafted.stdout == f"{meeting}\n"
    assert drafted.stderr.count(" agreed for ") == len(seed.actions)
    shown = cli.json("minutes", "show", meeting)
    assert [(i["number"], i["title"], [(p["kind"], p["text"]) for p in i["points"]])
            for i in shown["items"]] == [
        (it.number, it.title, [(p.kind.value, p.text) for p in it.points]) for it in expected]
    actions = [a for a in cli.json("action", "list") if a["meeting"] == meeting]
    assert [(a["item"], a["owners"]) for a in actions] == [
        (item, sorted(owners)) for item, owners in seed.actions]
    assert [a["text"] for a in actions] == [line.text for line in action_lines(expected)]
    assert all(a["before_next_meeting"] for a in actions)

    # Markdown: the seeds' heading, then every item, point and action; and it reads back in
    out = tmp_path / "verslag.md"
    assert cli.ok("minutes", "show", meeting, "--format", "md", "--out", str(out)) \
        == f"{out}\n"
    rendered = out.read_text(encoding="utf8")
    for label in ("| Omschrijving |", "| Vergaderdatum en -tijd |", "| Vergaderplaats |",
                  "| Aanwezig |", "| Afwezig |"):
        assert label in rendered
    assert f"| Vergaderplaats | {seed.place} |" in rendered
    # names as the seeds write them: title, surname, the office's abbreviation
    assert "Mevr. Spies (VNG) (digitaal)" in rendered
    assert "Dhr. Van der Maat (SJenV), " in rendered
    assert "Mevr. Klijnsma (CDK’s)" in rendered
    assert "| Afwezig | Dhr. Van Rijn (Aedes) |" in rendered
    assert parse(rendered) == expected
    assert action_lines(parse(rendered)) == action_lines(expected)
    assert cli.ok("minutes", "show", meeting, "--format", "md") == rendered  # stdout too
    # importing the rendering again changes nothing: the domain refuses an empty revision
    cli.refused("minutes", "revise", meeting, "--from", str(out),
                fragments=("changes nothing",))

    # HTML: Dutch, escaped, every point in a list item with its kind
    page = cli.ok("minutes", "show", meeting, "--format", "html")
    assert page.startswith("<!DOCTYPE html>\n<html lang=\"nl\">")
    assert "<th>Vergaderdatum en -tijd</th>" in page
    points = [p for it in expected for p in it.points]
    assert ListItems.of(page) == [PREFIX[p.kind.value] + p.text for p in points]
    assert page.count('<span class="soort">Actie:</span>') == sum(
        p.kind.value == "action" for p in points)

    # DOCX, opened with python-docx
    import docx

    path = tmp_path / "verslag.docx"
    cli.ok("minutes", "show", meeting, "--format", "docx", "--out", str(path))
    document = docx.Document(str(path))
    bullets = [p.text for p in document.paragraphs if p.style.name == "List Bullet"]
    assert bullets == [PREFIX[p.kind.value] + p.text for p in points]
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == [f"{it.number}. {it.title}" for it in expected]
    grid = {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows}
    assert grid["Vergaderplaats"] == seed.place
    assert "Mevr. Spies (VNG) (digitaal)" in grid["Aanwezig"]
    assert grid["Status"] == "concept, versie 1"
    assert document.core_properties.language == "nl-NL"
    assert document.core_properties.title.startswith("Verslag LRT ")
    bold = [r.text for p in document.paragraphs if p.style.name == "List Bullet"
            for r in p.runs if r.bold]
    assert bold.count("Actie: ") == sum(p.kind.value == "action" for p in points)


def test_dutch_heading_of_approved_minutes(cli: Cli, tmp_path: Path) -> None:
    """Seed 004's own words: "geaccordeerd met een wijziging namens VNG"."""
    seed = SEEDS[0]
    lrt_store(cli)
    meeting = held_meeting(cli, seed, [it.title for it in parse(
        (FIXTURES / seed.file).read_text(encoding="utf8"))])
    cli.at("2023-11-14 10:00")
    cli.new("minutes", "draft", meeting, "--from", str(FIXTURES / seed.file))
    out = cli.ok("minutes", "circulate", meeting)  # the table's rule: five working days
    assert out == f"minutes {meeting} circulated; comments until 2023-11-21 12:00:00\n"
    md = cli.ok("minutes", "show", meeting, "--format", "md")
    assert "| Status | concept, rondgestuurd, versie 1 (opmerkingen tot 12.00u op 21 " \
           "november 2023) |" in md
    cli.at("2023-11-20 10:00")
    cli.new("amendment", "propose", meeting, "--item", "4", "--point", "2", "--text",
            "VNG ervaart de toon in de brieven vaak als te zendend.", user="spies")
    cli.at("2023-11-22 10:00")
    cli.ok("amendment", "accept", meeting, "1")
    following = cli.new("meeting", "schedule", "LRT", "--at", "2023-12-01 10:00",
                        "--place", "Johan de Witthuis")
    cli.new("agenda", "add", following, "Vaststelling verslag")
    cli.at("2023-12-01 10:00")
    cli.ok("meeting", "hold", following)
    cli.ok("minutes", "approve", meeting, "--at-meeting", following)
    md = cli.ok("minutes", "show", meeting, "--format", "md", user="woo")
    assert "| Status | vastgesteld, versie 2 |" in md
    assert ("| Vastgesteld | in de vergadering van 1 december 2023 (LRT-2023-12-01) met een "
            "wijziging namens VNG |") in md
    assert "- VNG ervaart de toon in de brieven vaak als te zendend." in md
    assert "| Vergaderdatum en -tijd | 10 november 2023, 9.15 uur |" in md
    assert "| Omschrijving | Verslag LRT 10 november 2023 |" in md


def test_revising_from_markdown_keeps_the_register(cli: Cli, tmp_path: Path) -> None:
    seed = SEEDS[0]
    lrt_store(cli)
    meeting = held_meeting(cli, seed, ["Opening", "WVTTK"])
    text = tmp_path / "v1.md"
    text.write_text("## 1. Opening\n- Geopend.\n- Actie: VNG levert wijziging aan.\n"
                    "## 2. WVTTK\n- Actie: IPO belt de provincies.\n", encoding="utf8")
    cli.new("minutes", "draft", meeting, "--from", str(text))
    text.write_text("## 1. Opening\n- Geopend.\n- Actie: VNG en IPO leveren wijziging aan.\n"
                    "## 2. WVTTK\n- Geen.\n", encoding="utf8")
    revised = cli.invoke("minutes", "revise", meeting, "--from", str(text))
    assert revised.exit_code == 0, revised.stderr
    assert f"action {meeting}/A1 reworded (VNG, IPO)" in revised.stderr
    assert f"action {meeting}/A2 cancelled: geschrapt uit het verslag (versie 2)" \
        in revised.stderr
    listed = {a["key"]: a for a in cli.json("action", "list", "--all")}
    assert listed[f"{meeting}/A1"]["owners"] == ["IPO", "VNG"]
    assert listed[f"{meeting}/A2"]["status"] == "cancelled"
    history = cli.json("history", f"{meeting}/A1")
    assert [h["event"] for h in history] == ["Action.Agreed", "Action.Reworded"]


def test_bad_requests_for_minutes_documents(cli: Cli, tmp_path: Path) -> None:
    seed = SEEDS[0]
    lrt_store(cli)
    meeting = held_meeting(cli, seed, ["Opening"])
    cli.new("minutes", "draft", meeting)
    cli.refused("minutes", "show", meeting, "--format", "docx", code=2,
                fragments=("--out",))
    cli.refused("minutes", "show", meeting, "--format", "md", "--json", code=2,
                fragments=("--json", "--format"))
    cli.refused("minutes", "show", meeting, "--format", "pdf", code=2, fragments=("pdf",))
    cli.refused("minutes", "show", "LRT-2099-01-01", "--format", "md",
                fragments=("no minutes",))
    missing_dir = tmp_path / "nergens" / "verslag.docx"
    cli.refused("minutes", "show", meeting, "--format", "docx", "--out", str(missing_dir),
                code=2, fragments=("'--out'",))
    assert not missing_dir.parent.exists()
    # a bullet before any agenda item is still refused, naming the line
    bad = tmp_path / "bad.md"
    bad.write_text("# Verslag\n\n| Omschrijving | x |\n- Actie: VNG doet iets.\n",
                   encoding="utf8")
    cli.refused("minutes", "revise", meeting, "--from", str(bad), fragments=("line 4",))


# --- existing minutes read in as they are (issue 15, point 7) --------------------------------

PUBLISHED = {"seed_004_lrt_2023-11-10.md": "seed_004_published.txt",
             "seed_003_lrt_2024-09-23.md": "seed_003_published.txt"}


@pytest.mark.parametrize("seed", SEEDS, ids=[s.file[:8] for s in SEEDS])
def test_the_seeds_published_minutes_import_verbatim(cli: Cli, tmp_path: Path,
                                                     seed: Seed) -> None:
    """`lrt minutes import` reads the seed's own text (tests/fixtures/seed_00N_published.txt,
    a byte-for-byte copy of shared/seeds/00N_*.txt: its heading block, "Aanwezig", numbered
    headings in capitals or not, "•" and "-" bullets wrapped over lines, page headers, names
    blacked out as spaces) into exactly the items of the hand-written Markdown fixture; and
    a DOCX rendered from them reads back in the same."""
    from lrt_app.minutes_import import read_docx

    expected = parse((FIXTURES / seed.file).read_text(encoding="utf8"))
    lrt_store(cli)
    meeting = held_meeting(cli, seed, [it.title for it in expected])
    imported = cli.invoke("minutes", "import", meeting, "--from",
                          str(FIXTURES / PUBLISHED[seed.file]))
    assert imported.exit_code == 0, imported.stderr
    assert imported.stdout == f"{meeting}\n"
    assert imported.stderr.count(" agreed for ") == len(seed.actions)
    shown = cli.json("minutes", "show", meeting)
    assert [(i["number"], i["title"], [(p["kind"], p["text"]) for p in i["points"]])
            for i in shown["items"]] == [
        (it.number, it.title, [(p.kind.value, p.text) for p in it.points]) for it in expected]
    docx_file = tmp_path / "verslag.docx"
    cli.ok("minutes", "show", meeting, "--format", "docx", "--out", str(docx_file))
    assert read_docx(docx_file.read_bytes()) == expected
    # a file that is no minutes at all: refused, nothing recorded
    other = cli.new("meeting", "schedule", "LRT", "--at", "2024-12-01 10:00", "--place", "x")
    empty = tmp_path / "leeg.txt"
    empty.write_text("Geen verslag hier.\n", encoding="utf8")
    cli.refused("minutes", "import", other, "--from", str(empty),
                fragments=("no numbered agenda item",))
