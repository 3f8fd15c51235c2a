"""Twitter's own extraction conformance suite (shared/conformance/twitter-text/extract.yml).

Every case runs and the pass rate per section is printed. Every section passes in full today,
URLs included (twitter-text-parser's extractor), so any failing case is a regression.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from producer import entities

SUITE = (
    Path(__file__).resolve().parents[3] / "shared" / "conformance" / "twitter-text" / "extract.yml"
)


def _with_indices(found: list[entities.Entity], key: str) -> list[dict[str, Any]]:
    return [{key: e.text, "indices": [e.start, e.end]} for e in found]


EXTRACTORS: dict[str, Callable[[str], Any]] = {
    "mentions": lambda t: [e.text for e in entities.mentions(t)],
    "mentions_with_indices": lambda t: _with_indices(entities.mentions(t), "screen_name"),
    "mentions_or_lists_with_indices": lambda t: [
        {"screen_name": m.screen_name, "list_slug": m.list_slug, "indices": [m.start, m.end]}
        for m in entities.mentions_or_lists(t)
    ],
    "replies": entities.reply,
    "urls": lambda t: [e.text for e in entities.urls(t)],
    "urls_with_indices": lambda t: _with_indices(entities.urls(t), "url"),
    "urls_with_directional_markers": lambda t: _with_indices(entities.urls(t), "url"),
    "tco_urls_with_params": lambda t: [e.text for e in entities.urls(t)],
    "hashtags": lambda t: [e.text for e in entities.hashtags(t)],
    "hashtags_from_astral": lambda t: [e.text for e in entities.hashtags(t)],
    "hashtags_with_indices": lambda t: _with_indices(entities.hashtags(t), "hashtag"),
    "cashtags": lambda t: [e.text for e in entities.cashtags(t)],
    "cashtags_with_indices": lambda t: _with_indices(entities.cashtags(t), "cashtag"),
}


@pytest.fixture(scope="module")
def suite() -> dict[str, list[dict[str, Any]]]:
    if not SUITE.exists():
        pytest.skip(f"conformance suite not found at {SUITE}")
    return yaml.safe_load(SUITE.read_text(encoding="utf-8"))["tests"]


def run_section(cases: list[dict[str, Any]], extractor: Callable[[str], Any]) -> list[str]:
    failures = []
    for case in cases:
        got = extractor(case["text"])
        if got != case["expected"]:
            failures.append(f"{case['description']}: expected {case['expected']!r}, got {got!r}")
    return failures


def test_every_section_is_covered(suite: dict[str, Any]) -> None:
    assert set(suite) == set(EXTRACTORS)


def test_pass_rates(suite: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    report, problems = [], []
    for section, cases in suite.items():
        failures = run_section(cases, EXTRACTORS[section])
        rate = 1 - len(failures) / len(cases)
        report.append(f"{section:<32} {len(cases) - len(failures):>3}/{len(cases):<3} {rate:6.1%}")
        if failures:
            problems.append(f"{section} {rate:.1%}:\n  " + "\n  ".join(failures))
    with capsys.disabled():
        print("\ntwitter-text conformance (extract.yml):\n  " + "\n  ".join(report))
    assert not problems, "\n".join(problems)
