"""The safety screen's meaning classifier: trained on training data only, current with it,
read by the screen when the patterns pass a line over, and never trained on a phrasing
from a measurement set."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from interaction_model import train_meaning
from interaction_model.text import normalise
from skill.conversation.safety_meaning import (
    KINDS,
    RbfMachine,
    decide,
    meaning_model,
    more_careful,
    read_meaning,
)
from skill.conversation.safety_screen import Concern, screen_for
from skill.conversation.sentence_encoder import encoder

DATA = Path(__file__).parent / "data"
MEASUREMENT_SETS = ("safety_heldout", "safety_independent", "safety_blind", "safety_blind_2",
                    "safety_blind_3", "safety_blind_4", "safety_blind_5", "safety_calibration",
                    "utterances")


def strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, list):
        for item in node:
            yield from strings(item)
    elif isinstance(node, dict):
        for value in node.values():
            yield from strings(value)


def measurement_phrasings() -> set[str]:
    found: set[str] = set()
    paths = [path for folder in MEASUREMENT_SETS for path in (DATA / folder).glob("*.yaml")]
    for path in [*paths, DATA / "safety_ordinary.yaml"]:
        found |= {normalise(text) for text in strings(yaml.safe_load(path.read_text("utf-8")))}
    return found


def test_no_measurement_phrasing_is_trained_on() -> None:
    measured = measurement_phrasings()
    trained = [text for _, text in train_meaning.examples() if normalise(text) in measured]
    assert trained == [], "measurement phrasings in the training data: take them out there"


def test_the_packaged_classifier_was_trained_on_the_current_data() -> None:
    assert meaning_model().digest == train_meaning.digest(train_meaning.examples()), \
        "the training data changed: run `make safety-model` and commit the result"


@pytest.fixture(scope="module")
def retrained() -> tuple[dict[str, Any], dict[str, float]]:
    return train_meaning.train(train_meaning.examples())


def test_training_again_gives_the_packaged_classifier(
    retrained: tuple[dict[str, Any], dict[str, float]]
) -> None:
    arrays, rates = retrained
    packaged = meaning_model()
    assert arrays["support"].shape == packaged.gate.support.shape
    assert arrays["danger_support"].shape == packaged.danger_gate.support.shape
    assert abs(float(arrays["threshold"]) - packaged.threshold) < 1e-3
    assert abs(float(arrays["danger_threshold"]) - packaged.danger_threshold) < 1e-3
    # The kind weights themselves may differ from machine to machine: lbfgs stops where
    # float-level differences in the sentence vectors (another CPU's kernels) lead it, in
    # directions the data hardly constrains (0.019 seen). The kind scores of real phrasings
    # (the gate's support vectors) may not: 0.025 apart across machines, 0.2 and more when
    # KIND_C moves by a tenth.
    support = packaged.gate.support.astype(np.float32)
    ours = support @ arrays["kind_weights"] + arrays["kind_bias"]
    theirs = support @ packaged.kind_weights + packaged.kind_bias
    assert np.abs(ours - theirs).max() < 0.06
    assert abs(float(arrays["veto"]) - packaged.veto) < 1e-3
    assert rates["cv_concern_recall"] >= 0.85  # cross-validated, on hard training data
    assert rates["calibration_recall"] >= rates["patterns_alone_recall"]
    assert rates["calibration_false_alarms"] <= rates["patterns_alone_false_alarms"] \
        + train_meaning.CALIBRATION_BUDGET + 0.002


def test_a_threshold_lets_in_no_more_ordinary_lines_than_its_budget() -> None:
    scores = np.asarray([3.0, 2.0, 0.246741, 0.1, 0.0, -1.0, -2.0, -3.0])
    threshold = train_meaning._threshold(scores, 0.25)  # two of eight may score above it
    assert int((scores > threshold).sum()) == 2
    assert threshold == 0.2468  # four decimals, rounded up


def test_the_danger_gate_adds_at_most_its_budget_of_false_alarms() -> None:
    scores = np.random.default_rng(0).normal(size=(2, 800))  # 800 ordinary lines
    ordinary, danger = scores
    words = np.zeros(800, bool)
    levels, rates = train_meaning.calibrate(ordinary, danger, words, np.asarray([1.0]),
                                            np.asarray([0.0]), np.asarray([True]))
    by_gate = ordinary > levels["threshold"]
    by_danger_gate = (danger > levels["danger_threshold"]) & ~by_gate
    assert by_gate.sum() == 8  # CALIBRATION_BUDGET, 1%
    assert by_danger_gate.sum() == 2  # DANGER_BUDGET, 0.25%, on top
    assert rates["calibration_false_alarms"] == 10 / 800


def test_the_gate_reproduces_the_trained_support_vector_machine() -> None:
    from sklearn.svm import SVC

    data = train_meaning.examples()[::7]
    vectors = encoder().encode([text for _, text in data])
    labels = [label != train_meaning.ORDINARY for label, _ in data]
    machine = SVC(C=train_meaning.GATE_C, kernel="rbf", gamma="scale").fit(vectors, labels)
    ours = RbfMachine(machine.support_vectors_.astype(np.float32),
                      machine.dual_coef_[0].astype(np.float32), float(machine.intercept_[0]),
                      float(machine._gamma))
    assert np.allclose(ours.scores(vectors), machine.decision_function(vectors), atol=1e-4)


@pytest.mark.parametrize("words, meaning, expected", [
    (Concern.DISTRESS, Concern.DANGER, Concern.DANGER),  # "he's choking and can't breathe"
    (Concern.DISTRESS, Concern.ABUSE, Concern.ABUSE),
    (Concern.DISTRESS, Concern.DISTRESS, Concern.DISTRESS),
    (Concern.ABUSE, Concern.DISTRESS, Concern.ABUSE),  # a crisis the patterns found stands
    (Concern.SELF_HARM, Concern.DANGER, Concern.SELF_HARM),
])
def test_distress_the_patterns_find_gives_way_to_a_crisis_the_meaning_reads(
    words: Concern, meaning: Concern, expected: Concern
) -> None:
    assert more_careful(words, meaning) is expected


@pytest.mark.parametrize("probabilities, expected", [
    ((0.1, 0.1, 0.1, 0.7), Concern.DISTRESS),
    ((0.1, 0.15, 0.2, 0.55), Concern.SELF_HARM),  # crisis close behind: the careful answer
    ((0.05, 0.8, 0.1, 0.05), Concern.ABUSE),
    ((0.6, 0.3, 0.05, 0.05), Concern.DANGER),
])
def test_the_kind_of_concern_errs_on_the_careful_side(
    probabilities: tuple[float, ...], expected: Concern
) -> None:
    assert len(probabilities) == len(KINDS)
    assert decide(np.asarray(probabilities)) is expected


@pytest.mark.parametrize("text, expected", [
    ("there's someone trying the back door handle", Concern.DANGER),
    ("he screams until i say sorry", Concern.ABUSE),
    ("i feel like i'm underwater and can't come up", Concern.DISTRESS),
    ("the tide came in and our boat is drifting out", Concern.DANGER),  # the danger gate
])
def test_lines_the_patterns_miss_are_read_by_meaning(text: str, expected: Concern) -> None:
    screen = screen_for("en-US")
    assert screen.read_words(text) is None
    assert read_meaning(text) is expected
    assert screen.read(text) is expected


@pytest.mark.parametrize("text", [
    "could we have something a little lighter tonight", "we'd like the check in please",
    "let's leave work out of it", "we're feeling kind of breezy", "", "   ",
])
def test_ordinary_lines_mean_no_concern(text: str) -> None:
    assert screen_for("en-US").read(text) is None


def test_a_screen_without_a_meaning_reader_goes_by_the_patterns_alone() -> None:
    screen = screen_for("en-US")
    words_only = type(screen)(screen.patterns, screen.not_concerns)
    assert words_only.read("i feel like i'm underwater and can't come up") is None


MEANING_LOAD_PROBE = """
import json, sys, tempfile
from datetime import UTC, datetime
from skill.app import create_app
from skill.conversation.clock import SettableClock
from tests.envelopes import SKILL_ID, Device, dumps

