"""The reliability tests use the application world's fixtures (`worlds.application`: a
`world` with a user of every role, on the `store` of either kind)."""

from worlds.application import (  # noqa: F401
    app,
    circulated,
    clock,
    db_env,
    make_app,
    meetings,
    world,
)
