"""`tweetflow dead-letters` on a terminal: the documents Elasticsearch refused, shown inert."""

from __future__ import annotations

from tweetflow.ops.dead_letters import Rejections, Summary, render


def test_refused_documents_are_listed_per_index_and_status_with_the_newest_reason() -> None:
    rejected = [
        Rejections("x_top_hashtags", 400, 3, "mapper_parsing_exception: failed to parse [count]"),
        Rejections("x_users", 400, 1, "document_parsing_exception: \x1b[2Jvalue 'evil'"),
    ]
    text = render(Summary("tweets.dlq"), late=0, width=80, rejected=rejected)
    assert "4 result documents Elasticsearch refused (kept in rejected_documents):" in text
    assert "        3  x_top_hashtags (400)  mapper_parsing_exception: failed to parse" in text
    assert "\x1b" not in text  # a reason quotes the document's values: shown sanitized
    assert all(len(line) <= 80 for line in text.splitlines())


def test_nothing_refused_adds_no_line() -> None:
    for rejected in (None, []):
        assert "refused" not in render(Summary("tweets.dlq"), late=0, rejected=rejected)
