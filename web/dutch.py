"""Times and words as the portal's Dutch pages write them."""

from __future__ import annotations

from datetime import date, datetime

from lrt_domain.dutch_time import local

MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
          "september", "oktober", "november", "december")
DAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")


def _parse(value: str | datetime | date | None) -> datetime | date | None:
    if value is None or value == "":
        return None
    if isinstance(value, (datetime, date)):
        return value
    if len(value) == 10:
        return date.fromisoformat(value)
    return datetime.fromisoformat(value)


def in_words(value: str | datetime | date | None) -> str:
    """'dinsdag 21 november 2023, 12.00 uur' (a time), 'dinsdag 21 november 2023' (a day)."""
    moment = _parse(value)
    if moment is None:
        return "onbekend"
    if isinstance(moment, datetime):
        moment = local(moment)
        day = moment.date()
        return f"{_day(day)}, {moment.hour}.{moment.minute:02d} uur"
    return _day(moment)


def _day(day: date) -> str:
    return f"{DAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]} {day.year}"


STATUS = {
    # minutes
    "draft": "concept", "circulated": "concept, rondgestuurd", "revised": "concept, herzien",
    "approved": "vastgesteld",
    "in written procedure": "in schriftelijke procedure",
    # amendments
    "pending": "in behandeling", "accepted": "aanvaard", "rejected": "verworpen",
    # meetings
    "planned": "gepland", "held": "gehouden", "closed": "afgesloten",
    "cancelled": "geannuleerd",
    # actions
    "open": "open", "done": "afgerond", "carried over": "doorgeschoven",
    # attendance
    "present": "aanwezig", "remote": "aanwezig (digitaal)", "absent": "afwezig",
    "substitute": "vervanger",
    # roles
    "secretariat": "secretariaat", "chair": "voorzitter", "member": "lid", "guest": "gast",
    "auditor": "auditor",
}


def status(value: str | None) -> str:
    return STATUS.get(value or "", value or "")
