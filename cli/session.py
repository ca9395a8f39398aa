"""What every command shares: the store, the acting user, and (in tests) the clock.

Heavy modules (pydantic, eventsourcing, the application) are imported here, on first use,
so that `lrt --help` and `lrt --version` answer at once. A query first tries the read side
alone (`projections.reading`: no application, no event classes, no domain model it does not
read); where that cannot answer (PostgreSQL, a key, views behind the log, a user not found,
...) the application does, as it always did, with its own messages."""

from __future__ import annotations

from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from lrt_app.application import Lrt
    from lrt_domain.roles import Acting
    from projections.reading import ReadSide
    from projections.views import Views


class Session:
    def __init__(self, db: str | None = None, user: str | None = None, clock: Any = None,
                 key_file: str | None = None, project_on_save: bool = True):
        self.db = db
        self.requested_user = user
        self.clock = clock
        self.key_file = key_file  # else LRT_KEY_FILE or LRT_CIPHER_KEY (lrt_app.settings)
        self.need_key = True  # the audit reads stored bytes only: it may go without
        self.as_of: datetime | None = None  # --as-of: the views as they stood then
        # SQLite: write the views in each command's own transaction (tests turn it off to
        # exercise catching up)
        self.project_on_save = project_on_save
        self.read_only: ReadSide | None = None  # the read side alone, once a query used it
        self._reader: Acting | None = None  # its user

    def open_app(self, *, initialising: bool = False) -> Lrt:
        from lrt_app.bootstrap import build

        return build(self.db, clock=self.clock, key_file=self.key_file,
                     need_key=self.need_key, initialising=initialising,
                     project_on_save=self.project_on_save)

    @cached_property
    def app(self) -> Lrt:
        return self.open_app()

    @cached_property
    def user(self) -> str | None:
        """The acting user: --as on SQLite; the database login on PostgreSQL."""
        if self._reader is not None:  # the read side alone: SQLite
            return self._reader.user
        return self.app.login(self.requested_user)

    def views(self) -> Views:
        """The read side, for a registered user only (on PostgreSQL: the login's user)."""
        if self.as_of is None and "app" not in self.__dict__:
            plain = self._plain_views()
            if plain is not None:
                return plain
        from projections.views import Views

        actor = self.actor()  # every query asks the read rules for this user
        views = Views.open(self.app, actor=actor) if self.as_of is None else \
            Views.as_of(self.app, self.as_of, actor)
        if views.behind:  # PostgreSQL: no follower caught up for this login in time
            click.echo(f"note: the views are {views.behind} event(s) behind the log; is "
                       "'lrt projections follow' running?", err=True)
        return views

    def _plain_views(self) -> Views | None:
        """The views from the read side alone (`lrt_app.bootstrap.read_side`), or None: then
        the application answers (and refuses what it refuses, in its words)."""
        from lrt_app.bootstrap import read_side
        from projections.views import Views

        side = self.read_only
        try:
            if side is None:
                side = read_side(self.db, clock=self.clock, key_file=self.key_file,
                                 application=lambda: self.app)
                if side is None:
                    return None
            views = Views.alone(side, self.requested_user)
        except Exception:  # noqa: BLE001 - the application opens it again, and says why
            views = None
        if views is None:
            if side is not None and side is not self.read_only:
                side.close()
            return None
        self.read_only, self._reader = side, views.actor
        return views

    def actor(self) -> Acting:
        if self._reader is not None:
            return self._reader
        return self.app.actor(self.user)

    def now(self) -> Any:
        """Now, or the record time a view was asked for (--as-of)."""
        if self.as_of is None and self.read_only is not None and "app" not in self.__dict__:
            return self.read_only.clock.now()
        return self.as_of or self.app.clock.now()

    def close(self) -> None:
        self.__dict__.pop("user", None)
        self._reader = None
        side, self.read_only = self.read_only, None
        app = self.__dict__.pop("app", None)
        try:
            if app is not None:
                app.close()
        finally:
            if side is not None:
                side.close()


pass_session = click.make_pass_decorator(Session)
