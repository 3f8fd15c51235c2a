"""`make demo`'s command as a user runs it: the stack (already up here), 2,000 synthetic tweets,
the whole default job with sentiment and the archive, the counts it prints."""

from __future__ import annotations

import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tweetflow.stack.process import child_environment
from tweetflow.stack.stack import LocalStack

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_the_demo_runs_the_default_job_end_to_end(stack: LocalStack, tmp_path: Path) -> None:
    prefix = f"demo{uuid.uuid4().hex[:6]}_"
    env = child_environment() | stack.settings.as_env() | {
        "TWEETFLOW_TOPIC": f"demo-{uuid.uuid4().hex[:6]}", "TWEETFLOW_ES_INDEX_PREFIX": prefix,
    }  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "tweetflow.cli", "demo", "--tweets", "2000"],
        env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    out = done.stdout
    assert "sent 2,000 tweets" in out and re.search(r"job [0-9a-f]{32} done in", out)
    counts = dict(re.findall(rf"^\s+{prefix}(\S+)\s+(\d+) documents$", out, re.MULTILINE))
    # The whole default job wrote: every result of the job, sentiment included.
    for result in ("tweet_rate", "top_hashtags", "related_hashtags", "users", "sentiment",
                   "received_counts", "word_counts", "languages"):  # fmt: skip
        assert int(counts.get(result, 0)) > 0, (result, counts)
    assert sum(int(n) for i, n in counts.items() if i.startswith("live_tweets")) == 2000
    # And the archive is read back: every tweet once, by label.
    labels = dict(re.findall(r"^  (.+): ([\d,]+)$", out.split("(DuckDB):", 1)[1], re.MULTILINE))
    assert sum(int(n.replace(",", "")) for n in labels.values()) == 2000
    assert "positive" in labels and "not scored (not English)" in labels
    assert "Traceback" not in done.stderr
