"""Short turns (CONTENT.md, "Turn length"): every composed turn, every variant, every locale.

Words are counted as Alexa speaks them, SSML stripped. A turn is what one response says:
often several lines joined (an intro, a prompt and a hint; a check-in step and how to go
on; a read-back). Each line key has a kind; a line that only ever appears inside a
composed turn is a part, and the composed turns are checked whole.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime, time
from typing import Any

import pytest

from skill.content import Content, content_locales, load_content
from skill.content.limits import PROMPT_AND_NUDGE_WORDS, WORD_LIMITS, TurnKind, spoken_words
from skill.content.ssml import escape_text
from skill.conversation.boundaries import Boundaries, QuietHours
from skill.conversation.prompts import Prompt
from skill.conversation.state import CONFIRMATIONS, CheckInStep
from skill.handlers.boundaries import describe
from skill.handlers.builtins import OFFER_REPROMPTS
from skill.handlers.checkin import STEP_LINES
from skill.handlers.common import prompt_ssml, prompt_turn

A = TurnKind.ACKNOWLEDGEMENT
OT = TurnKind.OTHER
PART = None
"""Only ever said inside a composed turn, which is checked whole below."""

LINE_KINDS: dict[str, TurnKind | None] = {
    "welcome_first": PART, "welcome_first_offer": PART, "first_run_notice": PART,
    "welcome_first_quiet": TurnKind.WELCOME,
    "welcome_back": OT, "welcome_quiet": OT, "welcome_quiet_reprompt": OT, "offer_deeper": OT,
    "offer_reprompt": OT, "hearth_first_yes": OT, "hearth_second_yes": OT, "hearth_reprompt": OT,
    "prompt_intro": PART, "prompt_again_intro": PART, "another_intro": PART,
    "gentler_intro": PART, "deeper_intro": PART, "hearth_intro": PART, "prompt_hint": PART,
    "no_prompt_left": OT, "already_deeper_tonight": OT, "deepest_already": OT,
    "not_now": A, "not_now_after_deep": A, "misstep": A, "breather": A, "warm_close": A,
    "paused": OT, "resumed": OT, "not_paused": OT,
    "help": TurnKind.HELP, "help_checkin": TurnKind.HELP, "help_offer": PART,
    "help_confirm": PART, "help_reprompt": OT,
    "fallback": OT, "fallback_reprompt": OT, "no_thanks": A, "goodbye": A, "error": OT,
    "store_unavailable": OT, "card_title": OT, "deeper_limit": OT, "quiet_hours_decline": OT,
    "welcome_checkin": OT, "checkin_resume_reprompt": OT, "offer_revisit": OT,
    "crisis_open_danger": PART, "crisis_open_abuse": PART, "crisis_open_self_harm": PART,
    "crisis_open_support": PART, "crisis_number_question": PART, "crisis_number_again": PART,
    "crisis_number_reprompt": OT, "crisis_goodbye": A, "distress": PART, "overwhelmed": OT,
    "fallback_after_prompt": OT, "fallback_after_prompt_reprompt": OT, "fallback_checkin": OT,
    "fallback_checkin_reprompt": OT, "fallback_quiet": OT, "fallback_quiet_reprompt": OT,
    "repeat_nothing": OT, "checkin_weather_ask": OT, "checkin_weather_ask_reprompt": OT,
    "weather_own_word": PART,
    "checkin_permission": PART, "checkin_permission_reprompt": OT,
    "checkin_appreciation": PART, "checkin_weather": PART,
    "checkin_shifted": PART, "checkin_tense_moment": PART, "checkin_what_helped": PART,
    "checkin_next_week": PART, "checkin_close": PART, "checkin_next_hint": PART,
    "checkin_none": OT, "checkin_skipped": PART, "checkin_stormy": OT,
    "checkin_stormy_reprompt": OT, "weather_heard": PART, "weather_outside_checkin": OT,
    "weather_remembered": OT, "reminder_offer": PART, "reminder_text": OT, "reminder_set": OT,
    "reminder_failed": OT, "reminder_none": OT, "reminder_delete_failed": OT,
    "reminder_stopped": A, "reminder_permission_denied": OT, "reminder_not_answered": A,
    "reminder_permission_granted": OT,
    "boundary_changed": PART, "boundary_not_set": PART,
    "boundaries_intro": PART, "boundaries_none": OT, "boundary_topics": PART,
    "boundary_quiet_none": PART, "boundary_quiet_gentle": PART, "boundary_weeknights": PART,
    "boundary_ceiling": PART, "boundary_no_cards": PART, "depth_light": PART,
    "depth_stories": PART, "depth_feelings": PART, "depth_deepest": PART,
    "boundary_unclear": OT, "boundary_unknown_topic": OT, "boundary_partly_unknown": PART,
    "boundaries_change": PART, "remove_all_confirm": OT, "remove_all_reprompt": OT,
    "remove_all_done": OT, "remove_all_kept": A,
    "remember_intro": PART, "remember_level": PART, "remember_history": PART,
    "remember_paused": PART, "remember_withdrawals": PART, "remember_checkins": PART,
    "remember_reminder": PART, "remember_weather_words": PART, "remember_close": PART,
    "forget_confirm": OT, "forget_reprompt": OT, "forget_kept": A, "forget_done": OT,
    "remember_zone": PART, "remember_people": PART, "boundary_closeness": PART,
    "closeness_first_yes": OT, "other_partner": OT, "greeting_named": PART,
}
INTRO_KEYS = ("prompt_intro", "prompt_again_intro", "another_intro", "gentler_intro",
              "deeper_intro", "hearth_intro")
SAMPLE_VALUES = {"until": "Wednesday, December 10", "when": "Sundays at 7 p.m.",
                 "topics": "money", "time": "10 p.m.", "depth": "stories and mild feelings",
                 "since": "November 3", "emergency": "nine one one",
                 "person_id": "amzn1.ask.person.EXAMPLE"}
LOCALES = content_locales()


def words(text: str) -> int:
    return spoken_words(text)


def variants(content: Content, key: str) -> tuple[str, ...]:
    """Every variant of a line, its placeholders filled with sample values."""
    return tuple(v.format_map({k: escape_text(x) for k, x in SAMPLE_VALUES.items()})
                 for v in content.lines[key])


def longest(content: Content, key: str) -> str:
    return max(variants(content, key), key=words)


class LongestLines:
    """Stands in for a Turn where code composes lines: always the longest variant."""

    def __init__(self, content: Content) -> None:
        self.content = content

    def line(self, key: str, **values: str) -> str:
        longest_variant = max(self.content.lines[key], key=words)
        return longest_variant.format_map({k: escape_text(v) for k, v in values.items()})


def worst_prompt(level: int = 1) -> Prompt:
    """A prompt and nudge together at the library's limit (the library keeps to it)."""
    text = " ".join(["word"] * (PROMPT_AND_NUDGE_WORDS - 5)) + "?"
    return Prompt(id="worst-case", level=level, category="our-story", topics=frozenset(),
                  text=text, nudge="Say back what you heard.")


