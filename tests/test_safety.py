"""Safety answers through the signed endpoint: crisis, distress, "I need help", the number
again, the screen over slot values, the quiet evening afterwards, and the overwhelmed path."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from local_tts.ssml import plain_text
from skill.app import create_app
from skill.content import content_for
from skill.conversation.clock import SettableClock
from skill.conversation.state import Household
from skill.handlers.safety import resources_due, safety_resources
from skill.storage import HouseholdStore, household_key
from skill.storage.sqlite import SQLiteStore
from tests.conftest import Alexa, speech
from tests.envelopes import Device
from tests.faults import BreakableStore
from tests.signing import TestAuthority
from tests.test_conversation import set_level

NEVER_IN_A_CRISIS_ANSWER = ("together", "talk it over", "your partner", "i'll call", "calling",
                            "i will call")
CRISIS_WORD_LIMIT = 40
DISTRESS_WORD_LIMIT = 30
RESOURCES = {
    # locale: {intent: SSML the answer must hold}
    "en-US": {"DangerIntent": '"digits">911<', "AbuseIntent": '"digits">7233<',
              "CrisisIntent": '"digits">988<', "NeedHelpIntent": '"digits">988<'},
    "en-GB": {"DangerIntent": '"digits">999<', "AbuseIntent": "oh eight oh eight",
              "CrisisIntent": '"digits">116<', "NeedHelpIntent": "Samaritans"},
    "en-CA": {"DangerIntent": '"digits">911<', "AbuseIntent": '"digits">911<',
              "CrisisIntent": '"digits">988<', "NeedHelpIntent": '"digits">988<'},
    "en-AU": {"DangerIntent": "triple zero", "AbuseIntent": "RESPECT",
              "CrisisIntent": "thirteen", "NeedHelpIntent": "Lifeline"},
    "en-IN": {"DangerIntent": '"digits">112<', "AbuseIntent": '"digits">112<',
              "CrisisIntent": '"digits">416<', "NeedHelpIntent": "Tele MANAS"},
}
CASES = [(locale, intent, must) for locale, table in RESOURCES.items()
         for intent, must in table.items()]


def state(store: HouseholdStore, device: Device) -> Household:
    return Household.from_attributes(store.load(household_key(device.user_id)))


def spoken_words(payload: dict[str, Any]) -> int:
    """Words Alexa speaks (digits in say-as count one word each)."""
    return len(plain_text(speech(payload)).split())


def say(alexa: Alexa, device: Device, intent: str, *, one_shot: bool = False,
        **slots: str) -> dict[str, Any]:
    return alexa.send(device, device.intent(intent, slots or None, one_shot=one_shot))


OPENERS = ("crisis_open_danger", "crisis_open_abuse", "crisis_open_self_harm",
           "crisis_open_support")


@pytest.mark.parametrize("locale", [*RESOURCES, "fr-FR"])
def test_every_variant_of_every_crisis_answer_fits_forty_words(locale: str) -> None:
    from skill.conversation.safety_screen import Concern
    from skill.handlers.safety import resource_sentence, unsafe_line

    lines = content_for(locale).lines
    question = lines["crisis_number_question"][0]
    for concern, key in zip((Concern.DANGER, Concern.ABUSE, Concern.SELF_HARM,
                             Concern.SUPPORT), OPENERS, strict=True):
        sentence, _ = resource_sentence(locale, concern)
        for opener in lines[key]:
            ssml = f"<speak>{opener} {sentence} {question}</speak>"
            assert len(plain_text(ssml).split()) <= CRISIS_WORD_LIMIT, plain_text(ssml)
    for line in lines["distress"]:
        ssml = f"<speak>{line} {unsafe_line(locale)}</speak>"
        assert len(plain_text(ssml).split()) <= DISTRESS_WORD_LIMIT, plain_text(ssml)


@pytest.mark.parametrize("locale, intent, must", CASES)
def test_the_crisis_answer_gives_one_resource_chosen_by_what_was_said(
    alexa: Alexa, clock: SettableClock, locale: str, intent: str, must: str
) -> None:
    device = Device(clock, locale=locale)
    payload = say(alexa, device, intent, one_shot=True)
    said = speech(payload)
    response = payload["response"]
    assert must in said
    assert said.rstrip("</speak>").endswith("Would you like me to say the number again?")
    assert "number again" in response["reprompt"]["outputSpeech"]["ssml"]
    assert response["shouldEndSession"] is False
    assert "card" not in response and "directives" not in response
    assert spoken_words(payload) <= CRISIS_WORD_LIMIT, plain_text(said)
    for words in NEVER_IN_A_CRISIS_ANSWER:
        assert words not in said.lower()


def test_immediate_danger_names_the_emergency_number_only(alexa: Alexa, device: Device) -> None:
    said = speech(say(alexa, device, "DangerIntent", one_shot=True))
    assert '"digits">911<' in said and "988" not in said and "7233" not in said


@pytest.mark.parametrize("locale", ["en-ZA", "fr-FR"])
def test_an_unknown_locale_hears_the_local_emergency_number(
    alexa: Alexa, clock: SettableClock, locale: str
) -> None:
    device = Device(clock, locale=locale)
    for intent in ("CrisisIntent", "AbuseIntent", "DangerIntent"):
        payload = say(alexa, device, intent, one_shot=True)
        assert "your local emergency number" in speech(payload)
        assert payload["response"]["shouldEndSession"] is True  # no number to say again
    distress = say(alexa, device, "DistressIntent", one_shot=True)
    assert "your local emergency number" in speech(distress)


def test_yes_says_the_number_again_and_ends(alexa: Alexa, device: Device) -> None:
    say(alexa, device, "AbuseIntent", one_shot=True)
    again = say(alexa, device, "AMAZON.YesIntent")
    assert '"digits">7233<' in speech(again) and "START" in speech(again)
    assert again["response"]["shouldEndSession"] is True
    assert "?" not in plain_text(speech(again))


def test_say_that_again_repeats_the_number_too(alexa: Alexa, device: Device) -> None:
    say(alexa, device, "CrisisIntent", one_shot=True)
    again = say(alexa, device, "AMAZON.RepeatIntent")
    assert '"digits">988<' in speech(again) and again["response"]["shouldEndSession"] is True


@pytest.mark.parametrize("intent", ["AMAZON.NoIntent", "TonightsPromptIntent",
                                    "StartCheckInIntent", "AMAZON.FallbackIntent"])
def test_anything_else_after_the_question_ends_kindly(
    alexa: Alexa, device: Device, intent: str
) -> None:
    say(alexa, device, "CrisisIntent", one_shot=True)
    payload = say(alexa, device, intent)
    said = plain_text(speech(payload))
    assert payload["response"]["shouldEndSession"] is True
    assert said in {plain_text(v) for v in content_for("en-US").lines["crisis_goodbye"]}


def test_a_new_danger_after_the_question_gets_its_own_answer(alexa: Alexa,
                                                              device: Device) -> None:
    say(alexa, device, "CrisisIntent", one_shot=True)
    assert '"digits">911<' in speech(say(alexa, device, "DangerIntent"))


def test_after_a_crisis_the_evening_is_quiet_and_nothing_says_why(
    alexa: Alexa, device: Device, store: HouseholdStore
) -> None:
    say(alexa, device, "TonightsPromptIntent", one_shot=True)
    say(alexa, device, "StartCheckInIntent", one_shot=True)
    say(alexa, device, "AbuseIntent")
    stored = store.load(household_key(device.user_id))
    household = Household.from_attributes(stored)
    assert household.checkin is None
    withdrawal = household.withdrawals[-1]
    assert (withdrawal.declined, withdrawal.ref, withdrawal.level) == ("nothing", None, None)
    text = json.dumps(stored).lower()
    for word in ("crisis", "abuse", "danger", "distress", "safety", "resource"):
        assert word not in text
    launch = alexa.send(device, device.launch())
    assert "offer" not in launch.get("sessionAttributes", {})
    assert plain_text(speech(launch)) in {plain_text(v) for v in
                                          content_for("en-US").lines["welcome_quiet"]}


def test_need_help_gives_the_crisis_line(alexa: Alexa, device: Device) -> None:
    payload = say(alexa, device, "NeedHelpIntent", one_shot=True)
    assert '"digits">988<' in speech(payload) and "number again" in speech(payload)


def test_distress_stops_gently_with_one_safety_line_and_no_question(
    alexa: Alexa, device: Device, store: HouseholdStore
) -> None:
    set_level(store, device, 3)
    say(alexa, device, "TonightsPromptIntent", one_shot=True)
    payload = say(alexa, device, "DistressIntent", one_shot=True)
    said = speech(payload)
    assert payload["response"]["shouldEndSession"] is True
    assert "reprompt" not in payload["response"] and "card" not in payload["response"]
    assert "Nothing needs solving tonight" in said and "isn't safe" in said
    assert '"digits">988<' in said and "?" not in plain_text(said)
    assert spoken_words(payload) <= DISTRESS_WORD_LIMIT
    household = state(store, device)
    assert household.level == 2
    assert household.withdrawals[-1].declined == "prompt"


@pytest.mark.parametrize("locale", list(RESOURCES))
def test_the_distress_answer_fits_every_locale(alexa: Alexa, clock: SettableClock,
                                               locale: str) -> None:
    payload = say(alexa, Device(clock, locale=locale), "DistressIntent", one_shot=True)
    assert "isn't safe" in speech(payload)
    assert spoken_words(payload) <= DISTRESS_WORD_LIMIT, plain_text(speech(payload))


def test_distress_in_a_check_in_ends_it(alexa: Alexa, device: Device,
                                        store: HouseholdStore) -> None:
    say(alexa, device, "StartCheckInIntent", one_shot=True)
    say(alexa, device, "AMAZON.YesIntent")
    say(alexa, device, "DistressIntent", one_shot=True)
    household = state(store, device)
    assert household.checkin is None and household.withdrawals[-1].declined == "checkin"


# --- the screen over slot values: words people said, read before any handler -------------

@pytest.mark.parametrize("intent, slots, expected", [
    ("SetBoundaryIntent", {"topic": "the way he hits me"}, '"digits">7233<'),
    ("WeatherWordIntent", {"weather": "hopeless"}, '"digits">988<'),
    ("RemoveBoundaryIntent", {"topic": "i'm not okay"}, "Nothing needs solving tonight"),
    ("PauseIntent", {"duration": "he has a knife"}, '"digits">7233<'),
    ("PauseIntent", {"duration": "he has a knife right now"}, '"digits">911<'),
    # words no pattern foresaw, which matched no value of the slot: read for their meaning
    ("WeatherWordIntent", {"weather": "there's someone trying the back door handle"},
     '"digits">911<'),
    ("SetBoundaryIntent", {"topic": "he screams until i say sorry"}, '"digits">7233<'),
    # the danger gate: neither the patterns nor the concern gate hold it
    ("WeatherWordIntent", {"weather": "the tide came in and our boat is drifting out"},
     '"digits">911<'),
    # the patterns hear distress ("can't breathe"); the meaning reads an emergency
    ("SetBoundaryIntent", {"topic": "my dad is choking on a grape and can't breathe"},
     '"digits">911<'),
])
def test_slot_values_are_screened_before_any_handler_answers(
    alexa: Alexa, device: Device, store: HouseholdStore, intent: str, slots: dict[str, str],
    expected: str
) -> None:
    payload = say(alexa, device, intent, one_shot=True, **slots)
    assert expected in speech(payload)
    stored = json.dumps(store.load(household_key(device.user_id)))
    for value in slots.values():
        assert value not in stored


def test_ordinary_slot_values_pass_the_screen(alexa: Alexa, device: Device) -> None:
    payload = say(alexa, device, "SetBoundaryIntent", one_shot=True, topic="money")
    assert "money" in speech(payload).lower()


def test_a_slot_value_of_the_type_is_read_by_its_words_alone(
    alexa: Alexa, device: Device, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Words that resolved to one of the slot's values ("grief" is a topic) never reach
    the meaning model: they are ours, and the answer stays fast."""
    from skill.conversation import safety_meaning

    def unexpected(text: str, words: object = None) -> None:
        raise AssertionError(f"meaning read a resolved value: {text}")

    monkeypatch.setattr(safety_meaning, "read_meaning", unexpected)
    payload = say(alexa, device, "SetBoundaryIntent", one_shot=True, topic="grief")
    assert "grief" in speech(payload).lower() or "loss" in speech(payload).lower()
    payload = say(alexa, device, "PauseIntent", one_shot=True, duration="P2W")
    assert "988" not in speech(payload)


