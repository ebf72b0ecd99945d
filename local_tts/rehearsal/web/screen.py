"""What an Echo Show would show for a response: its APL document, read as a small preview.

The skill's screens are a centred column of Text components bound to a data source
(skill/handlers/screen.py PROMPT_DOCUMENT). This reads that subset of APL — Containers,
Text, ``${source.field}`` bindings and the few style properties it uses — so the page
shows the document the skill really sent, and changes when the document does. Anything
else in a document is left out rather than guessed at. Styles are checked here so the
page only ever applies known, well-formed values.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from typing import Any

RENDER_DOCUMENT = "Alexa.Presentation.APL.RenderDocument"
_BINDING = re.compile(r"\$\{\s*([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)\s*\}")
_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})")
_DIMENSION = re.compile(r"(\d+(?:\.\d+)?)\s*(?:dp)?")
ALIGNMENTS = frozenset({"left", "right", "center", "start", "end", "auto"})
MAX_DEPTH = 8


@dataclass(frozen=True)
class ScreenText:
    """One Text component, bound and checked."""

    text: str
    """The words, data bound."""
    color: str | None = None
    """A #hex colour."""
    size: float | None = None
    """fontSize in dp."""
    align: str | None = None
    """textAlign."""
    line_height: float | None = None
    """lineHeight, a multiple of the font size."""
    space_after: float | None = None
    """paddingBottom in dp."""


@dataclass(frozen=True)
class Screen:
    """What the screen shows, top to bottom."""

    theme: str
    """The document's theme ("dark" or "light")."""
    texts: tuple[ScreenText, ...]
    """The Text components in order."""

    def as_json(self) -> dict[str, Any]:
        return {"theme": self.theme, "texts": [asdict(t) for t in self.texts]}


def screen_of(response: Mapping[str, Any]) -> Screen | None:
    """The screen a response envelope's RenderDocument directive shows, if it sends one."""
    body = response.get("response")
    directives = body.get("directives") if isinstance(body, Mapping) else None
    for directive in directives if isinstance(directives, list) else ():
        if isinstance(directive, Mapping) and directive.get("type") == RENDER_DOCUMENT:
            return read_document(directive.get("document"), directive.get("datasources"))
    return None


def read_document(document: Any, datasources: Any) -> Screen | None:
    """The Text components of an APL document with their data bound; None if it has none."""
    if not isinstance(document, Mapping):
        return None
    template = document.get("mainTemplate")
    if not isinstance(template, Mapping):
        return None
    sources = datasources if isinstance(datasources, Mapping) else {}
    parameters = template.get("parameters") or []
    scope = {str(name): sources.get(str(name)) for name in parameters
             if isinstance(name, str)}
    texts = tuple(_text(item, scope) for item in _texts(template.get("items"), 0))
    theme = "light" if document.get("theme") == "light" else "dark"
    return Screen(theme, texts) if texts else None


def _texts(items: Any, depth: int) -> Iterator[Mapping[str, Any]]:
    """Text components in document order, through Containers."""
    if depth > MAX_DEPTH:
        return
    for item in items if isinstance(items, list) else [items]:
        if not isinstance(item, Mapping):
            continue
        if item.get("type") == "Text":
            yield item
        elif item.get("type") == "Container":
            yield from _texts(item.get("items"), depth + 1)


def _text(item: Mapping[str, Any], scope: Mapping[str, Any]) -> ScreenText:
    align = item.get("textAlign")
    colour = item.get("color")
    return ScreenText(
        text=bind(str(item.get("text", "")), scope),
        color=colour if isinstance(colour, str) and _COLOUR.fullmatch(colour) else None,
        size=dimension(item.get("fontSize")),
        align=align if align in ALIGNMENTS else None,
        line_height=dimension(item.get("lineHeight")),
        space_after=dimension(item.get("paddingBottom")),
    )


def bind(text: str, scope: Mapping[str, Any]) -> str:
    """``${prompt.text}`` replaced by that field of the data source ("" when missing)."""
    def value(hit: re.Match[str]) -> str:
        found: Any = scope
        for part in hit.group(1).split("."):
            found = found.get(part) if isinstance(found, Mapping) else None
        return "" if found is None or isinstance(found, Mapping | list) else str(found)

    return _BINDING.sub(value, text)


def dimension(raw: Any) -> float | None:
    """28, "28dp" or "1.4" as a number; None for anything else (percentages, vw…)."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        return float(raw) if raw >= 0 else None
    hit = _DIMENSION.fullmatch(raw.strip()) if isinstance(raw, str) else None
    return float(hit.group(1)) if hit else None
