"""Entities from tweet text by Twitter's own rules (twitter-text), for tweets that arrive without.

Hashtags, mentions, replies and cashtags follow the regular expressions of the twitter-text
libraries; URLs come from `twitter-text-parser`, a port of twitter-text's URL extractor with its
TLD lists. `tests/unit/test_entities_conformance.py` runs Twitter's conformance suite on this.
Indices are in code points, as in the suite and in the v1.1 API.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import regex

with warnings.catch_warnings():
    # twitter_text imports pkg_resources at import time; the warning is not ours to act on.
    warnings.simplefilter("ignore", UserWarning)
    from twitter_text.extract_urls import extract_urls_with_indices

_SPACES = r"\x09-\x0D\x20\x85\xA0\u1680\u180E\u2000-\u200A\u2028\u2029\u202F\u205F\u3000"
_HASHTAG_SPECIAL = (
    r"_\u200c\u200d\ua67e\u05be\u05f3\u05f4\uff5e\u301c\u309b\u309c\u30a0\u30fb\u3003"
    r"\u0f0b\u0f0c\u00b7"
)
_HASHTAG_ALPHA = r"[\p{L}\p{M}]"
_HASHTAG_ALNUM = rf"[\p{{L}}\p{{M}}\p{{Nd}}{_HASHTAG_SPECIAL}]"
_HASHTAG_BOUNDARY = rf"(?:^|\uFE0E|\uFE0F|$|[^&\p{{L}}\p{{M}}\p{{Nd}}{_HASHTAG_SPECIAL}])"
VALID_HASHTAG = regex.compile(
    rf"({_HASHTAG_BOUNDARY})([#\uFF03])(?!\uFE0F|\u20E3)"
    rf"({_HASHTAG_ALNUM}*{_HASHTAG_ALPHA}{_HASHTAG_ALNUM}*)",
    regex.IGNORECASE,
)
END_HASHTAG = regex.compile(r"[#\uFF03]|://")  # used with match(text, pos): anchored there

_LATIN_ACCENTS = (
    r"\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff\u0100-\u024f\u0253\u0254\u0256\u0257\u0259"
    r"\u025b\u0263\u0268\u026f\u0272\u0289\u028b\u02bb\u0300-\u036f\u1e00-\u1eff"
)
_MENTION_PRECEDING = r"(?:^|[^a-zA-Z0-9_!#$%&*@\uFF20]|(?:^|[^a-zA-Z0-9_+~.-])(?:rt|RT|rT|Rt):?)"
VALID_MENTION_OR_LIST = regex.compile(
    rf"({_MENTION_PRECEDING})([@\uFF20])([a-zA-Z0-9_]{{1,20}})(/[a-zA-Z][a-zA-Z0-9_\-]{{0,24}})?"
)
END_MENTION = regex.compile(rf"[@\uFF20]|[{_LATIN_ACCENTS}]|://")
VALID_REPLY = regex.compile(rf"^(?:[{_SPACES}])*[@\uFF20]([a-zA-Z0-9_]{{1,20}})")

_PUNCT = r"!'#%&'()*+,\\\-./:;<=>?@\[\]^_{|}~$"
VALID_CASHTAG = regex.compile(
    rf"(^|[{_SPACES}])(\$)([a-z]{{1,6}}(?:[._][a-z]{{1,2}})?)(?=$|\s|[{_PUNCT}])",
    regex.IGNORECASE,
)


@dataclass(frozen=True)
class Entity:
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class ListMention:
    screen_name: str
    list_slug: str
    start: int
    end: int


def urls(text: str) -> list[Entity]:
    return [
        Entity(found["url"], found["indices"][0], found["indices"][1])
        for found in extract_urls_with_indices(text)
    ]


def _overlaps(entity: Entity, spans: list[Entity]) -> bool:
    return any(entity.start < other.end and other.start < entity.end for other in spans)


def hashtags(text: str, check_url_overlap: bool = True) -> list[Entity]:
    if "#" not in text and "\uff03" not in text:
        return []
    found = []
    for match in VALID_HASHTAG.finditer(text):
        if END_HASHTAG.match(text, match.end()):
            continue
        start = match.start(2)
        found.append(Entity(match.group(3), start, match.end()))
    if check_url_overlap and found:
        links = urls(text)
        found = [tag for tag in found if not _overlaps(tag, links)]
    return found


def mentions_or_lists(text: str) -> list[ListMention]:
    if "@" not in text and "\uff20" not in text:
        return []
    found = []
    for match in VALID_MENTION_OR_LIST.finditer(text):
        if END_MENTION.match(text, match.end()):
            continue
        slug = match.group(4) or ""
        start = match.start(2)
        found.append(
            ListMention(match.group(3), slug, start, start + 1 + len(match.group(3)) + len(slug))
        )
    return found


def mentions(text: str) -> list[Entity]:
    return [
        Entity(m.screen_name, m.start, m.end) for m in mentions_or_lists(text) if not m.list_slug
    ]


def reply(text: str) -> str | None:
    match = VALID_REPLY.match(text)
    if match is None or END_MENTION.match(text, match.end()):
        return None
    return match.group(1)


def cashtags(text: str) -> list[Entity]:
    if "$" not in text:
        return []
    return [
        Entity(match.group(3), match.start(2), match.end())
        for match in VALID_CASHTAG.finditer(text)
    ]


def extract(text: str) -> dict[str, list[dict[str, object]]]:
    """The v1.1 `entities` object for a text: hashtags, user_mentions, urls, symbols."""
    links = urls(text)
    return {
        "hashtags": [
            {"text": e.text, "indices": [e.start, e.end]}
            for e in hashtags(text, check_url_overlap=False)
            if not _overlaps(e, links)
        ],
        "user_mentions": [
            {"screen_name": e.text, "indices": [e.start, e.end]}
            for e in mentions(text)
            if not _overlaps(e, links)
        ],
        "urls": [
            {"url": e.text, "expanded_url": e.text, "indices": [e.start, e.end]} for e in links
        ],
        "symbols": [
            {"text": e.text, "indices": [e.start, e.end]}
            for e in cashtags(text)
            if not _overlaps(e, links)
        ],
    }
