"""The test worlds, in one shared place: `domain` (states built by the domain's own commands,
for the unit tests), `application` (an `Lrt` on a real store with a user of every role, and
its fixtures), `command_line` (the `lrt` command line on a real store, and its fixtures).
A folder's `conftest.py` re-exports the fixtures it uses; tests import from here, never from
another folder's conftest."""