def test_screened_words_are_never_logged(
    alexa: Alexa, device: Device, capsys: pytest.CaptureFixture[str]
) -> None:
    say(alexa, device, "SetBoundaryIntent", one_shot=True, topic="my husband hurts me")
    say(alexa, device, "AbuseIntent", one_shot=True)
    logged = capsys.readouterr().err
    assert "hurts me" not in logged and "husband" not in logged
    lines = [json.loads(line) for line in logged.splitlines() if line.startswith("{")]
    requests = [line for line in lines if line["logger"] == "porchlight.request"]
    assert requests[-1]["intent"] == "redacted"
    assert "Abuse" not in logged and "Crisis" not in logged


# --- nothing stands between a person and a safety answer --------------------------------

@pytest.fixture
def breakable(tmp_path: Path) -> Any:
    store = BreakableStore(SQLiteStore(tmp_path / "breakable.sqlite3"))
    yield store
    store.close()


@pytest.fixture
def alexa_on_breakable(app_config: dict[str, Any], clock: SettableClock, breakable: Any,
                       authority: TestAuthority) -> Alexa:
    app: Flask = create_app(app_config, clock=clock, store=breakable)
    return Alexa(app.test_client(), authority)


@pytest.mark.parametrize("intent, expected", [("CrisisIntent", '"digits">988<'),
                                              ("DistressIntent", "isn't safe")])