def composed_turns(content: Content) -> Iterator[tuple[str, TurnKind, str]]:
    """(what, kind, speech) for every turn the code composes from several lines."""
    for welcome, offer in itertools.product(variants(content, "welcome_first"),
                                            variants(content, "welcome_first_offer")):
        yield "first-run welcome with its offer", TurnKind.WELCOME, welcome + " " + offer
    yield from prompt_turns(content)
    yield from help_turns(content)
    yield from checkin_turns(content)
    yield from read_backs(content)
    yield from safety_turns(content)


def safety_turns(content: Content) -> Iterator[tuple[str, TurnKind, str]]:
    """The crisis answer for each concern (every opener), the number again, and the distress
    answer, with the locale's own resources (or the default for a locale without them)."""
    from skill.conversation.safety_screen import Concern
    from skill.handlers.safety import resource_sentence, unsafe_line

    openers = {Concern.DANGER: "crisis_open_danger", Concern.ABUSE: "crisis_open_abuse",
               Concern.SELF_HARM: "crisis_open_self_harm", Concern.SUPPORT: "crisis_open_support"}
    question = longest(content, "crisis_number_question")
    for concern, key in openers.items():
        sentence, _ = resource_sentence(content.locale, concern)
        for opener in variants(content, key):
            yield f"crisis answer ({concern})", TurnKind.CRISIS, f"{opener} {sentence} {question}"
        again = [longest(content, "crisis_number_again"), sentence,
                 longest(content, "crisis_goodbye")]
        yield f"the number again ({concern})", TurnKind.CRISIS, " ".join(again)
    for line in variants(content, "distress"):
        yield "distress answer", TurnKind.OTHER, f"{line} {unsafe_line(content.locale)}"


