"""The application world's fixtures (`worlds.application`) for these tests."""

from worlds.application import *  # noqa: F401,F403
