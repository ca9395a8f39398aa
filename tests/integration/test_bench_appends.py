"""`bench.appends` (figure 7's appends) runs its commands through the real command side:
each append is accepted (a refusal would stop it), and it measures both kinds."""

from __future__ import annotations

from bench import appends


def test_the_appends_run_and_are_measured(monkeypatch):
    monkeypatch.setattr(appends, "BLOCK", 10)
    measured = appends.per_append(30)
    assert set(measured) == {"agenda", "comments"}
    assert all(first > 0 and last > 0 for first, last in measured.values())
