"""Dialog and prompt references in a model must resolve."""

from __future__ import annotations

import copy
from typing import Any

import pytest

import interaction_model
from interaction_model.checks import Severity
from interaction_model.dialog import dialog_problems


def with_dialog(dialog: dict[str, Any], prompts: list[dict[str, Any]]) -> dict[str, Any]:
    model = copy.deepcopy(interaction_model.load_model("en-US"))
    interaction: dict[str, Any] = model["interactionModel"]
    interaction["dialog"] = dialog
    interaction["prompts"] = prompts
    return interaction


def pause_dialog(**slot: Any) -> dict[str, Any]:
    return {"delegationStrategy": "ALWAYS", "intents": [{
        "name": "PauseIntent", "confirmationRequired": False, "prompts": {},
        "slots": [{"name": "duration", "type": "AMAZON.DURATION", "elicitationRequired": True,
                   "confirmationRequired": False,
                   "prompts": {"elicitation": "Elicit.Slot.Pause.Duration"}, **slot}]}]}


ASK_SPAN = {"id": "Elicit.Slot.Pause.Duration",
            "variations": [{"type": "PlainText", "value": "For how long?"},
                           {"type": "SSML", "value": "<speak>For how long?</speak>"}]}


def problems(interaction: dict[str, Any]) -> list[str]:
    return [str(p) for p in dialog_problems("en-US.json", interaction)]


def test_a_sound_dialog_passes() -> None:
    assert problems(with_dialog(pause_dialog(), [ASK_SPAN])) == []


@pytest.mark.parametrize("dialog, prompts, expected", [
    ({"intents": [{"name": "NapIntent", "slots": []}]}, [],
     "intent NapIntent: the dialog names the intent NapIntent, which the language model does "
     "not declare"),
    (pause_dialog(name="span"), [ASK_SPAN], "the dialog names the slot {span}, which "
                                            "PauseIntent does not declare"),
    (pause_dialog(type="AMAZON.NUMBER"), [ASK_SPAN],
     "the dialog gives {duration} the type AMAZON.NUMBER but the intent says AMAZON.DURATION"),
    (pause_dialog(prompts={}), [], "the slot {duration} has elicitationRequired but no "
                                   "elicitation prompt"),
    (pause_dialog(), [], "refers to the prompt 'Elicit.Slot.Pause.Duration', which is not in "
                         '"prompts"'),
    (pause_dialog(validations=[{"type": "isGreaterThan", "prompt": "Slot.Validation.1"}]),
     [ASK_SPAN], "refers to the prompt 'Slot.Validation.1'"),
    (pause_dialog(), [ASK_SPAN, ASK_SPAN], "the prompt id 'Elicit.Slot.Pause.Duration' is "
                                           "used twice"),
    (pause_dialog(), [{"id": "Elicit.Slot.Pause.Duration", "variations": []}],
     "has no variations"),
    (pause_dialog(), [{"id": "Elicit.Slot.Pause.Duration",
                       "variations": [{"type": "Text", "value": "How long?"}]}],
     "has type 'Text'; use PlainText or SSML"),
    (pause_dialog(), [{"id": "Elicit.Slot.Pause.Duration",
                       "variations": [{"type": "PlainText", "value": " "}]}], "is empty"),
    (pause_dialog(), [{"id": "Elicit.Slot.Pause.Duration",
                       "variations": [{"type": "SSML", "value": "<speak>How long?"}]}],
     "is not well-formed XML"),
    (pause_dialog(), [{"id": "Elicit.Slot.Pause.Duration",
                       "variations": [{"type": "SSML", "value": "<p>How long?</p>"}]}],
     "must be wrapped in <speak>"),
    ({**pause_dialog(), "delegationStrategy": "SOMETIMES"}, [ASK_SPAN],
     '"delegationStrategy" is \'SOMETIMES\'; use ALWAYS or SKILL_RESPONSE'),
])
def test_broken_dialogs_say_what_to_fix(dialog: dict[str, Any], prompts: list[dict[str, Any]],
                                        expected: str) -> None:
    found = problems(with_dialog(dialog, prompts))
    assert any(expected in message for message in found), found


def test_an_unused_prompt_is_a_warning() -> None:
    unused = {"id": "Confirm.Intent.Nap", "variations": [{"type": "PlainText", "value": "Sure?"}]}
    found = dialog_problems("en-US.json", with_dialog(pause_dialog(), [ASK_SPAN, unused]))
    assert [(p.severity, p.message) for p in found] == [
        (Severity.WARNING, "the prompt 'Confirm.Intent.Nap' is not used by the dialog; "
                           "remove it")]


def test_confirmation_needs_its_prompt() -> None:
    dialog = pause_dialog()
    dialog["intents"][0]["confirmationRequired"] = True
    assert any("the intent has confirmationRequired but no confirmation prompt" in m
               for m in problems(with_dialog(dialog, [ASK_SPAN])))
