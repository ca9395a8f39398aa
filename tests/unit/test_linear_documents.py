"""The minutes' text and documents on inputs that once cost more than their size (issue 16,
point 5): each must still come out right. No times here; `bench.documents` measures them."""

from __future__ import annotations

import io
import random
from datetime import datetime, timezone
from typing import Any

import pytest

from lrt_app.minutes_render import (MARKUP, inline_html, markdown_spans, spans, to_docx,
                                    _inline_parser)
from lrt_app.minutes_text import MAX_LINE, parse, render
from lrt_domain.errors import InvalidInput
from lrt_domain.minutes import Item, Point, PointKind

NOW = datetime(2023, 11, 10, 12, 0, tzinfo=timezone.utc)


# --- the plain-text parser ---------------------------------------------------------------

@pytest.mark.parametrize("line", [
    "##" + " " * 40_000 + "1. Opening",  # spaces before the number
    "## 1." + " " * 40_000 + "Opening",  # between the number and the title
    "## 1. Opening" + " " * 40_000,  # after the title
    " " * 40_000 + "## 1. Opening",  # before the heading
])
def test_a_heading_of_40k_spaces_is_read(line: str) -> None:
    assert parse(line + "\n- Welkom.") == [
        Item(number=1, title="Opening", points=(Point(text="Welkom."),))]


def test_spaces_inside_a_title_and_a_point_are_kept() -> None:
    gap = " " * 40_000
    [item] = parse(f"## 1. a{gap}b\n- Besluit: c{gap}d")
    assert item.title == f"a{gap}b"
    assert item.points == (Point(kind=PointKind.DECISION, text=f"c{gap}d"),)


def test_a_line_as_long_as_a_point_may_be_is_read_one_longer_refused() -> None:
    [item] = parse("## 1. a\n- " + "x" * (MAX_LINE - 2))
    assert item.points[0].text == "x" * (MAX_LINE - 2)
    with pytest.raises(InvalidInput, match=r"^text line 2: longer than 100000 characters$"):
        parse("## 1. a\n- " + "x" * (MAX_LINE - 1))


def test_a_point_of_50k_continuation_lines_is_joined_in_order() -> None:
    lines = [f"  regel {i}" for i in range(50_000)]
    [item] = parse("## 1. a\n- Actie: begin\n" + "\n".join(lines) + "\n- volgende")
    first, second = item.points
    assert first.kind is PointKind.ACTION
    assert first.text == "begin " + " ".join(f"regel {i}" for i in range(50_000))
    assert second == Point(text="volgende")


def test_9999_items_of_bullets_read_back_as_rendered() -> None:
    items = [Item(number=n, title=f"Punt <{n}>", points=(
        Point(text=f"tekst {n}"), Point(kind=PointKind.DECISION, text=f"besluit\n{n}"),
        Point(kind=PointKind.ACTION, text="VNG levert aan."))) for n in range(1, 10_000)]
    assert parse(render(items)) == [
        it.model_copy(update={"points": tuple(
            p.model_copy(update={"text": p.text.replace("\n", " ")}) for p in it.points)})
        for it in items]


def test_the_kind_of_a_point_in_any_case() -> None:
    [item] = parse("## 1. a\n- BESLUIT: ja\n- actie:nu\n- Besluitvorming volgt")
    assert [(p.kind, p.text) for p in item.points] == [
        (PointKind.DECISION, "ja"), (PointKind.ACTION, "nu"),
        (PointKind.POINT, "Besluitvorming volgt")]


# --- inline Markdown: plain text is read without markdown-it, as markdown-it reads it ------

PLAIN = " \t abcXYZ é€ <>\"'!#$%+-:=@{}~|/()?.,;0123456789\u00a0\u2028"


def test_plain_text_reads_as_markdown_it_reads_it() -> None:
    rng = random.Random(16)
    samples = ["", " ", "  a  b  ", "x < y > z \"q\"", "http://example.org/a?b=c"]
    samples += ["".join(rng.choice(PLAIN) for _ in range(rng.randint(1, 60)))
                for _ in range(2000)]
    for text in samples:
        assert not MARKUP.search(text)
        assert spans(text) == markdown_spans(text), repr(text)
        assert inline_html(text) == _inline_parser().renderInline(text), repr(text)


