"""The calendar as an iCalendar file (RFC 5545), written with the `icalendar` package.

Meetings are VEVENTs, comment deadlines, written procedures and actions VTODOs. Times are in
Europe/Amsterdam (TZID, with its VTIMEZONE: the EU rule in force since 1996, valid for every
year). UIDs are the aggregates' own ids, which never change, so importing a later export
updates the entries instead of adding them again; SEQUENCE counts a meeting's reschedules
(and its cancellation), DTSTAMP and LAST-MODIFIED are the record time of the last change, so
that the same store always gives the same file.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

from lrt_domain.dutch_time import AMSTERDAM, local

MEETING_LENGTH = timedelta(hours=2)  # meetings have a start only; the calendar shows two hours
ONLINE = ("webex", "teams", "zoom", "online", "digitaal", "videobellen")
PRODID = "-//Landelijke Regietafel Migratie en Integratie//lrt//NL"


# The calendar is a document people read in their agenda: its categories in Dutch.
CATEGORY_NL = {"comment round": "commentaarronde", "written procedure": "schriftelijke procedure",
               "action": "actie", "meeting": "vergadering"}


def _timezone() -> Any:
    from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

    tz = Timezone()
    tz.add("tzid", "Europe/Amsterdam")
    tz.add("x-lic-location", "Europe/Amsterdam")
    summer = TimezoneDaylight()
    summer.add("tzname", "CEST")
    summer.add("tzoffsetfrom", timedelta(hours=1))
    summer.add("tzoffsetto", timedelta(hours=2))
    summer.add("dtstart", datetime(1981, 3, 29, 2, 0))
    summer.add("rrule", {"freq": "yearly", "bymonth": 3, "byday": "-1su"})
    winter = TimezoneStandard()
    winter.add("tzname", "CET")
    winter.add("tzoffsetfrom", timedelta(hours=2))
    winter.add("tzoffsetto", timedelta(hours=1))
    winter.add("dtstart", datetime(1996, 10, 27, 3, 0))
    winter.add("rrule", {"freq": "yearly", "bymonth": 10, "byday": "-1su"})
    tz.add_component(summer)
    tz.add_component(winter)
    return tz


def _stamped(component: Any, entry: dict[str, Any]) -> Any:
    """The fields that make a re-import update rather than duplicate: a stable UID and
    the record times of the thing it stands for."""
    component.add("uid", entry["uid"])
    component.add("dtstamp", _utc(entry["modified"]))
    component.add("created", _utc(entry["created"]))
    component.add("last-modified", _utc(entry["modified"]))
    return component


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc)


def is_online(place: str) -> bool:
    return any(word in place.lower() for word in ONLINE)


def to_ics(entries: Mapping[str, Any]) -> bytes:
    """`entries`: what `Views.calendar_entries` gives."""
    from icalendar import Calendar, Event, Todo

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", entries["name"])
    cal.add("x-wr-timezone", "Europe/Amsterdam")
    cal.add_component(_timezone())

    for m in entries["events"]:
        e = _stamped(Event(), m)
        e.add("sequence", m["sequence"])
        e.add("summary", f"{m['table']}: {m['table_name']}")
        start = local(m["starts_at"]).astimezone(AMSTERDAM)
        e.add("dtstart", start)
        e.add("dtend", start + MEETING_LENGTH)
        online = is_online(m["place"])
        e.add("location", f"Online ({m['place']})" if online else m["place"])
        lines = [f"Vergadering {m['key']} van de {m['table_name']}.",
                 f"Vergaderplaats: {m['place']}" + (" (online)" if online else "")]
        if m["agenda"]:
            lines += ["", "Agenda:", *(f"{n}. {title}" for n, title in m["agenda"])]
        e.add("description", "\n".join(lines))
        e.add("status", "CANCELLED" if m["status"] == "cancelled" else "CONFIRMED")
        e.add("transp", "TRANSPARENT" if m["status"] == "cancelled" else "OPAQUE")
        e.add("categories", list(dict.fromkeys(["LRT", m["table"], "vergadering"])))
        cal.add_component(e)

    for t in entries["todos"]:
        todo = _stamped(Todo(), t)
        todo.add("summary", t["summary"])
        todo.add("description", t["description"])
        if t["due"] is not None:
            todo.add("due", t["due"] if t["date_only"]
                     else local(t["due"]).astimezone(AMSTERDAM))
        todo.add("status", t["status"])
        if t["status"] == "COMPLETED":
            todo.add("percent-complete", 100)
        todo.add("related-to", t["related"])
        todo.add("categories", ["LRT", CATEGORY_NL.get(t["kind"], t["kind"])])
        cal.add_component(todo)
    return bytes(cal.to_ical())


def invitation(*, method: str, meeting_id: str, meeting: str, table: str, table_name: str,
               starts_at: datetime, place: str, sequence: int, organiser: str, attendee: str,
               stamp: datetime, agenda: tuple[str, ...] = ()) -> bytes:
    """One meeting as an invitation by mail (iTIP, RFC 5546): METHOD REQUEST (invited,
    rescheduled) or CANCEL, with the UID `lrt calendar export` gives the meeting
    (`<uuid>@lrt`), so the entry a member has imported is the one updated or removed."""
    from icalendar import Calendar, Event, vCalAddress

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    cal.add_component(_timezone())
    e = Event()
    e.add("uid", f"{meeting_id}@lrt")
    e.add("dtstamp", _utc(stamp))
    e.add("sequence", sequence)
    e.add("summary", f"{table}: {table_name}")
    start = local(starts_at).astimezone(AMSTERDAM)
    e.add("dtstart", start)
    e.add("dtend", start + MEETING_LENGTH)
    online = is_online(place)
    e.add("location", f"Online ({place})" if online else place)
    lines = [f"Vergadering {meeting} van de {table_name}.", f"Vergaderplaats: {place}"]
    if agenda:
        lines += ["", "Agenda:", *agenda]
    e.add("description", "\n".join(lines))
    e.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    e["organizer"] = vCalAddress(f"mailto:{organiser}")
    who = vCalAddress(f"mailto:{attendee}")
    who.params["role"] = "REQ-PARTICIPANT"
    who.params["rsvp"] = "FALSE"
    e.add("attendee", who)
    cal.add_component(e)
    return bytes(cal.to_ical())