SENTENCE_MODEL = ("numpy", "tokenizers", "safetensors")
clock = SettableClock(datetime(2026, 11, 29, 19, 0, tzinfo=UTC))
folder = tempfile.mkdtemp()
app = create_app({"database_url": f"sqlite:///{folder}/s.sqlite3", "dev": True,
                  "skill_id": SKILL_ID}, clock=clock)
client = app.test_client()
device = Device(clock)
loaded = []
for intent, slots in [(None, None), ("SetBoundaryIntent", {"topic": "money"}),
                      ("WeatherWordIntent", {"weather": "there's someone at the back door"})]:
    envelope = device.launch() if intent is None else device.intent(intent, slots)
    answer = client.post("/alexa", data=dumps(envelope), content_type="application/json")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    loaded.append(sorted(m for m in SENTENCE_MODEL if m in sys.modules))
print(json.dumps(loaded))
"""


def test_only_unmatched_slot_words_load_the_sentence_model() -> None:
    """Start-up, a launch and a slot value of the type's own load no numpy: the sentence
    model costs only a request whose words matched no slot value (the last one here)."""
    import json
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", MEANING_LOAD_PROBE], capture_output=True,
                          text=True, timeout=120, check=True, cwd=Path(__file__).parent.parent)
    launch, resolved, unmatched = json.loads(done.stdout.splitlines()[-1])
    assert launch == [] and resolved == []
    assert unmatched == ["numpy", "safetensors", "tokenizers"]
