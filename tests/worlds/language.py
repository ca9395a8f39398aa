"""One language per output (issue 17): the English words of the command line's vocabulary
(its states, labels and messages) that no Dutch output may hold, matched as whole words in
any case; and the text a reader sees of an HTML page."""

from __future__ import annotations

import re
from html.parser import HTMLParser

ENGLISH = ("approved", "draft", "circulated", "revised", "amendment", "amendments",
           "accepted", "rejected", "pending", "version", "item", "point", "meeting",
           "meetings", "written procedure", "comment round", "action", "actions", "due",
           "documents", "guests", "chain head", "chain length", "check", "position",
           "recorded", "store", "minutes", "present", "absent", "remote", "substitute",
           "cancelled", "carried over", "with", "by", "the", "at", "not", "none")  # "of": Dutch too


def english_words(text: str) -> list[str]:
    return [w for w in ENGLISH if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text,
                                            re.IGNORECASE)]


class Visible(HTMLParser):
    """The text of a page as a reader sees it: the body's text, the title, and the words
    of buttons, labels and placeholders; not scripts, styles, or attribute values that
    no one reads (ids, classes, links)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0  # inside <script> or <style>

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.hidden += 1
        for name, value in attrs:  # what a reader sees or hears of an element
            if value and name in ("placeholder", "title", "alt", "aria-label") or (
                    value and name == "value" and ("type", "submit") in attrs):
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self.hidden:
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)

    @classmethod
    def of(cls, page: str) -> str:
        parser = cls()
        parser.feed(page)
        return "\n".join(parser.parts)
