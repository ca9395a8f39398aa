"""The links in the mail lead to the portal's own pages (`web/app.py`'s routes)."""

from __future__ import annotations

import re
from pathlib import Path

from lrt_app.mail_render import PORTAL_PATHS

import web


def test_every_kind_of_link_is_a_page_of_the_portal() -> None:
    source = (Path(web.__file__).parent / "app.py").read_text(encoding="utf-8")
    # the pages shown on GET: Route("/segment/{key...}", page(...)) without methods=
    pages = set(re.findall(r'Route\("/([a-z]+)/\{key(?::path)?\}", page\(\w+\)\)', source))
    assert {"vergadering", "verslag", "document", "actie"} <= pages  # the parse itself
    assert set(PORTAL_PATHS.values()) <= pages, set(PORTAL_PATHS.values()) - pages
