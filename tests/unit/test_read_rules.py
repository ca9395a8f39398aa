"""The read rules: one table, the same in the code and in the README."""

from __future__ import annotations

from pathlib import Path

from lrt_domain import read_rules
from lrt_domain.read_rules import RULES, Reader, State, View

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_shows_the_code_s_table() -> None:
    text = README.read_text(encoding="utf-8")
    assert read_rules.markdown() in text, "README 'Who may read what' drifted from RULES"


def test_every_view_has_a_rule_for_every_state() -> None:
    assert set(RULES) == set(View)
    for view, by_state in RULES.items():
        assert set(by_state) == set(State), view


def test_the_public_reads_only_the_directory() -> None:
    """Any user reads the directory; nothing of a meeting is read for merely being a user."""
    assert {v for v, s in RULES.items() if Reader.ANYONE in s[State.DRAFT]} == {
        View.DIRECTORY}


def test_drafts_are_never_kept_by_a_former_member() -> None:
    assert all(Reader.MEMBER_AT_APPROVAL not in s[State.DRAFT] for s in RULES.values())


def test_every_public_query_names_its_rule() -> None:
    """The read door: each public query of `Views` answers by rules of the table."""
    import inspect

    from projections.views import Views

    plumbing = {"open", "as_of", "may", "require", "visible", "position", "event_at", "now",
                "get"}
    queries = {n: f for n, f in inspect.getmembers(Views, inspect.isfunction)
               if not n.startswith("_") and n not in plumbing}
    assert len(queries) >= 25
    unnamed = [n for n, f in queries.items() if not getattr(f, "read_rules", ())]
    assert unnamed == []
    named = {v for f in queries.values() for v in f.read_rules}
    assert set(View) - named == {View.PARLIAMENT}  # asked by projections.parliament


def test_published_adds_no_reader_to_the_views() -> None:
    """`Views` reads published minutes as approved ones: the public reads the Woo text."""
    assert all(s[State.PUBLISHED] == s[State.APPROVED] for s in RULES.values())
