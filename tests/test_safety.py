"""Safety answers: the crisis path and the overwhelmed path, through the signed endpoint."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

import interaction_model
from interaction_model.matcher import recognize
from skill.conversation.state import Household
from skill.handlers.safety import safety_resources
from skill.storage import HouseholdStore, household_key
from tests.conftest import Alexa, speech
from tests.envelopes import Device
from tests.test_conversation import set_level

NEVER_IN_A_CRISIS_ANSWER = ("together", "talk it over", "your partner", "i'll call", "calling",
                            "i will call", "?")


def crisis(alexa: Alexa, device: Device) -> dict[str, Any]:
    return alexa.send(device, device.intent("CrisisIntent", one_shot=True))


@pytest.mark.parametrize(
    "locale, must_say",
    [
        ("en-US", ["nine one one", "nine eight eight", "seven two three three", "START"]),
        ("en-GB", ["nine nine nine", "one one six, one two three", "two four seven"]),
        ("en-CA", ["nine one one", "nine eight eight"]),
        ("en-AU", ["triple zero", "thirteen eleven fourteen", "respect"]),
        ("en-IN", ["one one two", "one four four one six"]),
        ("en-ZA", ["your local emergency number"]),
        ("fr-FR", ["your local emergency number"]),
    ],
)
def test_the_crisis_answer_gives_the_locales_lines(
    alexa: Alexa, clock: Any, locale: str, must_say: list[str]
) -> None:
    device = Device(clock, locale=locale)
    said = speech(crisis(alexa, device))
    for words in must_say:
        assert words in said
    for words in NEVER_IN_A_CRISIS_ANSWER:
        assert words not in said.lower()


def test_the_crisis_answer_is_discreet_and_keeps_nothing(
    alexa: Alexa, clock: Any, store: HouseholdStore
) -> None:
    show = Device(clock, screen=True)
    alexa.send(show, show.intent("TonightsPromptIntent", one_shot=True))
    before = store.load(household_key(show.user_id))
    payload = crisis(alexa, show)
    response = payload["response"]
    assert response["shouldEndSession"] is True
    assert "card" not in response and "directives" not in response
    assert "reprompt" not in response
    assert store.load(household_key(show.user_id)) == before


def test_a_crisis_in_the_middle_of_a_check_in_stops_it(
    alexa: Alexa, device: Device
) -> None:
    alexa.send(device, device.intent("StartCheckInIntent", one_shot=True))
    payload = alexa.send(device, device.intent("CrisisIntent"))
    assert payload["response"]["shouldEndSession"] is True
    assert payload.get("sessionAttributes", {}) == {}


def test_the_crisis_intent_is_not_named_in_logs(
    alexa: Alexa, device: Device, capsys: pytest.CaptureFixture[str]
) -> None:
    crisis(alexa, device)
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()
             if line.startswith("{")]
    (entry,) = [line for line in lines if line["logger"] == "porchlight.request"]
    assert entry["intent"] == "redacted"
    assert "Crisis" not in json.dumps(lines)


def test_the_resource_table_is_dated() -> None:
    table = safety_resources()
    assert date.fromisoformat(table["last_verified"]) <= date.today()
    assert table["default"]["emergency"] == "your local emergency number"
    for locale in ("en-US", "en-GB", "en-CA", "en-AU", "en-IN"):
        assert table["resources"][locale]["emergency"]
        assert table["resources"][locale]["crisis"]


def test_overwhelmed_grounds_breaks_and_drops_a_level(
    alexa: Alexa, device: Device, store: HouseholdStore
) -> None:
    set_level(store, device, 3)
    alexa.send(device, device.intent("TonightsPromptIntent", one_shot=True))
    payload = alexa.send(device, device.intent("OverwhelmedIntent", one_shot=True))
    said = speech(payload)
    assert payload["response"]["shouldEndSession"] is True
    assert "Nothing needs solving tonight" in said and "twenty minutes" in said
    assert "?" not in said
    house = Household.from_attributes(store.load(household_key(device.user_id)))
    assert house.level == 2
    assert house.withdrawals[-1].declined == "prompt"


def test_overwhelmed_ends_a_check_in(alexa: Alexa, device: Device,
                                     store: HouseholdStore) -> None:
    alexa.send(device, device.intent("StartCheckInIntent", one_shot=True))
    alexa.send(device, device.intent("AMAZON.YesIntent"))
    alexa.send(device, device.intent("OverwhelmedIntent", one_shot=True))
    house = Household.from_attributes(store.load(household_key(device.user_id)))
    assert house.checkin is None


# --- phrasings: through the same model as Alexa and rehearsal, then the endpoint ----------

PHRASINGS = yaml.safe_load(
    (Path(__file__).parent / "data" / "safety_phrasings.yaml").read_text(encoding="utf-8"))
SAFE_INTENTS = {"crisis": {"CrisisIntent"}, "overwhelmed": {"OverwhelmedIntent", "CrisisIntent"}}
CASES = [(kind, text) for kind, texts in PHRASINGS.items() for text in texts]


def test_the_phrasing_list_is_long_and_not_copied_from_the_model() -> None:
    assert len(PHRASINGS["crisis"]) + len(PHRASINGS["overwhelmed"]) >= 40
    samples = {s for s in interaction_model.samples("en-US")["CrisisIntent"]}
    own_words = [text for text in PHRASINGS["crisis"] if text.lower() not in samples]
    assert len(own_words) >= len(PHRASINGS["crisis"]) / 3


@pytest.mark.parametrize("kind, text", CASES)
def test_each_phrasing_reaches_a_safe_answer(
    alexa: Alexa, device: Device, kind: str, text: str
) -> None:
    match = recognize(text, "en-US")
    assert match.intent in SAFE_INTENTS[kind], f"{text!r} went to {match.intent}"
    payload = alexa.send(device, device.intent(str(match.intent), one_shot=True))
    said = speech(payload)
    assert payload["response"]["shouldEndSession"] is True
    assert "card" not in payload["response"]
    if match.intent == "CrisisIntent":
        assert "nine one one" in said
    else:
        assert "Nothing needs solving tonight" in said


@pytest.mark.parametrize("locale", ["en-GB", "en-CA", "en-AU", "en-IN"])
def test_the_explicit_phrasings_are_safe_in_every_locale(locale: str) -> None:
    for text in PHRASINGS["crisis"][:10] + PHRASINGS["crisis"][15:24]:
        assert recognize(text, locale).intent == "CrisisIntent", (locale, text)
