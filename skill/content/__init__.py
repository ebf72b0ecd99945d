"""Everything Porch Light says, loaded once per locale from YAML data files.

Code refers to spoken lines by key only. A line may hold Alexa SSML tags and
``{named}`` placeholders; values put into placeholders are escaped.
"""

from __future__ import annotations

import random
import string
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any

import yaml

from skill.content.ssml import escape_text
from skill.conversation.prompts import Prompt

DEFAULT_LOCALE = "en-US"


class ContentError(ValueError):
    """A content file is missing or malformed; the message names the file and entry."""


@dataclass(frozen=True)
class Content:
    """One locale's prompts and spoken lines."""

    locale: str
    prompts: tuple[Prompt, ...]
    lines: Mapping[str, tuple[str, ...]]
    by_id: Mapping[str, Prompt]

    def prompt(self, prompt_id: str) -> Prompt | None:
        """The prompt with this id, or None when it left the library."""
        return self.by_id.get(prompt_id)

    def line(self, key: str, seed: str = "", **values: str) -> str:
        """One variant of a spoken line, chosen by ``seed``, with escaped placeholders."""
        variants = self.lines.get(key)
        if not variants:
            raise KeyError(f"no spoken line {key!r} for {self.locale}")
        template = random.Random(f"{key}:{seed}").choice(variants)
        return template.format_map({name: escape_text(v) for name, v in values.items()})


def _read_yaml(locale: str, name: str) -> Any:
    resource = resources.files("skill.content").joinpath(locale, name)
    try:
        return yaml.safe_load(resource.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ContentError(f"skill/content/{locale}/{name} is missing") from None
    except yaml.YAMLError as error:
        raise ContentError(f"skill/content/{locale}/{name} is not valid YAML: {error}") from None


def _parse_prompt(raw: Mapping[str, Any], where: str) -> Prompt:
    try:
        return Prompt(
            id=str(raw["id"]),
            level=int(raw["level"]),
            category=str(raw["category"]),
            topics=frozenset(str(t) for t in raw.get("topics") or ()),
            text=str(raw["text"]).strip(),
            nudge=str(raw["nudge"]).strip() if raw.get("nudge") else None,
        )
    except (KeyError, TypeError, ValueError) as error:
        raise ContentError(f"{where}: prompt entry {raw!r} is incomplete ({error})") from None


def placeholders(template: str) -> set[str]:
    """The ``{named}`` placeholders in a line."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@cache
def load_content(locale: str = DEFAULT_LOCALE) -> Content:
    """Load and parse a locale's content once per process."""
    where = f"skill/content/{locale}"
    prompts_doc = _read_yaml(locale, "prompts.yaml")
    lines_doc = _read_yaml(locale, "lines.yaml")
    if not isinstance(prompts_doc, dict) or not isinstance(prompts_doc.get("prompts"), list):
        raise ContentError(f"{where}/prompts.yaml needs a top-level 'prompts:' list")
    if not isinstance(lines_doc, dict):
        raise ContentError(f"{where}/lines.yaml needs a mapping of line keys to variants")
    prompts = tuple(_parse_prompt(raw, f"{where}/prompts.yaml") for raw in prompts_doc["prompts"])
    lines: dict[str, tuple[str, ...]] = {}
    for key, variants in lines_doc.items():
        if isinstance(variants, str):
            variants = [variants]
        if not isinstance(variants, list) or not all(isinstance(v, str) for v in variants):
            raise ContentError(f"{where}/lines.yaml: '{key}' must be a line or a list of lines")
        lines[str(key)] = tuple(v.strip() for v in variants)
    return Content(locale=locale, prompts=prompts, lines=lines, by_id={p.id: p for p in prompts})


@lru_cache(maxsize=16)
def content_for(locale: str | None) -> Content:
    """The locale's content, or en-US when Porch Light does not speak that locale yet."""
    if locale and resources.files("skill.content").joinpath(locale, "lines.yaml").is_file():
        return load_content(locale)
    return load_content(DEFAULT_LOCALE)