def test_text_with_marks_still_goes_through_markdown_it() -> None:
    assert [(s.text, s.bold, s.href) for s in spans("a **b** [c](https://x.nl)")] == [
        ("a ", False, None), ("b", True, None), (" ", False, None), ("c", False, "https://x.nl")]
    assert inline_html("a & b") == "a &amp; b"


# --- DOCX --------------------------------------------------------------------------------

def _minutes(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"table_name": "Landelijke Regietafel", "table": "LRT", "meeting": "LRT-2023-11-10",
            "starts_at_local": "2023-11-10T10:00:00+01:00", "status": "draft", "version": 1,
            "place": "Den Haag", "present": [], "absent": [], "approval": None,
            "corrections": [], "items": items, "secretariat_name": "JenV"}


def _opened(data: bytes) -> Any:
    import docx

    return docx.Document(io.BytesIO(data))


def test_a_docx_of_3000_linked_bullets_keeps_order_styles_and_links() -> None:
    """Each distinct link target one relationship, each link to its own target; the
    paragraphs in order before the section settings; the styles those of the house."""
    from docx.oxml.ns import qn

    items = [{"number": n, "title": f"Titel *{n}*", "points": [
        {"kind": "point", "text": f"Zie [bron {n}.{j}](https://example.org/{n}/{j % 2})."}
        for j in range(3)]} for n in range(1, 1001)]
    document = _opened(to_docx(_minutes(items), now=NOW))
    body = [p for p in document.paragraphs if p.style.name in ("Heading 1", "List Bullet")]
    assert len(body) == 1000 * 4
    assert [p.text for p in body[:4]] == [
        "1. Titel 1", "Zie bron 1.0.", "Zie bron 1.1.", "Zie bron 1.2."]
    assert body[-1].text == "Zie bron 1000.2."
    assert [p.style.name for p in body[:5]] == ["Heading 1"] + ["List Bullet"] * 3 + [
        "Heading 1"]
    assert document.element.body[-1].tag == qn("w:sectPr")  # the section settings last
    rels = document.part.rels
    targets = {}
    for paragraph in body:
        for link in paragraph._p.findall(qn("w:hyperlink")):
            rid = link.get(qn("r:id"))
            text = "".join(t.text for t in link.iter(qn("w:t")))
            targets.setdefault(rels[rid].target_ref, set()).add(text.split()[1].split(".")[1])
    assert len(targets) == 2000  # one relationship per distinct target
    assert targets["https://example.org/7/0"] == {"0", "2"}
    assert targets["https://example.org/7/1"] == {"1"}
    assert len(set(rels)) == len(rels)
    italic = [r.text for r in body[0].runs if r.italic]
    assert italic == ["1"]


def test_docx_runs_as_python_docx_writes_them() -> None:
    """Prefix bold, code in the monospace font, a tab and a line break as Word's own."""
    from docx.oxml.ns import qn

    items = [{"number": 1, "title": "Een", "points": [
        {"kind": "decision", "text": "ja `code` en\ttab"},
        {"kind": "action", "text": "**VNG** <levert> & \"meer\""}]}]
    document = _opened(to_docx(_minutes(items), now=NOW))
    decision, action = [p for p in document.paragraphs if p.style.name == "List Bullet"]
    assert [(r.text, r.bold) for r in decision.runs][0] == ("Besluit: ", True)
    code = [r for r in decision.runs if r.text == "code"]
    assert code and code[0].font.name == "DejaVu Sans Mono"
    assert decision._p.find(f".//{qn('w:tab')}") is not None
    assert decision.text == "Besluit: ja code en\ttab"
    assert action.text == "Actie: VNG <levert> & \"meer\""
    assert [r.text for r in action.runs if r.bold] == ["Actie: ", "VNG"]


def test_docx_in_a_template_without_bullets_signs_its_points(tmp_path: Any) -> None:
    import docx

    template = docx.Document()
    template.styles["List Bullet"].delete()
    path = tmp_path / "sjabloon.docx"
    template.save(str(path))
    items = [{"number": 1, "title": "Een", "points": [{"kind": "point", "text": "a"}]}]
    document = _opened(to_docx(_minutes(items), now=NOW, template=path))
    assert [p.text for p in document.paragraphs][-2:] == ["1. Een", "• a"]
