"""Retention of the live-tweets indexes: whole days are deleted, never single documents."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

from elasticsearch import Elasticsearch

DAY = re.compile(r"-(\d{4})\.(\d{2})\.(\d{2})$")


def expired(indexes: list[str], keep_days: int, today: date) -> list[str]:
    """Daily indexes whose day is more than keep_days before today (today counts as one)."""
    oldest_kept = today - timedelta(days=keep_days - 1)
    old = []
    for name in indexes:
        match = DAY.search(name)
        if match and date(*map(int, match.groups())) < oldest_kept:
            old.append(name)
    return sorted(old)


def prune(
    client: Elasticsearch,
    prefix: str,
    keep_days: int,
    today: date | None = None,
    dry_run: bool = False,
) -> list[str]:
    """The expired daily indexes, deleted unless `dry_run`."""
    if keep_days < 1:
        raise ValueError("keep at least one day of live tweets")
    pattern = f"{prefix}live_tweets-*"
    names = list(client.indices.get(index=pattern, ignore_unavailable=True))
    doomed = expired(names, keep_days, today or datetime.now(timezone.utc).date())
    if doomed and not dry_run:
        client.indices.delete(index=",".join(doomed))
    return doomed
