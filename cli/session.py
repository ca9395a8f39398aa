"""What every command shares: the store, the acting user, and (in tests) the clock.

Heavy modules (pydantic, eventsourcing, the application) are imported here, on first use,
so that `lrt --help` and `lrt --version` answer at once."""

from __future__ import annotations

from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from lrt_app.application import Lrt
    from lrt_domain.base import Actor
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
        return self.app.login(self.requested_user)

    def views(self) -> Views:
        """The read side, for a registered user only (on PostgreSQL: the login's user)."""
        from projections.views import Views

        actor = self.actor()  # every query asks the read rules for this user
        views = Views.open(self.app, actor=actor) if self.as_of is None else \
            Views.as_of(self.app, self.as_of, actor)
        if views.behind:  # PostgreSQL: no follower caught up for this login in time
            click.echo(f"note: the views are {views.behind} event(s) behind the log; is "
                       "'lrt projections follow' running?", err=True)
        return views

    def actor(self) -> Actor:
        return self.app.actor(self.user)

    def now(self) -> Any:
        """Now, or the record time a view was asked for (--as-of)."""
        return self.as_of or self.app.clock.now()

    def close(self) -> None:
        self.__dict__.pop("user", None)
        app = self.__dict__.pop("app", None)
        if app is not None:
            app.close()


pass_session = click.make_pass_decorator(Session)
