"""Small, strict helpers for Alexa SSML: escaping, checking, and plain text for cards."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from functools import lru_cache
from xml.sax.saxutils import escape

ALEXA_SSML_TAGS = frozenset({
    "speak", "break", "prosody", "emphasis", "s", "p", "say-as", "sub", "phoneme", "lang",
    "voice", "w", "audio", "mark", "amazon:effect", "amazon:domain", "amazon:emotion",
    "alexa:name",
})
_AMAZON_NS = "urn:porchlight:amazon"
_TAG = re.compile(r"<[^>]+>")
_SPACES = re.compile(r"\s+")


def escape_text(text: str) -> str:
    """Plain text made safe to put inside SSML."""
    return escape(text, {'"': "&quot;"})


def ssml_errors(inner: str) -> list[str]:
    """Problems that would make Alexa reject ``<speak>inner</speak>``; empty when valid."""
    document = inner.replace("amazon:", "amazon_").replace("alexa:", "alexa_")
    try:
        root = ET.fromstring(f"<speak>{document}</speak>")
    except ET.ParseError as error:
        return [f"not well-formed XML: {error}"]
    problems = []
    for element in root.iter():
        tag = element.tag.replace("amazon_", "amazon:").replace("alexa_", "alexa:")
        if tag not in ALEXA_SSML_TAGS:
            problems.append(f"<{tag}> is not an Alexa SSML tag")
        if tag == "break" and element.get("strength") is None and not _valid_break(
            element.get("time", "")
        ):
            problems.append("<break> needs time like '500ms' or '1s' (at most 10s)")
    return problems


def _valid_break(time: str) -> bool:
    match = re.fullmatch(r"(\d+(?:\.\d+)?)(ms|s)", time)
    if not match:
        return False
    seconds = float(match.group(1)) / (1000 if match.group(2) == "ms" else 1)
    return 0 < seconds <= 10


@lru_cache(maxsize=1024)
def to_plain_text(inner: str) -> str:
    """Speech with its tags removed, for cards and logs of our own lines (and for counting
    words: remembered, as the same lines and prompts come back on every turn)."""
    text = _TAG.sub(" ", inner)
    text = text.replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">")
    text = text.replace("&amp;", "&")
    return _SPACES.sub(" ", text).strip()
