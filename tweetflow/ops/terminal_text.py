"""Untrusted text made safe and measured for a terminal.

Tweet text, names and hashtags come from strangers: an escape sequence in a tweet could set
the window title, move the cursor, clear the screen or, on some terminals, answer back with
input. Everything shown by `tweetflow watch` passes through `safe` first, and is laid out by
display cells (East Asian wide characters take two, combining marks none), not by code points.
"""

from __future__ import annotations

import re
import unicodedata

# ESC-introduced sequences (ECMA-48): CSI, OSC/DCS/SOS/PM/APC strings up to their terminator
# (BEL or ST), and two-character escapes; then the 8-bit C1 forms of the same introducers.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b[\]PX^_].*?(?:\x07|\x1b\\|\x9c|$)"
    r"|\x1b[ -/]*[0-~]?"
    r"|\x9b[0-?]*[ -/]*[@-~]"
    r"|[\x90\x98\x9d\x9e\x9f].*?(?:\x07|\x1b\\|\x9c|$)",
    re.S,
)
# Bidirectional embeddings, overrides and isolates reorder the rest of the line.
_BIDI_CONTROLS = {*range(0x202A, 0x202F), *range(0x2066, 0x206A)}


def safe(text: object) -> str:
    """One line of printable text: escape sequences removed, control and bidi-control
    characters dropped, line breaks and tabs turned into single spaces."""
    cleaned = _ESCAPES.sub("", str(text if text is not None else ""))
    out = []
    for ch in cleaned:
        if ch in "\t\n\r\v\f\u2028\u2029\x85":
            out.append(" ")
        elif unicodedata.category(ch) == "Cc" or ord(ch) in _BIDI_CONTROLS:
            continue
        else:
            out.append(ch)
    return re.sub(r" {2,}", " ", "".join(out)).strip()


def cells(ch: str) -> int:
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def width(text: str) -> int:
    return sum(cells(ch) for ch in text)


def clip(text: str, columns: int) -> str:
    """At most `columns` cells of `text`, with an ellipsis when something was cut."""
    if width(text) <= columns:
        return text
    out, used = [], 0
    for ch in text:
        w = cells(ch)
        if used + w > columns - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


def pad(text: str, columns: int) -> str:
    """`text` clipped, then padded with spaces to exactly `columns` cells."""
    text = clip(text, columns)
    return text + " " * (columns - width(text))


SPARKS = "▁▂▃▄▅▆▇█"


def sparkline(values: list[int]) -> str:
    """One block character per value, scaled from zero to the largest."""
    top = max(values, default=0)
    if top <= 0:
        return SPARKS[0] * len(values)
    return "".join(SPARKS[round(max(v, 0) * (len(SPARKS) - 1) / top)] for v in values)
