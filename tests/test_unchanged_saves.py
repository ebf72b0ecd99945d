"""A turn that changes nothing durable writes nothing: asking twice for tonight's prompt
leaves the store alone the second time (through the signed endpoint, counting writes)."""

from __future__ import annotations

from typing import Any

import pytest

from skill.conversation.clock import SettableClock
from skill.storage import HouseholdStore, household_key_of
from tests.conftest import Alexa, speech
from tests.envelopes import Device


@pytest.fixture
def writes(store: HouseholdStore, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The keys of every household write the app makes."""
    written: list[str] = []
    save = store.save

    def counted(key: str, attributes: dict[str, Any]) -> None:
        written.append(key)
        save(key, attributes)

    monkeypatch.setattr(store, "save", counted)
    return written


def ask(alexa: Alexa, device: Device, intent: str) -> str:
    return speech(alexa.send(device, device.intent(intent, one_shot=True)))


def test_asking_again_for_tonights_prompt_writes_nothing(
    alexa: Alexa, device: Device, store: HouseholdStore, writes: list[str]
) -> None:
    first = ask(alexa, device, "TonightsPromptIntent")
    assert len(writes) == 2  # the device's time zone (asked daily), tonight's prompt
    stored = store.load(writes[0])
    again = ask(alexa, device, "TonightsPromptIntent")
    assert len(writes) == 2  # nothing durable changed
    assert store.load(writes[0]) == stored
    prompt = first[first.index("<prosody"):first.index("</prosody>")]
    assert prompt in again  # the same prompt, as before


def test_a_turn_that_changes_something_still_writes(
    alexa: Alexa, device: Device, store: HouseholdStore, writes: list[str],
    clock: SettableClock,
) -> None:
    ask(alexa, device, "TonightsPromptIntent")
    ask(alexa, device, "TonightsPromptIntent")
    assert len(writes) == 2
    ask(alexa, device, "AnotherPromptIntent")
    assert len(writes) == 3
    alexa.send(device, device.intent("PauseIntent", {"duration": "P2W"}, one_shot=True))
    assert len(writes) == 4
    key = household_key_of_device(device)
    assert writes == [key] * 4
    assert store.load(key)["events"]  # the pause is stored


def household_key_of_device(device: Device) -> str:
    from ask_sdk_core.serialize import DefaultSerializer
    from ask_sdk_model import RequestEnvelope

    from tests.envelopes import dumps

    envelope = DefaultSerializer().deserialize(dumps(device.launch()), RequestEnvelope)
    return str(household_key_of(envelope))


def test_a_change_another_process_made_is_seen_at_once(
    alexa: Alexa, device: Device, store: HouseholdStore, writes: list[str]
) -> None:
    """The household this process keeps decoded is used only while the stored text is
    the same: another server process deleting or changing it is seen by the next turn."""
    ask(alexa, device, "TonightsPromptIntent")
    ask(alexa, device, "TonightsPromptIntent")
    assert len(writes) == 2
    key = writes[0]
    store.delete(key)  # another process (say, a SkillDisabled it handled) deleted it
    ask(alexa, device, "TonightsPromptIntent")
    assert len(writes) == 4  # a new household again: its zone and its prompt are written
    changed = {**store.load(key), "level": 3}
    store.save(key, changed)  # another process took the couple deeper
    said = speech(alexa.send(device, device.intent("WhatDoYouRememberIntent",
                                                   one_shot=True)))
    assert "Your depth: light prompts." not in said
    assert store.load(key)["level"] == 3
