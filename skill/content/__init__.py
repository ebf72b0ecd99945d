"""Everything Porch Light says, loaded once per locale from YAML data files.

Code refers to spoken lines by key only. A line may hold Alexa SSML tags and
``{named}`` placeholders; values put into placeholders are escaped.
"""

from __future__ import annotations

import string
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any

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
        template = variants[zlib.crc32(f"{key}:{seed}".encode()) % len(variants)]
        return template.format_map({name: escape_text(v) for name, v in values.items()})


def load_yaml(text: str) -> Any:
    """Safe YAML, with libyaml's parser when PyYAML has it (ten times faster).

    PyYAML is imported here, at the first content a process reads, not at start-up.
    """
    import yaml

    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def _read_yaml(locale: str, name: str) -> Any:
    import yaml

    resource = resources.files("skill.content").joinpath(locale, name)
    try:
        return load_yaml(resource.read_text(encoding="utf-8"))
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


def _has_file(locale: str, name: str) -> bool:
    return resources.files("skill.content").joinpath(locale, name).is_file()


def _parse_lines(doc: Any, where: str) -> dict[str, tuple[str, ...]]:
    if not isinstance(doc, dict):
        raise ContentError(f"{where}/lines.yaml needs a mapping of line keys to variants")
    lines: dict[str, tuple[str, ...]] = {}
    for key, variants in doc.items():
        if isinstance(variants, str):
            variants = [variants]
        if not isinstance(variants, list) or not all(isinstance(v, str) for v in variants):
            raise ContentError(f"{where}/lines.yaml: '{key}' must be a line or a list of lines")
        lines[str(key)] = tuple(v.strip() for v in variants)
    return lines


def _parse_prompts(doc: Any, where: str) -> tuple[Prompt, ...]:
    if not isinstance(doc, dict) or not isinstance(doc.get("prompts"), list):
        raise ContentError(f"{where}/prompts.yaml needs a top-level 'prompts:' list")
    return tuple(_parse_prompt(raw, f"{where}/prompts.yaml") for raw in doc["prompts"])


@cache
def load_content(locale: str = DEFAULT_LOCALE) -> Content:
    """A locale's content, loaded once per process.

    en-US is complete. Another locale's files hold only what differs: its lines.yaml
    replaces whole keys, and its prompts.yaml replaces prompts by id (same level,
    category and topics, other words); everything else is en-US's.
    """
    where = f"skill/content/{locale}"
    if locale == DEFAULT_LOCALE:
        prompts = _parse_prompts(_read_yaml(locale, "prompts.yaml"), where)
        lines = _parse_lines(_read_yaml(locale, "lines.yaml"), where)
    else:
        base = load_content(DEFAULT_LOCALE)
        lines = dict(base.lines)
        if _has_file(locale, "lines.yaml"):
            lines.update(_parse_lines(_read_yaml(locale, "lines.yaml"), where))
        replaced = {}
        if _has_file(locale, "prompts.yaml"):
            replaced = {p.id: p for p in _parse_prompts(_read_yaml(locale, "prompts.yaml"), where)}
        unknown = set(replaced) - set(base.by_id)
        if unknown:
            raise ContentError(f"{where}/prompts.yaml replaces unknown prompts {sorted(unknown)}")
        prompts = tuple(replaced.get(p.id, p) for p in base.prompts)
    return Content(locale=locale, prompts=prompts, lines=lines, by_id={p.id: p for p in prompts})


def content_locales() -> tuple[str, ...]:
    """Every locale with a content folder."""
    folders = resources.files("skill.content").iterdir()
    return tuple(sorted(f.name for f in folders if f.is_dir() and "-" in f.name))


@lru_cache(maxsize=16)
def content_for(locale: str | None) -> Content:
    """The locale's content, or en-US when Porch Light does not speak that locale yet."""
    if locale and locale in content_locales():
        return load_content(locale)
    return load_content(DEFAULT_LOCALE)
