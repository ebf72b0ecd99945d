"""The prompt library's editorial rules (CONTENT.md; issue 10, part 4).

test_content.py checks that every prompt is valid SSML, free of banned phrasing, and opens
deeper prompts with permission and an exit. This file checks what makes the library read like
a kind person rather than a form: its size and spread over levels and categories, varied
wording, one question per prompt, short spoken length, listening nudges that come after the
answer, no grievances, pledges or clinic words, words of our own, every topic tagged, and
each locale's spelling. en-US is checked whole; a locale's replacements are checked too.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
import yaml

from skill.content import content_locales, load_content
from skill.content.ssml import escape_text, to_plain_text
from skill.conversation.clock import SettableClock
from skill.conversation.prompts import Prompt
from skill.storage import HouseholdStore, household_key
from tests.conftest import Alexa, speech
from tests.envelopes import USER_ID, Device

DATA = Path(__file__).parent / "data"
REFERENCE = load_content("en-US")
PROMPTS = REFERENCE.prompts
LOCALE_PROMPTS = [
    (locale, prompt)
    for locale in content_locales()
    for prompt in load_content(locale).prompts
    if locale == "en-US" or prompt != REFERENCE.by_id[prompt.id]
]

MIN_PROMPTS = 180
MIN_LEVEL_ONE = 50
MIN_PER_CATEGORY_LEVEL = 3
MAX_SPOKEN_WORDS = 40
MAX_STOCK_SHARE = 1 / 3
# CONTENT.md, "Categories": the levels each category is used at; each needs prompts at each.
CATEGORY_LEVELS = {
    "everyday-play": (1, 2), "our-story": (1, 2, 3), "appreciation": (1, 2, 3),
    "inner-world": (1, 2, 3), "dreams-future": (1, 2, 3), "needs-care": (2, 3),
    "rituals-meaning": (2, 3), "repair-us": (3, 4), "closeness-affection": (2, 3, 4),
}
# Phrases the library leaned on before its editorial pass (issue 10): each may appear in at
# most a third of the prompts. Any other run of four words is held to the same share.
STOCK_PHRASES = ("what's one", "one of you first, then swap", "take turns",
                 "before you answer, say back what you heard")
# A prompt invites no fresh grievance, no pledge that could be quoted back in a fight, and
# no clinic words (CONTENT.md, phrasing rule 10; issue 10).
PLEDGES = ("next time", "promise", "from now on", "next disagreement", "next argument",
           "next fight", "i will", "i'll try", "i'd like to try", "commit", "going forward")
GRIEVANCES = ("far from", "let you down", "disappointed", "annoy", "bother", "went wrong",
              "your fault", "blame", "resent", "hurt you", "upset you")
CLINIC_WORDS = ("repair", "loop", "pattern", "trigger", "attachment", "love language",
                "validate", "codependen", "process your")
# The nudge talks to the listener about what to do once the other has answered.
REFLECTING = re.compile(r"say back|what you heard|gist|heart of it|give it back", re.I)
AFTER_THE_ANSWER = re.compile(r"\b(when|once|after) they", re.I)
# The phrasing rules' own formulas, which prompts must use (test_content.py), are not copies.
RULE_FORMULAS = re.compile(
    r"only if it feels right tonight|if you're both up for it|if it feels okay tonight|"
    r"or pass|passing is fine|or leave it for another night", re.I,
)
SHARED_RUN = 5
# "…, and what was that like?" asks a second question inside the first.
SECOND_QUESTION = re.compile(r", and (what|how|where|when|who|which|is|are|do|did)\b[^.?!]*\?",
                             re.I)
# Spelling and idiom per locale: words a locale's spoken prompts must not contain.
NOT_IN_LOCALE = {
    "en-US": ("favourite", "neighbour", "colour", "realise", "grey", "mum"),
    "en-CA": ("favorite", "neighbor", "color", "realise", "gray", "mum"),
    "en-GB": ("favorite", "neighbor", "color", "realize", "gray", "mom", "vacation"),
    "en-AU": ("favorite", "neighbor", "color", "realize", "gray", "mom", "vacation"),
    "en-IN": ("favorite", "neighbor", "color", "realize", "gray", "mom", "as a kid",
              "were a kid"),
}


def spoken(prompt: Prompt) -> str:
    """What Alexa says for a prompt: its words, then its nudge, as plain text."""
    parts = [prompt.text, prompt.nudge or ""]
    return to_plain_text(" ".join(escape_text(p) for p in parts if p)).replace("\u2019", "'")


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower().replace("\u2019", "'"))


def runs(text: str, size: int) -> set[tuple[str, ...]]:
    """Every run of ``size`` consecutive words in ``text``."""
    found = words(text)
    return {tuple(found[i:i + size]) for i in range(len(found) - size + 1)}


def contains(text: str, phrase: str) -> bool:
    return re.search(rf"(?<![\w']){re.escape(phrase)}(?![\w'])", text, re.I) is not None


def share(prompts: Iterable[Prompt], phrase: str) -> float:
    items = list(prompts)
    return sum(contains(spoken(p), phrase) for p in items) / len(items)


def load_lines(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def load_topic_keywords() -> dict[str, re.Pattern[str]]:
    raw: dict[str, str] = yaml.safe_load((DATA / "topic_keywords.yaml").read_text("utf-8"))
    return {topic: re.compile(r"(?<![\w'])(?:" + "|".join(w.strip() for w in keywords.split(","))
                              + r")(?![\w'])", re.I)
            for topic, keywords in raw.items()}


TOPIC_KEYWORDS = load_topic_keywords()
GUIDE_EXAMPLES = load_lines(DATA / "content_guide_examples.txt")


def missing_topics(prompt: Prompt) -> list[str]:
    """Topics whose words a prompt says without listing the topic."""
    said = spoken(prompt)
    return sorted(topic for topic, pattern in TOPIC_KEYWORDS.items()
                  if pattern.search(said) and topic not in prompt.topics)


def copied_from_guide(prompt: Prompt) -> list[str]:
    """Guide examples the prompt repeats: a whole sentence, or a run of five words."""
    own = RULE_FORMULAS.sub(" | ", spoken(prompt))
    own_runs = set().union(*(runs(part, SHARED_RUN) for part in own.split("|")))
    own_sentences = {" ".join(words(s)) for s in re.split(r"[.?!:;]", own) if words(s)}
    return [example for example in GUIDE_EXAMPLES
            if runs(example, SHARED_RUN) & own_runs
            or " ".join(words(example)) in own_sentences]


def prompt_id(case: object) -> str:
    return case.id if isinstance(case, Prompt) else str(case)


# ------------------------------------------------------------------ size and spread


def test_the_library_is_large_and_mostly_light() -> None:
    levels = Counter(p.level for p in PROMPTS)
    assert len(PROMPTS) >= MIN_PROMPTS, f"{len(PROMPTS)} prompts; at least {MIN_PROMPTS}"
    assert levels[1] >= MIN_LEVEL_ONE, f"{levels[1]} at level one; most evenings are light"
    assert levels[1] == max(levels.values()), levels


@pytest.mark.parametrize("category", sorted(CATEGORY_LEVELS))
def test_every_category_is_used_at_each_of_its_levels(category: str) -> None:
    levels = Counter(p.level for p in PROMPTS if p.category == category)
    for level in CATEGORY_LEVELS[category]:
        assert levels[level] >= MIN_PER_CATEGORY_LEVEL, f"{category} at level {level}: {levels}"
    assert set(levels) <= set(CATEGORY_LEVELS[category]), f"{category}: {levels}"


# ----------------------------------------------------------------- varied wording


@pytest.mark.parametrize("phrase", STOCK_PHRASES)
def test_no_stock_phrase_in_more_than_a_third_of_the_prompts(phrase: str) -> None:
    assert share(PROMPTS, phrase) <= MAX_STOCK_SHARE, phrase


def test_no_run_of_four_words_in_more_than_a_third_of_the_prompts() -> None:
    counts = Counter(run for p in PROMPTS for run in runs(spoken(p), 4))
    common = {" ".join(run): n for run, n in counts.items() if n > len(PROMPTS) * MAX_STOCK_SHARE}
    assert common == {}


def test_prompts_leave_turn_taking_to_the_skill() -> None:
    """The skill frames turn-taking; a prompt says it only when it must (rule 8)."""
    turn_taking = ("take turns", "taking turns", "then swap", "one of you first")
    saying_it = [p.id for p in PROMPTS if any(contains(spoken(p), t) for t in turn_taking)]
    assert len(saying_it) <= len(PROMPTS) // 10, saying_it


def test_the_stock_phrase_check_can_fail() -> None:
    stock = [Prompt(f"p{i}", 1, "everyday-play", frozenset(), "What's one song? Take turns.")
             for i in range(3)]
    assert share(stock, "what's one") == 1.0
    assert share(stock, "take turns") == 1.0


# ---------------------------------------------------------- one question, short turns


@pytest.mark.parametrize("locale, prompt", LOCALE_PROMPTS, ids=prompt_id)
def test_a_prompt_asks_one_question_and_its_nudge_none(locale: str, prompt: Prompt) -> None:
    assert prompt.text.count("?") == 1, f"{locale} {prompt.id}: ask exactly one question"
    assert not SECOND_QUESTION.search(prompt.text), f"{locale} {prompt.id}: one question, not two"
    assert "?" not in (prompt.nudge or ""), f"{locale} {prompt.id}: a nudge asks nothing"


@pytest.mark.parametrize("locale, prompt", LOCALE_PROMPTS, ids=prompt_id)
def test_prompt_and_nudge_fit_forty_spoken_words(locale: str, prompt: Prompt) -> None:
    count = len(spoken(prompt).split())
    assert count <= MAX_SPOKEN_WORDS, f"{locale} {prompt.id}: {count} words"


@pytest.mark.parametrize("locale, prompt", LOCALE_PROMPTS, ids=prompt_id)
def test_prompts_ask_what_and_when_not_why(locale: str, prompt: Prompt) -> None:
    assert not contains(spoken(prompt), "why"), f"{locale} {prompt.id}"


# ------------------------------------------------------------------ listening nudges


@pytest.mark.parametrize("level", [2, 3, 4])
def test_most_deeper_prompts_carry_a_listening_nudge(level: int) -> None:
    at_level = [p for p in PROMPTS if p.level == level]
    with_nudge = [p for p in at_level if p.nudge]
    assert len(with_nudge) > len(at_level) / 2, f"level {level}: {len(with_nudge)}/{len(at_level)}"


@pytest.mark.parametrize("locale, prompt", [c for c in LOCALE_PROMPTS if c[1].nudge],
                         ids=prompt_id)
def test_a_nudge_coaches_the_listener_after_the_answer(locale: str, prompt: Prompt) -> None:
    nudge = prompt.nudge or ""
    assert nudge.startswith("Listener"), f"{prompt.id}: address the listener"
    assert not re.search(r"before (you|they) answer", nudge, re.I), prompt.id
    if REFLECTING.search(nudge):
        assert AFTER_THE_ANSWER.search(nudge), (
            f"{prompt.id}: saying back what was heard comes once they have answered"
        )


# --------------------------------------------------- no grievance, pledge or clinic


@pytest.mark.parametrize("locale, prompt", LOCALE_PROMPTS, ids=prompt_id)
def test_no_grievance_pledge_or_clinic_words(locale: str, prompt: Prompt) -> None:
    text = to_plain_text(escape_text(prompt.text))
    said = spoken(prompt)
    assert [w for w in PLEDGES if contains(text, w)] == [], prompt.id
    assert [w for w in GRIEVANCES if contains(said, w)] == [], prompt.id
    assert [w for w in CLINIC_WORDS if re.search(rf"\b{w}", said, re.I)] == [], prompt.id


# ---------------------------------------------------------------- our own words


@pytest.mark.parametrize("locale, prompt", LOCALE_PROMPTS, ids=prompt_id)
def test_no_prompt_copies_the_content_guide(locale: str, prompt: Prompt) -> None:
    assert copied_from_guide(prompt) == [], f"{locale} {prompt.id}: write it in our own words"


def test_the_copy_check_finds_a_copied_example() -> None:
    copied = Prompt("copy", 3, "needs-care", frozenset(),
                    "Only if it feels right tonight, what does your partner do on a hard day "
                    "that makes you feel less alone? Or pass.", "Listener: is there more?")
    assert len(copied_from_guide(copied)) == 2
    assert copied_from_guide(replace(copied, text="What lifts you?", nudge=None)) == []


# -------------------------------------------------------------------------- topics


@pytest.mark.parametrize("locale, prompt", LOCALE_PROMPTS, ids=prompt_id)
def test_every_topic_a_prompt_touches_is_tagged(locale: str, prompt: Prompt) -> None:
    assert missing_topics(prompt) == [], f"{locale} {prompt.id}: add these topics"


def test_the_topic_check_catches_a_missing_tag() -> None:
    untagged = Prompt("u", 2, "our-story", frozenset({"family"}),
                      "What did your mum spend money on when you lost your job?")
    assert missing_topics(untagged) == ["loss", "money", "work"]


def test_every_boundary_topic_filters_some_prompts() -> None:
    tagged = Counter(topic for p in PROMPTS for topic in p.topics)
    assert {topic: tagged[topic] for topic in TOPIC_KEYWORDS if tagged[topic] < 1} == {}


def test_closeness_prompts_are_tagged_intimacy() -> None:
    closeness = [p for p in PROMPTS if p.category == "closeness-affection"]
    assert [p.id for p in closeness if "intimacy" not in p.topics] == []


# --------------------------------------------------------------------- per locale


@pytest.mark.parametrize("locale", sorted(NOT_IN_LOCALE))
def test_each_locale_speaks_its_own_spelling(locale: str) -> None:
    wrong = {p.id: w for p in load_content(locale).prompts for w in NOT_IN_LOCALE[locale]
             if contains(spoken(p), w)}
    assert wrong == {}, f"{locale}: add replacements in skill/content/{locale}/prompts.yaml"


# ------------------------------------------------- ids that left the library (endpoint)


def test_a_prompt_id_that_left_the_library_is_skipped_gracefully(
    alexa: Alexa, device: Device, store: HouseholdStore, clock: SettableClock
) -> None:
    """History and withdrawals may name prompts the library no longer has."""
    alexa.send(device, device.intent("TonightsPromptIntent", one_shot=True))
    alexa.send(device, device.intent("NotNowIntent", one_shot=True))
    key = household_key(USER_ID)
    document = store.load(key)
    gone = "a-prompt-that-left-the-library"
    for use in document["history"]:
        use["id"] = gone
    for event in document["events"]:
        if event.get("data", {}).get("ref"):
            event["data"]["ref"] = gone
    store.save(key, document)
    assert gone in json.dumps(store.load(key))

    clock.advance(timedelta(days=1))
    payload = alexa.send(device, device.intent("TonightsPromptIntent", one_shot=True))
    said = to_plain_text(speech(payload))
    assert any(to_plain_text(escape_text(p.text)) in said for p in PROMPTS), said
    for intent in ("AnotherPromptIntent", "WhatDoYouRememberIntent"):
        payload = alexa.send(device, device.intent(intent, one_shot=True))
        assert to_plain_text(speech(payload)).strip(), intent
