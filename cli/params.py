"""Parameter types for world dates and times. A time without an offset is read in
Europe/Amsterdam, the time of the tables; a malformed value is a usage error naming it."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

import click


class WorldDateTime(click.ParamType):
    name = "datetime"

    def convert(self, value: Any, param: Any, ctx: Any) -> datetime:
        if isinstance(value, datetime):
            return value
        text = str(value).strip()
        try:
            moment = datetime.fromisoformat(text.replace(" ", "T", 1))
        except ValueError:
            self.fail(f"{value!r} is not a date and time (YYYY-MM-DD HH:MM, optional "
                      "offset such as +01:00)", param, ctx)
        if moment.tzinfo is None:
            from lrt_domain.dutch_time import LocalTimeError, from_local

            try:
                moment = from_local(moment)
            except LocalTimeError as e:
                self.fail(str(e), param, ctx)
        return moment


class WorldDate(click.ParamType):
    name = "date"

    def convert(self, value: Any, param: Any, ctx: Any) -> date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value).strip())
        except ValueError:
            self.fail(f"{value!r} is not a date (YYYY-MM-DD)", param, ctx)


class RecordTime(WorldDateTime):
    """A moment in the record: a date alone means the end of that day (Amsterdam), so that
    `--as-of 2024-03-01` includes everything recorded on 1 March."""

    name = "record time"

    def convert(self, value: Any, param: Any, ctx: Any) -> datetime:
        if isinstance(value, datetime):
            return value
        text = str(value).strip()
        try:
            day = date.fromisoformat(text)
        except ValueError:
            return super().convert(value, param, ctx)
        from zoneinfo import ZoneInfo

        return datetime.combine(day, time.max, ZoneInfo("Europe/Amsterdam"))


class FilePath(click.Path):
    """click's Path, with a NUL character in the name a usage error (the OS refuses it with
    a ValueError that click does not expect)."""

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        if isinstance(value, str) and "\x00" in value:
            self.fail(f"{value!r} is not a file name (it holds a NUL character)", param, ctx)
        return super().convert(value, param, ctx)


DATETIME = WorldDateTime()
RECORD_TIME = RecordTime()
DATE = WorldDate()
ROLES = ("secretariat", "chair", "member", "guest", "auditor")
PRESENCE = ("present", "remote", "absent", "substitute")
TABLE_KINDS = ("national", "preparatory", "provincial")


def from_file(help: str) -> Any:
    """The `--from FILE` option of commands that take a longer text; `--from -` reads
    standard input."""
    from pathlib import Path

    return click.option("--from", "file", help=f"{help} ('-': standard input)",
                        metavar="FILE", type=FilePath(exists=True, dir_okay=False,
                                                      path_type=Path, allow_dash=True))


MAX_FILE = 1024 * 1024  # bytes of a --from file; a text takes 100,000 characters at most


def read_text(file: Any) -> str:
    """The file's text, UTF-8 (a byte order mark at its start is dropped), at most
    `MAX_FILE` bytes."""
    import sys

    data: bytes
    try:
        if f"{file}" == "-":  # standard input
            data = sys.stdin.buffer.read(MAX_FILE + 1)
            file = "standard input"
        else:
            with open(file, "rb") as f:
                data = f.read(MAX_FILE + 1)
        if len(data) > MAX_FILE:
            raise click.BadParameter(f"{file} is larger than {MAX_FILE // 1024} KiB",
                                     param_hint="'--from'")
        return data.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise click.BadParameter(f"cannot read {file}: {e}", param_hint="'--from'") from None


class Duration(click.ParamType):
    """A span of time: '48h', '2d', '90m', '1w' (a number alone: hours)."""

    name = "duration"

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        import re
        from datetime import timedelta

        if isinstance(value, timedelta):
            return value
        m = re.fullmatch(r"\s*(\d{1,5})\s*([mhdw]?)\s*", str(value))
        if not m:
            self.fail(f"{value!r} is not a duration such as 48h, 2d, 90m or 1w", param, ctx)
        n, unit = int(m[1]), m[2] or "h"
        return {"m": timedelta(minutes=n), "h": timedelta(hours=n), "d": timedelta(days=n),
                "w": timedelta(weeks=n)}[unit]


DURATION = Duration()
APPROVAL = ("meeting", "written")
