"""Action items read from the text of the minutes.

A point that starts with "Actie:" is an action, and so is a remark in brackets inside a
point, as the seeds write them: "Het verslag wordt geaccordeerd met een wijziging namens VNG
(Actie: VNG levert wijziging aan)". Its owners are the organisations the table knows (its
secretariat and the organisations of its memberships) that the text names, as a word, also
in the forms the minutes use ("CdK's", "CDK", "MBZK" for the minister of BZK, "SJenV" for the
state secretary of JenV); when it names none, the secretariat owns it.

When minutes are drafted or revised, the action register follows the text (`plan`): an
action line that is already in the register (agreed at that meeting, under that item, with
that text) is left alone; a line whose text changed rewords its action; a new line becomes a
new action; an outstanding action whose line disappeared is cancelled. Actions that are done
or cancelled are history and are never changed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from .actions import Action
from .base import Model
from .minutes import Item, PointKind
from .tables import Table

INLINE = re.compile(r"\(\s*actie\s*:", re.IGNORECASE)


class ActionLine(Model):
    item: int
    text: str

    @property
    def norm(self) -> tuple[int, str]:
        return self.item, normal(self.text)


def normal(text: str) -> str:
    return " ".join(text.split()).casefold()


def inline_actions(text: str) -> list[str]:
    """The texts of "(Actie: ...)" remarks inside a point (brackets may nest)."""
    found = []
    for m in INLINE.finditer(text):
        depth, end = 1, m.end()
        while end < len(text) and depth:
            depth += {"(": 1, ")": -1}.get(text[end], 0)
            end += 1
        inner = text[m.end():end - 1 if depth == 0 else end].strip()
        if inner:
            found.append(inner)
    return found


def action_lines(items: Iterable[Item]) -> list[ActionLine]:
    lines = []
    for it in items:
        for p in it.points:
            if p.kind is PointKind.ACTION:
                lines.append(ActionLine(item=it.number, text=p.text))
            lines += [ActionLine(item=it.number, text=t) for t in inline_actions(p.text)]
    return lines


def known_organisations(table: Table) -> list[str]:
    return list(dict.fromkeys([table.secretariat, *(m.organisation for m in table.memberships)]))


def owners_in(text: str, known: Sequence[str], default: str) -> list[str]:
    """The known organisations the text names, in the order it names them."""
    found: list[tuple[int, str]] = []
    for code in known:
        pattern = rf"(?<![\w])[MS]?{re.escape(code)}(?:['´’`]s)?(?![\w])"
        m = re.search(pattern, text, re.IGNORECASE)
        if m:
            found.append((m.start(), code))
    return [code for _, code in sorted(found)] or [default]


class Agree(Model):
    line: ActionLine
    owners: tuple[str, ...]


class Reword(Model):
    action: str  # key
    line: ActionLine
    owners: tuple[str, ...]


class Cancel(Model):
    action: str
    line: ActionLine


class Plan(Model):
    agree: tuple[Agree, ...] = ()
    reword: tuple[Reword, ...] = ()
    cancel: tuple[Cancel, ...] = ()
    linked: tuple[str, ...] = ()  # actions already in the register for an unchanged line


def plan(table: Table, old: Sequence[ActionLine], new: Sequence[ActionLine],
         actions: Sequence[Action]) -> Plan:
    """What the register needs so that it follows the new text. `actions`: those agreed at
    the meeting of these minutes; `old`: the action lines of the text before (none for a
    draft)."""
    known = known_organisations(table)

    def owners(line: ActionLine) -> tuple[str, ...]:
        return tuple(owners_in(line.text, known, table.secretariat))

    pool = sorted(actions, key=lambda a: (not a.status.outstanding, a.key))
    linked: list[str] = []
    unmatched: list[ActionLine] = []
    for line in new:
        action = next((a for a in pool if (a.item, normal(a.text)) == line.norm), None)
        if action is None:
            unmatched.append(line)
        else:
            pool.remove(action)
            linked.append(action.key)

    remaining_new = [line.norm for line in new]
    vanished: list[tuple[ActionLine, Action]] = []
    for line in old:
        if line.norm in remaining_new:
            remaining_new.remove(line.norm)
            continue
        action = next((a for a in pool if a.status.outstanding
                       and (a.item, normal(a.text)) == line.norm), None)
        if action is not None:
            pool.remove(action)
            vanished.append((line, action))

    agree, reword = [], []
    for line in unmatched:
        gone = next(((old_line, a) for old_line, a in vanished if a.item == line.item), None)
        if gone is None:
            agree.append(Agree(line=line, owners=owners(line)))
        else:
            vanished.remove(gone)
            reword.append(Reword(action=gone[1].key, line=line, owners=owners(line)))
    return Plan(agree=tuple(agree), reword=tuple(reword),
                cancel=tuple(Cancel(action=a.key, line=line) for line, a in vanished),
                linked=tuple(linked))