def prompt_turns(content: Content) -> Iterator[tuple[str, TurnKind, str]]:
    prompt = prompt_ssml(worst_prompt())
    for intro_key in INTRO_KEYS:
        for intro, notice, hint in itertools.product(
                variants(content, intro_key), ("", *variants(content, "first_run_notice")),
                ("", *variants(content, "prompt_hint"))):
            speech = prompt_turn(prompt, notice=notice, intro=intro, hint=hint)
            yield f"{intro_key} + a 40-word prompt", TurnKind.PROMPT, speech


def help_turns(content: Content) -> Iterator[tuple[str, TurnKind, str]]:
    for offer, reprompt_key in OFFER_REPROMPTS.items():
        how = "help_confirm" if offer in CONFIRMATIONS else "help_offer"
        for first, question in itertools.product(variants(content, how),
                                                 variants(content, reprompt_key)):
            yield f"help with {offer} pending", TurnKind.HELP, first + " " + question


def checkin_turns(content: Content) -> Iterator[tuple[str, TurnKind, str]]:
    hint = longest(content, "checkin_next_hint")
    intros = ("", longest(content, "checkin_skipped"), longest(content, "weather_heard"),
              longest(content, "weather_own_word"))
    for step, key in STEP_LINES.items():
        for intro, line in itertools.product(intros, variants(content, key)):
            if step is CheckInStep.CLOSE:
                speech = intro + line + " " + longest(content, "reminder_offer")
            elif step is CheckInStep.PERMISSION:
                speech = line
            else:
                speech = intro + line + hint
            yield f"check-in step {step}", TurnKind.OTHER, speech


def read_backs(content: Content) -> Iterator[tuple[str, TurnKind, str]]:
    """Boundary read-backs for a couple with a topic, quiet hours and a depth limit."""
    turn: Any = LongestLines(content)
    agreed = Boundaries(off_limits=frozenset({"money"}),
                        quiet=QuietHours(time(22), gentle_level=2), ceiling=3,
                        changed_at=datetime(2026, 11, 1, tzinfo=UTC))
    said = describe(turn, agreed)
    for key in ("boundary_changed", "boundary_not_set", "boundaries_intro"):
        yield f"{key} and the read-back", TurnKind.OTHER, turn.line(key) + " " + said
    yield ("read-back with a topic that has no tag", TurnKind.OTHER,
           turn.line("boundary_changed") + " " + describe(turn, Boundaries(
               off_limits=frozenset({"money"}))) + " " + turn.line("boundary_partly_unknown"))
    yield ("change our boundaries", TurnKind.OTHER,
           said + " " + turn.line("boundaries_change"))
    remember = " ".join(turn.line(key, **SAMPLE_VALUES) for key in (
        "remember_intro", "remember_level", "remember_history", "remember_close"))
    yield "what do you remember, after a few prompts", TurnKind.OTHER, remember


def single_lines(content: Content) -> Iterator[tuple[str, TurnKind, str]]:
    for key, kind in LINE_KINDS.items():
        if kind is not None and key in content.lines:
            for index, text in enumerate(variants(content, key)):
                yield f"{key}[{index}]", kind, text


