"""`porchlight model check`: interaction model files checked the way Alexa's console does.

A file is read, its JSON shape checked, then its parts (``interaction_model.checks``,
``interaction_model.dialog``); across files every locale must declare the same intents,
and those must be exactly the intents the skill's handlers answer.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from interaction_model.checks import ModelChecks, Problem, Severity
from interaction_model.dialog import dialog_problems
from interaction_model.safety_checks import safety_problems

ALEXA_LOCALES = frozenset({
    "en-US", "en-GB", "en-CA", "en-AU", "en-IN", "de-DE", "es-ES", "es-MX", "es-US", "fr-FR",
    "fr-CA", "it-IT", "ja-JP", "pt-BR", "hi-IN", "ar-SA", "nl-NL",
})
REFERENCE_LOCALE = "en-US"


@dataclass(frozen=True)
class ModelFile:
    """One model file, read."""

    name: str
    """The file's name, as problems cite it."""
    locale: str
    """The locale, from the file name (``en-US.json``)."""
    model: Any
    """The parsed JSON, or None when it could not be read."""

    @property
    def intent_names(self) -> frozenset[str]:
        language = self.model["interactionModel"]["languageModel"]
        return frozenset(intent["name"] for intent in language["intents"])

    @property
    def sample_count(self) -> int:
        language = self.model["interactionModel"]["languageModel"]
        return sum(len(intent.get("samples") or ()) for intent in language["intents"])


@dataclass
class Report:
    """What a check found: every problem, and the files that could be read."""

    problems: list[Problem] = field(default_factory=list)
    """Errors and warnings, file by file."""
    files: list[ModelFile] = field(default_factory=list)
    """Files whose shape was sound (their intents were compared)."""

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]


def default_paths() -> list[Path]:
    """The packaged model files, one per locale."""
    folder = resources.files("interaction_model")
    return sorted(Path(str(folder.joinpath(f.name))) for f in folder.iterdir()
                  if f.name.endswith(".json"))


def read_file(path: Path) -> tuple[ModelFile, list[Problem]]:
    """Parse a model file; a problem says where the JSON breaks."""
    name, locale = path.name, path.stem
    problems = []
    if locale not in ALEXA_LOCALES:
        problems.append(Problem(name, f"{locale!r} is not an Alexa locale; name the file after "
                                      "its locale, like en-US.json", severity=Severity.WARNING))
    try:
        model = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        problems.append(Problem(name, f"not valid JSON (line {error.lineno}, column "
                                      f"{error.colno}: {error.msg}); fix the syntax"))
        model = None
    except (OSError, UnicodeDecodeError) as error:
        problems.append(Problem(name, f"cannot read the file: {error}"))
        model = None
    return ModelFile(name, locale, model), problems


def shape_problems(file: str, model: Any) -> list[Problem]:
    """Problems with the JSON's structure; the other checks need a sound structure."""
    interaction = model.get("interactionModel") if isinstance(model, dict) else None
    language = interaction.get("languageModel") if isinstance(interaction, dict) else None
    if not isinstance(interaction, dict) or not isinstance(language, dict):
        return [Problem(file, 'the file needs {"interactionModel": {"languageModel": {...}}}')]
    intents = language.get("intents")
    if not isinstance(intents, list) or not intents:
        return [Problem(file, '"languageModel" needs a non-empty "intents" list')]
    problems = [Problem(file, message, intent)
                for intent, message in _intent_shapes(intents)]
    problems += [Problem(file, message) for message in _type_shapes(language.get("types"))]
    sections: dict[str, Any] = dict(interaction)
    for key, kind in (("dialog", dict), ("prompts", list)):
        if sections.get(key) is not None and not isinstance(sections[key], kind):
            problems.append(Problem(file, f'"{key}" must be a JSON {kind.__name__}'))
    return problems


def _intent_shapes(intents: list[Any]) -> Iterator[tuple[str | None, str]]:
    for index, intent in enumerate(intents):
        name = intent.get("name") if isinstance(intent, dict) else None
        if not isinstance(name, str) or not name:
            yield None, f'intents[{index}] must be an object with a "name"'
            continue
        samples = intent.get("samples", [])
        if not isinstance(samples, list) or not all(isinstance(s, str) for s in samples):
            yield name, '"samples" must be a list of strings'
        slots = intent.get("slots", [])
        if not isinstance(slots, list) or not all(
            isinstance(s, dict) and isinstance(s.get("name"), str)
            and isinstance(s.get("type"), str) for s in slots
        ):
            yield name, '"slots" must be a list of {"name": ..., "type": ...}'


