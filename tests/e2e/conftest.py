"""The command line's fixtures (`worlds.command_line`) for these tests."""

from worlds.command_line import *  # noqa: F401,F403
from worlds.command_line import _no_store_env  # noqa: F401 - autouse, not in *
