"""Checks on a model's dialog section and prompts: every reference must resolve."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from typing import Any

from interaction_model.checks import Problem, Severity

DELEGATION_STRATEGIES = frozenset({"ALWAYS", "SKILL_RESPONSE"})
VARIATION_TYPES = frozenset({"PlainText", "SSML"})


def dialog_problems(file: str, interaction: Mapping[str, Any]) -> list[Problem]:
    """Problems in ``interactionModel.dialog`` and ``interactionModel.prompts``."""
    language = interaction.get("languageModel") or {}
    dialog = interaction.get("dialog") or {}
    prompts = [p for p in interaction.get("prompts") or () if isinstance(p, dict)]
    problems: list[Problem] = []
    declared = {str(i["name"]): {str(s["name"]): str(s["type"]) for s in i.get("slots") or ()}
                for i in language.get("intents") or () if isinstance(i, dict)}
    strategy = dialog.get("delegationStrategy")
    if strategy is not None and strategy not in DELEGATION_STRATEGIES:
        problems.append(Problem(file, f'"delegationStrategy" is {strategy!r}; use ALWAYS or '
                                      "SKILL_RESPONSE"))
    prompt_ids = [str(p.get("id")) for p in prompts]
    referenced: set[str] = set()
    for intent in dialog.get("intents") or ():
        problems.extend(_dialog_intent(file, intent, declared, set(prompt_ids), referenced))
    problems.extend(_prompt_problems(file, prompts, prompt_ids, referenced))
    return problems


def _dialog_intent(file: str, intent: Mapping[str, Any],
                   declared: Mapping[str, Mapping[str, str]], prompt_ids: set[str],
                   referenced: set[str]) -> Iterator[Problem]:
    name = str(intent.get("name"))
    if name not in declared:
        yield Problem(file, f"the dialog names the intent {name}, which the language model "
                            "does not declare; add the intent or remove it from the dialog",
                      name)
        return
    yield from _references(file, name, None, intent, prompt_ids, referenced)
    for slot in intent.get("slots") or ():
        slot_name = str(slot.get("name"))
        if slot_name not in declared[name]:
            yield Problem(file, f"the dialog names the slot {{{slot_name}}}, which {name} does "
                                "not declare; declare it or remove it from the dialog", name)
            continue
        if slot.get("type") != declared[name][slot_name]:
            yield Problem(file, f"the dialog gives {{{slot_name}}} the type {slot.get('type')} "
                                f"but the intent says {declared[name][slot_name]}; make them "
                                "the same", name)
        yield from _references(file, name, slot_name, slot, prompt_ids, referenced)


def _references(file: str, intent: str, slot: str | None, item: Mapping[str, Any],
                prompt_ids: set[str], referenced: set[str]) -> Iterator[Problem]:
    """Prompts an intent or slot refers to, and the ones its flags require."""
    owner = f"the slot {{{slot}}}" if slot else "the intent"
    prompts = item.get("prompts") or {}
    needs = {"elicitation": item.get("elicitationRequired"),
             "confirmation": item.get("confirmationRequired")}
    for kind, required in needs.items():
        if required and not prompts.get(kind):
            yield Problem(file, f"{owner} has {kind}Required but no {kind} prompt; add "
                                f'"prompts": {{"{kind}": "<prompt id>"}}', intent)
    pointers = [*prompts.values(), *(v.get("prompt") for v in item.get("validations") or ())]
    for pointer in pointers:
        if not pointer:
            continue
        referenced.add(pointer)
        if pointer not in prompt_ids:
            yield Problem(file, f"{owner} refers to the prompt {pointer!r}, which is not in "
                                '"prompts"; add it or fix the id', intent)


def _prompt_problems(file: str, prompts: list[dict[str, Any]], ids: list[Any],
                     referenced: set[str]) -> Iterator[Problem]:
    for prompt in prompts:
        ident = prompt.get("id")
        if ids.count(ident) > 1:
            yield Problem(file, f"the prompt id {ident!r} is used twice; ids are unique")
        if ident not in referenced:
            yield Problem(file, f"the prompt {ident!r} is not used by the dialog; remove it",
                          severity=Severity.WARNING)
        variations = prompt.get("variations") or []
        if not variations:
            yield Problem(file, f"the prompt {ident!r} has no variations; add at least one")
        for variation in variations:
            yield from _variation(file, ident, variation)


def _variation(file: str, ident: Any, variation: Mapping[str, Any]) -> Iterator[Problem]:
    kind, value = variation.get("type"), variation.get("value")
    if kind not in VARIATION_TYPES:
        yield Problem(file, f"a variation of the prompt {ident!r} has type {kind!r}; use "
                            "PlainText or SSML")
    if not isinstance(value, str) or not value.strip():
        yield Problem(file, f"a variation of the prompt {ident!r} is empty; give it words")
    elif kind == "SSML":
        try:
            root = ET.fromstring(value.replace("amazon:", "amazon_"))
        except ET.ParseError as error:
            yield Problem(file, f"an SSML variation of the prompt {ident!r} is not well-formed "
                                f"XML ({error}); fix the tags")
            return
        if root.tag != "speak":
            yield Problem(file, f"an SSML variation of the prompt {ident!r} must be wrapped in "
                                "<speak>…</speak>")
