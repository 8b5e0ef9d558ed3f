"""The README documents every indicator name the statistics print."""

from __future__ import annotations

from pathlib import Path

from sohoi.reports import indicators as registry

README = Path(__file__).resolve().parents[3] / "README.md"


def test_every_registered_indicator_is_documented_in_the_readme():
    text = README.read_text(encoding="utf-8")
    missing = [i.name for i in registry.indicators() if f"`{i.name}`" not in text]
    assert missing == []
