"""The recorded payloads of tests/fixtures and inputs built from them."""

from __future__ import annotations

import bz2
import gzip
import json
from pathlib import Path

from producer.synthetic import SyntheticConfig, generate

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
# A bearer token the X emulator (tests/support/x_emulator.py) accepts.
X_TOKEN = "AAAA-test-bearer-token-not-a-real-one-1234567890"
X_FIXTURE = json.loads((FIXTURES / "v2_filtered_stream.json").read_text())


def x_payload(n: int) -> dict:
    data = {**X_FIXTURE["data"], "id": str(1000 + n), "text": f"tweet {n} #streaming"}
    data.pop("entities")
    return {**X_FIXTURE, "data": data}


def load(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def archive(root: Path) -> list[str]:
    """A nested archive: plain, .gz and .bz2 files mixing every shape and some garbage."""
    v1 = (FIXTURES / "v1_extended.json").read_text().strip()
    v2 = (FIXTURES / "v2_filtered_stream.json").read_text().strip()
    canonical = json.dumps(next(generate(SyntheticConfig(count=1))))
    (root / "2024" / "01").mkdir(parents=True)
    (root / "2024" / "01" / "a.json").write_text(f"{v1}\n\n{{broken\n")
    with gzip.open(root / "2024" / "01" / "b.json.gz", "wt") as handle:
        handle.write(f"{v2}\n\xff not json\n{canonical}\n")
    with bz2.open(root / "2024" / "02.json.bz2", "wt") as handle:
        handle.write('{"delete": {"status": {"id": 1}}}\n' + v1 + "\n")
    (root / "notes.md").write_text("ignored: not a tweet file suffix")
    return [
        "850007368138018817",
        "1560322015133548544",
        "1900000042000000000",
        "850007368138018817",
    ]
