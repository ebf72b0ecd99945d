"""Content tests: every word Porch Light can say follows CONTENT.md and is valid Alexa SSML.

These iterate over every prompt and every variant of every spoken line, not only the
variant a seed happens to pick, so a broken line cannot hide behind the rotation. en-US is
checked whole; every other content locale is checked for what it says differently (its
overridden lines and replaced prompts), since everything else is en-US's.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from skill.content import Content, content_locales, load_content, placeholders
from skill.content.ssml import escape_text, ssml_errors, to_plain_text
from skill.conversation.prompts import Prompt
from skill.handlers.common import prompt_ssml, prompt_turn

ROOT = Path(__file__).resolve().parent.parent
SKILL_SOURCES = ROOT / "skill"
BANNED_PHRASES_FILE = Path(__file__).parent / "data" / "banned_phrases.txt"

REFERENCE = "en-US"
CONTENT = load_content(REFERENCE)
PROMPTS = CONTENT.prompts
LINES = CONTENT.lines
LOCALES = content_locales()
CONTENTS: dict[str, Content] = {locale: load_content(locale) for locale in LOCALES}
INTRO_KEYS = ("prompt_intro", "prompt_again_intro", "another_intro", "gentler_intro",
              "deeper_intro", "hearth_intro")

# CONTENT.md, "Categories": the depth levels each category may be used at.
CATEGORY_LEVELS: dict[str, range] = {
    "everyday-play": range(1, 3),
    "our-story": range(1, 4),
    "appreciation": range(1, 4),
    "inner-world": range(1, 4),
    "dreams-future": range(1, 4),
    "needs-care": range(2, 4),
    "rituals-meaning": range(2, 4),
    "repair-us": range(3, 5),
    "closeness-affection": range(2, 5),
}
# CONTENT.md, "Topics for boundaries".
TOPICS = frozenset({
    "family", "money", "work", "health", "body", "intimacy", "past-relationships", "conflict",
    "parenting", "faith", "friends", "future", "in-laws", "loss",
})
MIN_PROMPTS_PER_LEVEL = {1: 25, 2: 25, 3: 25, 4: 15}
MIN_PROMPTS = 120
MIN_CATEGORIES = 7
MAX_WORDS = 45

# Phrasing rules 1 and 2 for levels 3-4: the maintained list of accepted openings that ask
# permission, and of exits offered inside the prompt. Extend these when new wording is
# reviewed; a prompt that fits neither list must be rewritten or the list argued for.
PERMISSION_OPENERS = (
    "Only if it feels right tonight,",
    "If you're both up for it,",
    "If it feels okay tonight,",
)
EXIT_PHRASES = (
    "or pass",
    "passing is fine",
    "or leave it for another night",
)

# A sample value for every placeholder any spoken line uses; the characters are ones
# SSML needs escaped, so a line that forgets escaping fails here.
SAMPLE_VALUES = {
    "until": "Friday, December 5 & <after> \"then\"",
    "emergency": "nine one one",
    "when": "Sundays at 7 p.m.",
    "topics": "money, in laws",
    "time": "10 p.m.",
    "depth": "stories and mild feelings",
    "since": "November 3",
    "person_id": "amzn1.ask.person.A&\"B",
}

KEBAB_CASE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def prompt_id(prompt: Prompt) -> str:
    return prompt.id


def own_prompts(locale: str) -> list[Prompt]:
    """The prompts a locale says in its own words: all of en-US's, or a locale's replacements."""
    prompts = CONTENTS[locale].prompts
    if locale == REFERENCE:
        return list(prompts)
    return [p for p in prompts if p != CONTENT.by_id[p.id]]


def own_lines(locale: str) -> dict[str, tuple[str, ...]]:
    """The lines a locale says in its own words: all of en-US's, or a locale's overrides."""
    lines = CONTENTS[locale].lines
    return {key: variants for key, variants in lines.items()
            if locale == REFERENCE or variants != LINES.get(key)}


LOCALE_PROMPTS = [(locale, prompt) for locale in LOCALES for prompt in own_prompts(locale)]


def locale_prompt_id(case: object) -> str:
    if isinstance(case, Prompt):
        return case.id
    return str(case)


def all_line_variants() -> list[tuple[str, str, int, str]]:
    return [
        (locale, key, index, variant)
        for locale in LOCALES
        for key, variants in own_lines(locale).items()
        for index, variant in enumerate(variants)
    ]


def line_id(case: tuple[str, str, int, str]) -> str:
    return f"{case[0]}:{case[1]}[{case[2]}]"


def whole_deliveries() -> list[tuple[str, Prompt]]:
    """(locale, prompt) whose whole delivery a locale words differently from en-US."""
    cases = []
    for locale in LOCALES:
        own = own_lines(locale)
        rewords_delivery = any(key in own for key in (*INTRO_KEYS, "prompt_hint",
                                                      "first_run_notice"))
        prompts = CONTENTS[locale].prompts if rewords_delivery else own_prompts(locale)
        cases += [(locale, prompt) for prompt in prompts]
    return cases


def filled(template: str) -> str:
    """A line variant with its placeholders filled as ``Content.line`` fills them."""
    return template.format_map({
        name: escape_text(SAMPLE_VALUES[name]) for name in placeholders(template)
    })


def load_banned_phrases() -> list[str]:
    text = BANNED_PHRASES_FILE.read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


BANNED_PHRASES = load_banned_phrases()


def banned_phrases_in(text: str) -> list[str]:
    """The banned phrases ``text`` contains: case-insensitive, on word boundaries."""
    plain = to_plain_text(text).replace("\u2019", "'").replace("\u2018", "'")
    return [
        phrase for phrase in BANNED_PHRASES
        if re.search(rf"(?<![\w']){re.escape(phrase)}(?![\w'])", plain, re.IGNORECASE)
    ]


def everything_spoken() -> list[tuple[str, str]]:
    """(where, text) for every prompt, nudge and spoken-line variant, in every locale."""
    spoken = [(f"{locale} prompt {p.id}", p.text) for locale, p in LOCALE_PROMPTS]
    spoken += [(f"{locale} nudge of {p.id}", p.nudge) for locale, p in LOCALE_PROMPTS if p.nudge]
    spoken += [(f"{locale} line {key}[{i}]", filled(v))
               for locale, key, i, v in all_line_variants()]
    return spoken


# ----------------------------------------------------------------------------- SSML


@pytest.mark.parametrize("locale, prompt", LOCALE_PROMPTS, ids=locale_prompt_id)
def test_prompt_text_nudge_and_delivery_are_valid_ssml(locale: str, prompt: Prompt) -> None:
    assert ssml_errors(escape_text(prompt.text)) == []
    if prompt.nudge:
        assert ssml_errors(escape_text(prompt.nudge)) == []
    assert ssml_errors(prompt_ssml(prompt)) == []


@pytest.mark.parametrize("locale, prompt", whole_deliveries(), ids=locale_prompt_id)
def test_a_whole_prompt_delivery_is_valid_ssml(locale: str, prompt: Prompt) -> None:
    lines = CONTENTS[locale].lines
    for intro in INTRO_KEYS:
        for intro_variant in lines[intro]:
            for hint in lines["prompt_hint"]:
                for notice in ("", *lines["first_run_notice"]):
                    speech = prompt_turn(prompt_ssml(prompt), notice=notice,
                                         intro=intro_variant, hint=hint)
                    assert ssml_errors(speech) == [], (intro, speech)


@pytest.mark.parametrize("case", all_line_variants(), ids=line_id)
def test_every_line_variant_is_valid_ssml(case: tuple[str, str, int, str]) -> None:
    _, key, _, variant = case
    assert variant.strip(), f"{key} has an empty variant"
    assert ssml_errors(filled(variant)) == []


def test_every_placeholder_has_a_sample_value() -> None:
    used = {name for *_, variant in all_line_variants() for name in placeholders(variant)}
    assert used <= SAMPLE_VALUES.keys(), f"add sample values for {used - SAMPLE_VALUES.keys()}"


@pytest.mark.parametrize("locale", LOCALES)
def test_variants_of_a_line_share_the_same_placeholders(locale: str) -> None:
    for key, variants in CONTENTS[locale].lines.items():
        names = {frozenset(placeholders(v)) for v in variants}
        assert len(names) == 1, f"{locale} {key}: variants disagree on placeholders {names}"


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("seed", ["", "a", "b", "c", "d", "e", "f", "g"])
def test_content_line_escapes_placeholder_values(seed: str, locale: str) -> None:
    speech = CONTENTS[locale].line("paused", seed, until=SAMPLE_VALUES["until"])
    assert ssml_errors(speech) == []
    assert "Friday, December 5 & <after>" in to_plain_text(speech)


def test_ssml_checker_rejects_what_alexa_rejects() -> None:
    """The checker these tests rely on can fail."""
    assert ssml_errors("Tom & Jerry") != []
    assert ssml_errors("<b>bold</b>") != []
    assert ssml_errors('<break time="soon"/>') != []
    assert ssml_errors('<prosody rate="92%">fine</prosody>') == []
    assert ssml_errors('<break time="11s"/>') != []
    assert ssml_errors('<break time="12000ms"/>') != []
    assert ssml_errors('<break time="10s"/><break time="1.5s"/><break strength="weak"/>') == []


# -------------------------------------------------------------------------- prompts


@pytest.mark.parametrize("locale, prompt", LOCALE_PROMPTS, ids=locale_prompt_id)
def test_prompt_follows_the_phrasing_rules(locale: str, prompt: Prompt) -> None:
    words = len(prompt.text.split())
    assert words <= MAX_WORDS, f"{prompt.id} has {words} words"
    for text in filter(None, (prompt.text, prompt.nudge)):
        assert not re.search(r"[()\[\]]", text), f"{prompt.id}: no parentheses in speech"
        assert not re.search(r"\d", text), f"{prompt.id}: write numbers as words"


@pytest.mark.parametrize("locale", LOCALES)
def test_prompt_ids_are_unique_and_kebab_case(locale: str) -> None:
    prompts = CONTENTS[locale].prompts
    counts = Counter(p.id for p in prompts)
    assert [i for i, n in counts.items() if n > 1] == []
    assert [p.id for p in prompts if not KEBAB_CASE.fullmatch(p.id)] == []


@pytest.mark.parametrize("locale", LOCALES)
def test_library_is_deep_and_wide_enough(locale: str) -> None:
    prompts = CONTENTS[locale].prompts
    per_level = Counter(p.level for p in prompts)
    for level, minimum in MIN_PROMPTS_PER_LEVEL.items():
        assert per_level[level] >= minimum, f"level {level}: {per_level[level]} < {minimum}"
    assert set(per_level) <= set(MIN_PROMPTS_PER_LEVEL), "levels are 1-4"
    assert len(prompts) >= MIN_PROMPTS
    assert len({p.category for p in prompts}) >= MIN_CATEGORIES


@pytest.mark.parametrize("locale, prompt", LOCALE_PROMPTS, ids=locale_prompt_id)
def test_prompt_category_and_topics_are_known_and_allowed(locale: str, prompt: Prompt) -> None:
    assert prompt.category in CATEGORY_LEVELS, f"{prompt.id}: unknown {prompt.category}"
    assert prompt.level in CATEGORY_LEVELS[prompt.category], (
        f"{prompt.id}: {prompt.category} is not used at level {prompt.level}"
    )
    assert prompt.topics <= TOPICS, f"{prompt.id}: unknown topics {prompt.topics - TOPICS}"


@pytest.mark.parametrize("locale, prompt", [(locale, p) for locale, p in LOCALE_PROMPTS
                                            if p.level >= 3], ids=locale_prompt_id)
def test_deeper_prompts_ask_permission_and_offer_an_exit(locale: str, prompt: Prompt) -> None:
    assert prompt.text.startswith(PERMISSION_OPENERS), (
        f"{prompt.id}: open with permission, e.g. {PERMISSION_OPENERS[0]!r}"
    )
    lowered = prompt.text.lower()
    assert any(exit_phrase in lowered for exit_phrase in EXIT_PHRASES), (
        f"{prompt.id}: offer the exit inside the prompt, e.g. {EXIT_PHRASES[0]!r}"
    )


# ---------------------------------------------------------------- banned phrasing


def test_banned_phrase_list_keeps_the_core_rules() -> None:
    core = {
        "if you loved me", "you should have", "prove", "why didn't you", "why don't you",
        "always", "never", "are you sure", "you missed", "streak", "you haven't",
        "great answer", "what does your partner do wrong", "other couples",
    }
    listed = {phrase.lower() for phrase in BANNED_PHRASES}
    assert core <= listed, f"restore {core - listed} to {BANNED_PHRASES_FILE.name}"
    assert len(listed) == len(BANNED_PHRASES), "a phrase is listed twice"


def test_banned_phrase_matching_is_on_word_boundaries() -> None:
    assert banned_phrases_in("You ALWAYS say that.") == ["always"]
    assert banned_phrases_in("Are you <break time=\"1s\"/> sure? Why didn\u2019t you") == [
        "why didn't you", "are you sure",
    ]
    assert banned_phrases_in("What would improve your week? Nevertheless, hello.") == []


@pytest.mark.parametrize("where, text", everything_spoken(), ids=lambda v: str(v)[:60])
def test_nothing_spoken_uses_banned_phrasing(where: str, text: str) -> None:
    assert banned_phrases_in(text) == [], where


# ------------------------------------------------------------------- spoken lines


def source_files() -> list[Path]:
    return sorted(SKILL_SOURCES.rglob("*.py"))


LINE_CALL = re.compile(
    r"""\.line\(\s*["'](?P<key>\w+)["'](?:\s+if\s+[^"']+\s+else\s+["'](?P<other>\w+)["'])?"""
)
INTRO_ARGUMENT = re.compile(
    r"""\b(?:deliver_prompt|speak_new_prompt|read_back)\([^()]*?["'](\w+)["']"""
)


from skill.handlers.boundaries import DEPTH_LINES  # noqa: E402  (depths name their lines)
from skill.handlers.checkin import STEP_LINES  # noqa: E402  (check-in steps name their lines)


def line_keys_used_in_code() -> dict[str, list[str]]:
    """Line keys the code asks for: ``.line("key")`` calls and intro keys handed on."""
    used: dict[str, list[str]] = {}
    for path in source_files():
        source = path.read_text(encoding="utf-8")
        keys = [k for m in LINE_CALL.finditer(source) for k in m.group("key", "other") if k]
        keys += INTRO_ARGUMENT.findall(source)
        if path.name == "checkin.py" and "STEP_LINES" in source:
            keys += list(STEP_LINES.values())
        if path.name == "boundaries.py" and "DEPTH_LINES" in source:
            keys += list(DEPTH_LINES.values())
        for key in keys:
            used.setdefault(key, []).append(str(path.relative_to(ROOT)))
    return used


def test_every_line_the_code_asks_for_exists() -> None:
    used = line_keys_used_in_code()
    assert used, "the scan found no .line(...) calls; update the pattern"
    missing = {key: files for key, files in used.items() if key not in LINES}
    assert missing == {}


def test_every_line_is_used_by_some_code() -> None:
    dead = sorted(set(LINES) - set(line_keys_used_in_code()))
    assert dead == [], (
        "lines.yaml keys no code asks for: remove them, or teach line_keys_used_in_code() "
        "the new way the code names them"
    )


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("key", ["not_now", "not_now_after_deep"])
def test_not_now_is_rotated_and_asks_nothing(key: str, locale: str) -> None:
    variants = CONTENTS[locale].lines[key]
    assert len(variants) >= 2
    assert len(set(variants)) == len(variants)
    for variant in variants:
        assert "?" not in variant, variant
        assert len(to_plain_text(variant).split()) <= 12, f"keep it short: {variant}"


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("key", ["welcome_first", "help"])
def test_welcome_and_help_say_not_now_works(key: str, locale: str) -> None:
    for variant in CONTENTS[locale].lines[key]:
        assert "not now" in to_plain_text(variant).lower(), variant