def test_with_the_store_down_the_safety_answer_still_comes(
    alexa_on_breakable: Alexa, breakable: Any, device: Device, intent: str, expected: str
) -> None:
    breakable.broken = True
    payload = say(alexa_on_breakable, device, intent, one_shot=True)
    assert expected in speech(payload)


def test_with_writes_refused_the_crisis_answer_still_comes(
    alexa_on_breakable: Alexa, breakable: Any, device: Device
) -> None:
    breakable.broken_saves = True
    assert '"digits">988<' in speech(say(alexa_on_breakable, device, "CrisisIntent",
                                         one_shot=True))


# --- the resource table ----------------------------------------------------------------

def test_the_resource_table_covers_every_locale_and_is_dated() -> None:
    table = safety_resources()
    assert "your local emergency number" in table["default"]["emergency"]["say"]
    for locale in RESOURCES:
        entry = table["resources"][locale]
        assert entry["emergency"]["number"] and entry["crisis"]["number"] and entry["unsafe"]


def test_the_resource_table_was_verified_within_a_year() -> None:
    """Re-verify every number with its provider and update last_verified in
    skill/content/safety.yaml before this date; the test fails once it has passed."""
    table = safety_resources()
    verified = date.fromisoformat(table["last_verified"])
    assert verified <= date.today()
    assert int(table["reverify_within_days"]) <= 365
    assert date.today() <= resources_due(), (
        f"skill/content/safety.yaml was last verified on {verified}; check every number with "
        f"its provider and update last_verified (due {resources_due()})")
    assert resources_due() == verified + timedelta(days=int(table["reverify_within_days"]))


# --- overwhelmed ------------------------------------------------------------------------

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
    house = state(store, device)
    assert house.level == 2
    assert house.withdrawals[-1].declined == "prompt"


def test_overwhelmed_ends_a_check_in(alexa: Alexa, device: Device,
                                     store: HouseholdStore) -> None:
    alexa.send(device, device.intent("StartCheckInIntent", one_shot=True))
    alexa.send(device, device.intent("AMAZON.YesIntent"))
    alexa.send(device, device.intent("OverwhelmedIntent", one_shot=True))
    assert state(store, device).checkin is None
