"""Tweet sentiment as PyFlink Python UDFs, scored by VADER.

VADER (vaderSentiment on PyPI) is a lexicon and rules tuned for social media text; its
lexicon ships inside the package, so nothing is downloaded at run time. It knows English only:
tweets in any other language (and undetermined ones) get no scores and a NULL label rather
than a confident wrong one.

Labels, from VADER's proportions of positive and negative text and its compound score:
`mixed` when both proportions reach MIXED_SHARE (strong words both ways), else `positive` when
compound >= 0.05, `negative` when compound <= -0.05 (VADER's own thresholds), else `neutral`.

Two implementations of the same function, chosen by the job's `enrichment` setting:
`sentiment_scalar` (one call per row) and `sentiment_vectorized` (pandas batches of rows, one
Python call per batch); bench/enrichment_cost.py measures both. SQL registers either under
the name `sentiment` (sql/ddl/sentiment_function.sql).
"""

from __future__ import annotations

from typing import Any

SUPPORTED_LANGS = frozenset({"en"})
MIXED_SHARE = 0.15
POSITIVE_AT, NEGATIVE_AT = 0.05, -0.05
FIELDS = ("label", "positive", "negative", "neutral", "compound")

_analyzer: Any = None


def analyzer() -> Any:
    """One analyzer per Python worker: loading the lexicon takes a few milliseconds."""
    global _analyzer
    if _analyzer is None:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        _analyzer = SentimentIntensityAnalyzer()
    return _analyzer


def label(positive: float, negative: float, compound: float) -> str:
    if positive >= MIXED_SHARE and negative >= MIXED_SHARE:
        return "mixed"
    if compound >= POSITIVE_AT:
        return "positive"
    if compound <= NEGATIVE_AT:
        return "negative"
    return "neutral"


def score(text: str | None, lang: str | None) -> tuple[Any, ...]:
    """(label, positive, negative, neutral, compound); all None for unsupported languages."""
    if text is None or (lang or "").lower() not in SUPPORTED_LANGS:
        return (None, None, None, None, None)
    s = analyzer().polarity_scores(text)
    return (label(s["pos"], s["neg"], s["compound"]), s["pos"], s["neg"], s["neu"], s["compound"])


def _result_type() -> Any:
    from pyflink.table import DataTypes

    return DataTypes.ROW(
        [DataTypes.FIELD("label", DataTypes.STRING())]
        + [DataTypes.FIELD(name, DataTypes.DOUBLE()) for name in FIELDS[1:]]
    )


def _scalar(text: str | None, lang: str | None) -> Any:
    from pyflink.common import Row

    return Row(*score(text, lang))


def _vectorized(text: Any, lang: Any) -> Any:
    import pandas as pd

    rows = [score(t, g) for t, g in zip(text, lang, strict=True)]
    return pd.DataFrame(rows, columns=list(FIELDS))


def _udfs() -> tuple[Any, Any]:
    from pyflink.table.udf import udf

    return (
        udf(_scalar, result_type=_result_type()),
        udf(_vectorized, result_type=_result_type(), func_type="pandas"),
    )


sentiment_scalar, sentiment_vectorized = _udfs()