def _type_shapes(types: Any) -> Iterator[str]:
    if types is None:
        return
    if not isinstance(types, list):
        yield '"types" must be a list'
        return
    for index, slot_type in enumerate(types):
        values = slot_type.get("values") if isinstance(slot_type, dict) else None
        if not isinstance(slot_type, dict) or not isinstance(slot_type.get("name"), str):
            yield f'types[{index}] must be an object with a "name"'
        elif not isinstance(values, list) or not all(_value_shape(v) for v in values):
            yield (f'the slot type {slot_type["name"]} needs "values": [{{"id": ..., "name": '
                   '{"value": ..., "synonyms": [...]}}]')


def _value_shape(value: Any) -> bool:
    name = value.get("name") if isinstance(value, dict) else None
    synonyms = name.get("synonyms", []) if isinstance(name, dict) else None
    return (isinstance(name, dict) and isinstance(name.get("value"), str)
            and isinstance(synonyms, list) and all(isinstance(s, str) for s in synonyms))


def locale_problems(files: Sequence[ModelFile]) -> list[Problem]:
    """Every locale must declare the same intents as the reference locale (en-US)."""
    if len(files) < 2:
        return []
    reference = next((f for f in files if f.locale == REFERENCE_LOCALE), files[0])
    problems = []
    for file in files:
        missing = sorted(reference.intent_names - file.intent_names)
        extra = sorted(file.intent_names - reference.intent_names)
        if missing:
            problems.append(Problem(file.name, f"missing {', '.join(missing)}, which "
                                               f"{reference.name} declares; every locale "
                                               "has the same intents"))
        if extra:
            problems.append(Problem(file.name, f"declares {', '.join(extra)}, which "
                                               f"{reference.name} does not; every locale "
                                               "has the same intents"))
    return problems


def handler_problems(files: Iterable[ModelFile], handled: frozenset[str]) -> list[Problem]:
    """The model's intents must be exactly the intents the skill's handlers answer."""
    problems = []
    for file in files:
        for name in sorted(file.intent_names - handled):
            problems.append(Problem(file.name, "no handler answers this intent; add one under "
                                               "skill/handlers/ (registered in "
                                               "skill/builder.py) or remove the intent", name))
        for name in sorted(handled - file.intent_names):
            problems.append(Problem(file.name, "the skill has a handler for this intent but the "
                                               "model does not declare it; add it with "
                                               "samples so people can say it", name))
    return problems


def check_files(paths: Iterable[Path], handled: frozenset[str] | None) -> Report:
    """Check each file, then the files against each other and against ``handled``."""
    report = Report()
    for path in paths:
        file, problems = read_file(path)
        report.problems.extend(problems)
        if file.model is None:
            continue
        shape = shape_problems(file.name, file.model)
        report.problems.extend(shape)
        if shape:
            continue
        report.problems.extend(check_model(file.name, file.model))
        report.files.append(file)
    report.problems.extend(locale_problems(report.files))
    if handled is not None:
        report.problems.extend(handler_problems(report.files, handled))
    return report


def check_model(name: str, model: Mapping[str, Any]) -> list[Problem]:
    """Every check on one soundly shaped model."""
    interaction = model["interactionModel"]
    return [*ModelChecks(name, interaction["languageModel"]).run(),
            *safety_problems(name, interaction["languageModel"]),
            *dialog_problems(name, interaction)]


def handler_intents() -> frozenset[str]:
    """The intents the skill's handlers answer, from the real skill object.

    The skill is built over a stand-in store that refuses all use: building it never
    opens a database, and nothing here reads or writes household data.
    """
    from skill.builder import build_skill, handled_intents
    from skill.config import Settings
    from skill.storage import HouseholdStore, StoreError

    class NoStore(HouseholdStore):
        def load(self, key: str) -> dict[str, Any]:
            raise StoreError("the model check keeps no household data")

        save = delete = check = schema_version = upgrade = load  # type: ignore[assignment]

    return handled_intents(build_skill(NoStore(), Settings()))