def cases() -> list[tuple[str, str, TurnKind, str]]:
    found = []
    for locale in LOCALES:
        content = load_content(locale)
        found += [(locale, what, kind, speech) for what, kind, speech in single_lines(content)]
        found += [(locale, what, kind, speech) for what, kind, speech in
                  composed_turns(content)]
    return found


CASES = cases()


@pytest.mark.parametrize("locale, what, kind, speech", CASES,
                         ids=[f"{c[0]}:{c[1]}" for c in CASES])
def test_every_turn_fits_its_word_limit(locale: str, what: str, kind: TurnKind,
                                        speech: str) -> None:
    assert words(speech) <= WORD_LIMITS[kind], (
        f"{locale} {what} ({kind}): {words(speech)} words, limit {WORD_LIMITS[kind]}: {speech}")


def test_every_line_has_a_kind() -> None:
    for locale in LOCALES:
        unknown = set(load_content(locale).lines) - set(LINE_KINDS)
        assert unknown == set(), f"{locale}: give these lines a kind in LINE_KINDS: {unknown}"


@pytest.mark.parametrize("locale", LOCALES)
def test_real_prompts_within_the_library_limit_fit_a_prompt_turn(locale: str) -> None:
    """Over the real library, with the first-run notice, the longest intro and the hint."""
    content = load_content(locale)
    notice = longest(content, "first_run_notice")
    intro = max((longest(content, key) for key in INTRO_KEYS), key=words)
    hint = longest(content, "prompt_hint")
    fitting = [p for p in content.prompts if words(prompt_ssml(p)) <= PROMPT_AND_NUDGE_WORDS]
    assert fitting
    for prompt in fitting:
        for first_run in ("", notice):
            speech = prompt_turn(prompt_ssml(prompt), notice=first_run, intro=intro, hint=hint)
            assert words(speech) <= WORD_LIMITS[TurnKind.PROMPT], (prompt.id, speech)


@pytest.mark.parametrize("locale", LOCALES)
def test_words_add_up_over_the_parts_of_a_prompt_turn(locale: str) -> None:
    """``prompt_turn`` counts each part once and adds them up: the same count as the
    joined turn's, for every real prompt with every intro, notice and hint variant."""
    content = load_content(locale)
    parts = [variant for key in (*INTRO_KEYS, "first_run_notice", "prompt_hint")
             for variant in content.lines[key]]
    for prompt in content.prompts:
        speech = prompt_ssml(prompt)
        for part in parts:
            assert words(f"{part} {speech}") == words(part) + words(speech), (prompt.id, part)


def test_a_prompt_turn_gives_way_in_order_hint_then_intro() -> None:
    prompt = prompt_ssml(worst_prompt())
    short = prompt_ssml(Prompt("short", 1, "our-story", frozenset(), "What made you smile?"))
    notice, intro, hint = "Welcome. Not now works any time.", "Here's one.", "Say another one."
    assert prompt_turn(short, notice=notice, intro=intro, hint=hint).endswith(hint)
    long_notice = " ".join(["welcome"] * 14)
    without_hint = prompt_turn(prompt, notice="", intro=intro, hint=hint + " " * 3 + "x " * 12)
    assert "x" not in without_hint and intro in without_hint
    assert intro not in prompt_turn(prompt, notice=long_notice, intro=intro, hint=hint)
    assert long_notice in prompt_turn(prompt, notice=long_notice, intro=intro, hint=hint)


def test_no_line_doubles_its_full_stop() -> None:
    """ "No prompts after 10 p.m.." read back a doubled stop; times and dates end in one."""
    for locale in LOCALES:
        for key in load_content(locale).lines:
            for text in variants(load_content(locale), key):
                assert ".." not in text.replace("...", ""), f"{locale} {key}: {text}"


def test_level_names_are_not_spoken_alone() -> None:
    """Porch, Open door, Living room and Hearth only with their meaning (PRODUCT.md 2)."""
    names = ("Porch prompts", "Open door", "Living room", "Hearth")
    for locale in LOCALES:
        for key in load_content(locale).lines:
            for text in variants(load_content(locale), key):
                assert not any(name in text for name in names), f"{locale} {key}: {text}"
