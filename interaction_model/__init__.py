"""The interaction models: the single source of what users can say, one JSON file per locale."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

DEFAULT_LOCALE = "en-US"


def locales() -> tuple[str, ...]:
    """Every locale with a model, sorted."""
    files = resources.files(__name__).iterdir()
    return tuple(sorted(f.name[:-5] for f in files if f.name.endswith(".json")))


@cache
def load_model(locale: str = DEFAULT_LOCALE) -> dict[str, Any]:
    """A locale's interaction model as Alexa is given it."""
    resource = resources.files(__name__).joinpath(f"{locale}.json")
    model: dict[str, Any] = json.loads(resource.read_text(encoding="utf-8"))
    return model


def language_model(locale: str = DEFAULT_LOCALE) -> dict[str, Any]:
    """The ``interactionModel.languageModel`` part of a locale's model."""
    language: dict[str, Any] = load_model(locale)["interactionModel"]["languageModel"]
    return language


def intent_names(locale: str = DEFAULT_LOCALE) -> frozenset[str]:
    """The intents a locale's model declares."""
    return frozenset(intent["name"] for intent in language_model(locale)["intents"])


def samples(locale: str = DEFAULT_LOCALE) -> dict[str, tuple[str, ...]]:
    """Each intent's sample utterances."""
    return {
        intent["name"]: tuple(intent.get("samples") or ())
        for intent in language_model(locale)["intents"]
    }
