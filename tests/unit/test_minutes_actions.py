"""Action items read from the minutes: "Actie:" points and "(Actie: ...)" remarks, their
owners read from the text, and the register following revisions of the text."""

from __future__ import annotations

import pytest

from lrt_domain.actions import Action, ActionStatus
from lrt_domain.base import fold
from lrt_domain.errors import InvalidInput, RuleViolation
from lrt_domain.minutes import Item, Point, PointKind
from lrt_domain.minutes_actions import (ActionLine, action_lines, inline_actions,
                                        known_organisations, owners_in, plan)

from worlds.domain import ctx, held_meeting, table

KNOWN = ["JenV", "VNG", "IPO", "CdK", "BZK", "VB"]


def test_inline_actions_in_brackets_even_nested():
    text = ("Het verslag wordt geaccordeerd met een wijziging namens VNG (Actie: VNG levert "
            "wijziging aan (uiterlijk vrijdag)). Verder (geen actie) niets; (ACTIE : IPO "
            "belt.)")
    assert inline_actions(text) == ["VNG levert wijziging aan (uiterlijk vrijdag)",
                                    "IPO belt."]
    assert inline_actions("Actie: dit is geen opmerking tussen haakjes") == []
    assert inline_actions("(Actie: nooit gesloten") == ["nooit gesloten"]


def test_action_lines_of_items():
    items = [Item(number=1, title="Opening", points=(
        Point(text="Geaccordeerd (Actie: VNG levert wijziging aan)."),
        Point(kind=PointKind.ACTION, text="JenV past de brieven aan."),
        Point(kind=PointKind.DECISION, text="De LRT komt maandelijks bijeen."))),
        Item(number=3, title="WVTTK", points=(Point(text="Geen."),))]
    assert action_lines(items) == [ActionLine(item=1, text="VNG levert wijziging aan"),
                                   ActionLine(item=1, text="JenV past de brieven aan.")]


@pytest.mark.parametrize("text,owners", [
    ("VNG levert wijziging aan.", ["VNG"]),
    ("leden sturen opmerkingen naar JenV. JenV past de brieven aan", ["JenV"]),
    ("VB en [REDACTED] hebben contact naar aanleiding van de vragen van VB.", ["VB"]),
    ("De CDK's en het IPO maken een voorstel", ["CdK", "IPO"]),  # case and possessive
    ("Kring CdK´s stemt af met vng", ["CdK", "VNG"]),
    ("MBZK en SJenV overleggen", ["BZK", "JenV"]),  # the minister, the state secretary
    ("nadere uitwerking in de HLRT", ["JenV"]),  # names none: the secretariat
    ("IPOS en VNGX zijn geen organisaties", ["JenV"]),  # whole words only
])
def test_owners_are_the_known_organisations_the_text_names(text, owners):
    assert owners_in(text, KNOWN, "JenV") == owners


def test_the_table_knows_its_secretariat_and_its_members_organisations():
    assert known_organisations(table()) == ["JenV", "VNG", "IPO"]


# --- the register follows the text ----------------------------------------------------


def agreed(key: str, item: int, text: str, owners=("VNG",)) -> Action:
    return fold(None, Action.agree(ctx(), key, meeting=held_meeting(), item=item, text=text,
                                   owners=list(owners), due=None))


def test_a_draft_agrees_new_lines_and_links_actions_already_in_the_register():
    existing = agreed("LRT-2023-11-10/A1", 3, "VNG levert een notitie aan.")
    new = [ActionLine(item=3, text="VNG  levert een notitie aan."),  # spacing does not count
           ActionLine(item=1, text="IPO en VNG verkennen de verdeling.")]
    p = plan(table(), [], new, [existing])
    assert p.linked == ("LRT-2023-11-10/A1",)
    assert [(a.line.item, a.owners) for a in p.agree] == [(1, ("IPO", "VNG"))]
    assert p.reword == () and p.cancel == ()


def test_a_revision_rewords_changed_lines_cancels_dropped_ones_and_agrees_new_ones():
    a1 = agreed("M/A1", 1, "VNG levert wijziging aan.")
    a2 = agreed("M/A2", 3, "IPO belt de provincies.", owners=("IPO",))
    a3 = agreed("M/A3", 4, "JenV past de brieven aan.", owners=("JenV",))
    old = [ActionLine(item=1, text=a1.text), ActionLine(item=3, text=a2.text),
           ActionLine(item=4, text=a3.text)]
    new = [ActionLine(item=1, text=a1.text),
           ActionLine(item=3, text="IPO en VNG bellen de provincies."),
           ActionLine(item=4, text="BZK stuurt de cijfers.")]
    p = plan(table(), old, new, [a1, a2, a3])
    assert p.linked == ("M/A1",)
    assert [(r.action, r.owners) for r in p.reword] == [("M/A2", ("IPO", "VNG")),
                                                      ("M/A3", ("JenV",))]
    assert p.agree == () and p.cancel == ()

    p = plan(table(), old, new[:1], [a1, a2, a3])
    assert [c.action for c in p.cancel] == ["M/A2", "M/A3"]
    assert p.agree == () and p.reword == ()


def test_actions_done_or_cancelled_are_history_and_never_change():
    a1 = agreed("M/A1", 1, "VNG levert wijziging aan.")
    a1 = fold(a1, a1.complete(ctx(), "Geleverd."))
    p = plan(table(), [ActionLine(item=1, text=a1.text)],
             [ActionLine(item=1, text="VNG levert een nieuwe wijziging aan.")], [a1])
    assert p.cancel == () and p.reword == ()
    assert [a.line.text for a in p.agree] == ["VNG levert een nieuwe wijziging aan."]


def test_an_action_is_reworded_with_its_owners():
    a = agreed("M/A1", 1, "VNG levert wijziging aan.")
    event = a.reword(ctx(), "VNG en IPO leveren wijziging aan.", ["VNG", "IPO", "VNG"])
    assert event.TOPIC == "lrt.Action.Reworded"
    a = fold(a, event)
    assert (a.text, a.owners, a.status) == ("VNG en IPO leveren wijziging aan.",
                                            ("VNG", "IPO"), ActionStatus.OPEN)
    with pytest.raises(RuleViolation, match="the new text is the same"):
        a.reword(ctx(), a.text, list(a.owners))
    with pytest.raises(InvalidInput, match="^owner:"):
        a.reword(ctx(), "x", [])
    with pytest.raises(InvalidInput, match="^text:"):
        a.reword(ctx(), "  ", ["VNG"])
    done = fold(a, a.complete(ctx()))
    with pytest.raises(RuleViolation, match="cannot reword action M/A1: it is done"):
        done.reword(ctx(), "y", ["VNG"])
