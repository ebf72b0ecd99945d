"""`porchlight model check`: our models pass; broken ones fail saying what to fix."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import interaction_model
from interaction_model.checks import Problem, Severity
from interaction_model.validate import Report, check_files, default_paths, handler_intents
from skill.cli import main

Mutation = Callable[[dict[str, Any]], None]


@pytest.fixture(scope="module")
def handled() -> frozenset[str]:
    return handler_intents()


def language(model: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = model["interactionModel"]["languageModel"]
    return result


def intent(model: dict[str, Any], name: str) -> dict[str, Any]:
    return next(i for i in language(model)["intents"] if i["name"] == name)


def write(folder: Path, model: Any, name: str = "en-US.json") -> Path:
    path = folder / name
    path.write_text(model if isinstance(model, str) else json.dumps(model), encoding="utf-8")
    return path


def check_mutated(tmp_path: Path, handled: frozenset[str], mutate: Mutation) -> Report:
    model = copy.deepcopy(interaction_model.load_model("en-US"))
    mutate(model)
    return check_files([write(tmp_path, model)], handled)


def messages(report: Report, severity: Severity = Severity.ERROR) -> list[str]:
    return [str(p) for p in report.problems if p.severity is severity]


def test_the_packaged_models_pass(handled: frozenset[str]) -> None:
    report = check_files(default_paths(), handled)
    assert report.problems == []
    assert {f.locale for f in report.files} == set(interaction_model.locales())


def test_the_skill_answers_the_model_intents(handled: frozenset[str]) -> None:
    assert handled == interaction_model.intent_names("en-US")


def test_a_problem_names_file_intent_and_sample() -> None:
    problem = Problem("en-US.json", "spell it out", "PauseIntent", "pause for 2 weeks")
    assert str(problem) == ('error: en-US.json, intent PauseIntent, sample "pause for 2 weeks": '
                            "spell it out")


def add_samples(name: str, *samples: str) -> Mutation:
    return lambda model: intent(model, name)["samples"].extend(samples)


def set_invocation(name: str) -> Mutation:
    return lambda model: language(model).__setitem__("invocationName", name)


def add_intent(raw: dict[str, Any]) -> Mutation:
    return lambda model: language(model)["intents"].append(raw)


def add_type(raw: dict[str, Any]) -> Mutation:
    return lambda model: language(model)["types"].append(raw)


def remove_intent(name: str) -> Mutation:
    def mutate(model: dict[str, Any]) -> None:
        language(model)["intents"] = [i for i in language(model)["intents"] if i["name"] != name]
    return mutate


def pause_slot(**changes: Any) -> Mutation:
    return lambda model: intent(model, "PauseIntent")["slots"][0].update(changes)


TOPIC = {"name": "TopicType", "values": [{"id": "MONEY", "name": {"value": "money"}}]}

# (mutation, a text the error must contain)
BROKEN: dict[str, tuple[Mutation, str]] = {
    "undeclared slot": (add_samples("PauseIntent", "pause for {length}"),
                        'intent PauseIntent, sample "pause for {length}": the slot {length} is '
                        'not declared on PauseIntent; declare it under "slots" or use a '
                        "declared one ({duration})"),
    "unbalanced brace": (add_samples("PauseIntent", "pause for {duration"),
                         "unbalanced braces: write slots as {name}"),
    "slot twice": (add_samples("PauseIntent", "pause {duration} for {duration}"),
                   "the slot {duration} appears twice"),
    "digits": (add_samples("PauseIntent", "pause for 2 weeks"),
               'sample "pause for 2 weeks": spell numbers out in words'),
    "uppercase": (add_samples("GentlerIntent", "Gentler Now"),
                  'write samples in lowercase: "gentler now"'),
    "punctuation": (add_samples("GentlerIntent", "gentler, please!"),
                    "remove ! ,"),
    "spaces": (add_samples("GentlerIntent", "gentler  now"),
               "remove leading, trailing or double spaces"),
    "empty sample": (add_samples("GentlerIntent", " "), "a sample is empty"),
    "too long": (add_samples("GentlerIntent", "gentler " * 30),
                 "samples are at most 200 characters"),
    "duplicate within": (add_samples("GentlerIntent", "keep it light"),
                         'intent GentlerIntent, sample "keep it light": duplicate sample (twice '
                         "in this intent)"),
    "duplicate across": (add_samples("DeeperIntent", "Keep it  light"),
                         "duplicate sample (also in GentlerIntent)"),
    "same slot type across": (
        add_intent({"name": "RestIntent", "slots": [{"name": "span", "type": "AMAZON.DURATION"}],
                    "samples": ["pause for {span}"]}),
        'intent RestIntent, sample "pause for {span}": duplicate sample (also in PauseIntent)'),
    "undefined type": (pause_slot(type="SpanType"),
                       "the slot {duration} has type SpanType, which is not defined"),
    "misspelt built-in": (pause_slot(type="AMAZON.DURATON"),
                          "AMAZON.DURATON, which is not an Alexa built-in slot type"),
    "bad slot name": (pause_slot(name="2weeks"), "rename {2weeks}"),
    "slot declared twice": (
        lambda m: intent(m, "PauseIntent")["slots"].append(dict(intent(m, "PauseIntent")
                                                                ["slots"][0])),
        "the slot {duration} is declared twice"),
    "intent declared twice": (add_intent({"name": "GentlerIntent", "samples": ["softer"]}),
                              "intent GentlerIntent: this intent is declared twice"),
    "bad intent name": (lambda m: intent(m, "GentlerIntent").__setitem__("name", "Gentler2"),
                        "rename 'Gentler2'"),
    "missing built-in": (remove_intent("AMAZON.NavigateHomeIntent"),
                         "add the built-in intent AMAZON.NavigateHomeIntent"),
    "missing fallback": (remove_intent("AMAZON.FallbackIntent"),
                         "add the built-in intent AMAZON.FallbackIntent"),
    "phrase slot alone": (
        add_intent({"name": "ShareIntent", "slots": [{"name": "thought",
                                                       "type": "AMAZON.SearchQuery"}],
                    "samples": ["{thought}"]}),
        "the phrase slot {thought} needs carrier words"),
    "phrase slot with another": (
        add_intent({"name": "ShareIntent",
                    "slots": [{"name": "thought", "type": "AMAZON.SearchQuery"},
                              {"name": "span", "type": "AMAZON.DURATION"}],
                    "samples": ["say {thought} for {span}"]}),
        "a phrase slot ({thought}) must be the only slot"),
    "type twice": (lambda m: language(m)["types"].extend([TOPIC, TOPIC]),
                   "the slot type TopicType is defined twice"),
    "AMAZON custom type": (add_type({"name": "AMAZON.Topic", "values": [
        {"name": {"value": "money"}}]}), "rename 'AMAZON.Topic'"),
    "type without values": (add_type({"name": "TopicType", "values": []}),
                            "the slot type TopicType has no values"),
    "duplicate value ids": (add_type({"name": "TopicType", "values": [
        {"id": "MONEY", "name": {"value": "money"}},
        {"id": "MONEY", "name": {"value": "bills"}}]}), "uses the value id 'MONEY' twice"),
    "uppercase invocation": (set_invocation("Porch Light"),
                             'the invocation name "Porch Light" must be lowercase'),
    "one-word invocation": (set_invocation("porchlight"), "needs two or more words"),
    "launch word": (set_invocation("open porch light"), 'may not contain "open"'),
    "wake word": (set_invocation("alexa porch light"), 'may not contain "alexa"'),
    "article": (set_invocation("the porch"), "a two-word invocation name may not use"),
    "digits in invocation": (set_invocation("porch light two thousand 2"),
                             "spell numbers out"),
    "long invocation": (set_invocation("porch light " * 6), "keep it to 50"),
    "no invocation": (lambda m: language(m).pop("invocationName"), 'add "invocationName"'),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_model_fails_with_a_helpful_message(
    case: str, tmp_path: Path, handled: frozenset[str]
) -> None:
    mutate, expected = BROKEN[case]
    found = messages(check_mutated(tmp_path, handled, mutate))
    assert any(expected in message for message in found), found


WARNED: dict[str, tuple[Mutation, str]] = {
    "unknown built-in intent": (add_intent({"name": "AMAZON.TeleportIntent", "samples": []}),
                                "AMAZON.TeleportIntent is not an Alexa built-in intent"),
    "unused slot": (lambda m: intent(m, "GentlerIntent").__setitem__(
        "slots", [{"name": "span", "type": "AMAZON.DURATION"}]),
        "the slot {span} is declared but no sample uses it"),
    "unused type": (add_type(TOPIC), "the slot type TopicType is defined but no slot uses it"),
}


@pytest.mark.parametrize("case", sorted(WARNED))
def test_doubtful_things_are_warnings(case: str, tmp_path: Path,
                                      handled: frozenset[str]) -> None:
    mutate, expected = WARNED[case]
    report = check_mutated(tmp_path, handled, mutate)
    assert any(expected in m for m in messages(report, Severity.WARNING)), report.problems


@pytest.mark.parametrize("text, expected", [
    ('{"interactionModel": ', "not valid JSON (line 1, column"),
    ("[]", 'the file needs {"interactionModel": {"languageModel": {...}}}'),
    ('{"interactionModel": {"languageModel": {"intents": []}}}', 'non-empty "intents" list'),
    ('{"interactionModel": {"languageModel": {"intents": [{"samples": []}]}}}',
     'intents[0] must be an object with a "name"'),
    ('{"interactionModel": {"languageModel": {"intents": [{"name": "A", "samples": "hi"}]}}}',
     'intent A: "samples" must be a list of strings'),
    ('{"interactionModel": {"languageModel": {"intents": [{"name": "A", "slots": [{}]}]}}}',
     '"slots" must be a list of {"name": ..., "type": ...}'),
    ('{"interactionModel": {"languageModel": {"intents": [{"name": "A"}], "types": {}}}}',
     '"types" must be a list'),
    ('{"interactionModel": {"languageModel": {"intents": [{"name": "A"}], "types": [{}]}}}',
     'types[0] must be an object with a "name"'),
    ('{"interactionModel": {"languageModel": {"intents": [{"name": "A"}], '
     '"types": [{"name": "T", "values": [{"name": "x"}]}]}}}',
     'the slot type T needs "values"'),
    ('{"interactionModel": {"languageModel": {"intents": [{"name": "A"}]}, "dialog": []}}',
     '"dialog" must be a JSON dict'),
])
def test_malformed_files_fail_on_their_shape(text: str, expected: str, tmp_path: Path) -> None:
    report = check_files([write(tmp_path, text)], None)
    assert any(expected in m for m in messages(report)), report.problems
    assert report.files == []


def test_an_unreadable_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "en-US.json"
    path.write_bytes(b"\xff\xfe{")
    assert "cannot read the file" in messages(check_files([path], None))[0]


def test_a_file_not_named_for_a_locale_is_warned_about(tmp_path: Path) -> None:
    path = write(tmp_path, interaction_model.load_model("en-US"), "model.json")
    report = check_files([path], None)
    assert "name the file after its locale" in messages(report, Severity.WARNING)[0]


def test_every_locale_must_have_the_same_intents(tmp_path: Path, handled: frozenset[str]) -> None:
    british = copy.deepcopy(interaction_model.load_model("en-US"))
    remove_intent("DeeperIntent")(british)
    add_intent({"name": "CuppaIntent", "samples": ["put the kettle on"]})(british)
    paths = [write(tmp_path, interaction_model.load_model("en-US")),
             write(tmp_path, british, "en-GB.json")]
    found = messages(check_files(paths, None))
    assert found == [
        "error: en-GB.json: missing DeeperIntent, which en-US.json declares; every locale has "
        "the same intents",
        "error: en-GB.json: declares CuppaIntent, which en-US.json does not; every locale has "
        "the same intents",
    ]


def test_model_intents_must_equal_handler_intents(tmp_path: Path,
                                                  handled: frozenset[str]) -> None:
    def mutate(model: dict[str, Any]) -> None:
        add_intent({"name": "CuppaIntent", "samples": ["put the kettle on"]})(model)
        remove_intent("DeeperIntent")(model)

    found = messages(check_mutated(tmp_path, handled, mutate))
    assert ("error: en-US.json, intent CuppaIntent: no handler answers this intent; add one "
            "under skill/handlers/ (registered in skill/builder.py) or remove the intent") in found
    assert ("error: en-US.json, intent DeeperIntent: the skill has a handler for this intent "
            "but the model does not declare it; add it with samples so people can say it"
            ) in found


def counts(locale: str) -> tuple[int, int]:
    """(intents, samples) of a packaged model."""
    samples = interaction_model.samples(locale)
    return len(samples), sum(len(texts) for texts in samples.values())


def test_cli_passes_on_the_packaged_models() -> None:
    result = CliRunner().invoke(main, ["model", "check"])
    assert result.exit_code == 0, result.output
    for locale in interaction_model.locales():
        intents, samples = counts(locale)
        assert f"{locale}.json: {intents} intents, {samples} samples: ok" in result.output


def test_cli_fails_on_a_broken_model(tmp_path: Path) -> None:
    model = copy.deepcopy(interaction_model.load_model("en-US"))
    add_samples("PauseIntent", "pause for 2 weeks")(model)
    result = CliRunner().invoke(main, ["model", "check", str(write(tmp_path, model))])
    assert result.exit_code == 1
    assert 'sample "pause for 2 weeks": spell numbers out' in result.output
    intents, samples = counts("en-US")
    assert f"en-US.json: {intents} intents, {samples + 1} samples: 1 error" in result.output


# --- issue 9: the safety net's own rules ------------------------------------------------

@pytest.mark.parametrize("sample", ["{weather}", "we're {weather}", "feeling {weather}",
                                    "pretty {weather}", "kind of {weather}"])
def test_a_catch_all_sample_fails(tmp_path: Path, handled: frozenset[str], sample: str) -> None:
    report = check_mutated(tmp_path, handled, add_samples("WeatherWordIntent", sample))
    assert any("catch-all sample" in m and f'"{sample}"' in m for m in messages(report))


def test_catch_alls_among_a_slots_own_samples_are_fine(tmp_path: Path,
                                                       handled: frozenset[str]) -> None:
    weather = lambda model: intent(model, "WeatherWordIntent")["slots"][0]  # noqa: E731
    report = check_mutated(tmp_path, handled,
                           lambda model: weather(model)["samples"].append("mostly {weather}"))
    assert report.errors == []


def test_a_missing_fallback_sensitivity_fails(tmp_path: Path, handled: frozenset[str]) -> None:
    report = check_mutated(tmp_path, handled,
                           lambda model: language(model).pop("modelConfiguration"))
    assert any("fallbackIntentSensitivity" in m for m in messages(report))


def test_a_missing_repeat_intent_fails(tmp_path: Path, handled: frozenset[str]) -> None:
    def drop(model: dict[str, Any]) -> None:
        language(model)["intents"] = [i for i in language(model)["intents"]
                                      if i["name"] != "AMAZON.RepeatIntent"]
    assert any("AMAZON.RepeatIntent" in m for m in messages(check_mutated(tmp_path, handled,
                                                                          drop)))


def test_too_few_safety_samples_fail(tmp_path: Path, handled: frozenset[str]) -> None:
    def thin(model: dict[str, Any]) -> None:
        for name in ("CrisisIntent", "AbuseIntent", "DistressIntent"):
            intent(model, name)["samples"] = intent(model, name)["samples"][:20]
    report = check_mutated(tmp_path, handled, thin)
    assert any("crisis and distress samples" in m and "at least 250" in m
               for m in messages(report))


def test_every_packaged_model_meets_the_safety_rules() -> None:
    from interaction_model.safety_checks import SAFETY_INTENTS, SAFETY_SAMPLE_FLOOR

    for locale in interaction_model.locales():
        model = interaction_model.language_model(locale)
        assert model["modelConfiguration"]["fallbackIntentSensitivity"]["level"] == "HIGH"
        counts = interaction_model.samples(locale)
        assert sum(len(counts[name]) for name in SAFETY_INTENTS) >= SAFETY_SAMPLE_FLOOR
