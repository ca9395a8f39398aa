"""World time in the Netherlands: dates and deadlines are meant in Europe/Amsterdam."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def local_date(moment: datetime) -> date:
    return moment.astimezone(AMSTERDAM).date()


def local(moment: datetime) -> datetime:
    return moment.astimezone(AMSTERDAM)
