"""The safety screen's second reader: what a line means, not only which words it uses.

A line's sentence embedding (``skill.conversation.sentence_encoder``) goes through small
classifiers: a gate (a support-vector machine with an RBF kernel) that tells a concern
from an ordinary line, a linear classifier that tells which concern (danger, abuse,
self-harm or distress), and a danger gate (danger or ordinary). In a line the screen's
patterns pass over, a gate score above the threshold is a concern ("there's someone
trying the back door handle"), and failing that a danger gate score above its own
threshold is danger ("a brown snake just bit him on the leg"). What the patterns found
stands, unless the gate's score falls under the veto, far below any concern phrasing
known ("we bought rope for the tent"); distress they found gives way to a crisis kind the
meaning reads. The levels are chosen on calibration phrasings
(``interaction_model.train_meaning.calibrate``).

The parameters are data (``skill/content/safety_meaning.npz``), trained by
``make safety-model`` (``interaction_model.train_meaning``) on the models' samples and
training phrasings only; the held-out, independent, blind and calibration sets are never
trained on. Pure: it keeps nothing and logs nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from io import BytesIO
from typing import Any

import numpy as np
from numpy.typing import NDArray

from skill.conversation.safety_screen import Concern

MODEL_FILE = "safety_meaning.npz"
KINDS: tuple[Concern, ...] = (Concern.DANGER, Concern.ABUSE, Concern.SELF_HARM, Concern.DISTRESS)
"""The concern classifier's classes, in the order of its columns."""
CAREFUL_RATIO = 0.5
"""When distress leads but the crisis classes together hold at least this share of its
probability, the crisis answer is given: in doubt, the more careful answer."""
Floats = NDArray[np.float32]


@dataclass(frozen=True)
class RbfMachine:
    """A trained support-vector machine with an RBF kernel, over unit embeddings."""

    support: Floats
    """The support vectors, one per row."""
    dual: Floats
    """Their signed weights."""
    intercept: float
    gamma: float
    """The kernel's width: k(a, b) = exp(-gamma * |a - b|^2)."""

    def scores(self, vectors: Floats) -> NDArray[np.float64]:
        """The decision score per embedding (scikit-learn's ``decision_function``)."""
        squared = np.maximum(2.0 - 2.0 * (vectors @ self.support.T), 0.0)
        scores: NDArray[np.float64] = (np.exp(-self.gamma * squared) @ self.dual
                                       + self.intercept).astype(np.float64)
        return scores

    @classmethod
    def from_arrays(cls, arrays: Any, prefix: str = "") -> RbfMachine:
        return cls(np.asarray(arrays[f"{prefix}support"], np.float32),
                   np.asarray(arrays[f"{prefix}dual"], np.float32),
                   float(arrays[f"{prefix}intercept"]), float(arrays[f"{prefix}gamma"]))


@dataclass(frozen=True)
class MeaningModel:
    """The gates (any concern, and danger) and the kind of concern, over sentence embeddings."""

    gate: RbfMachine
    """Concern or ordinary."""
    threshold: float
    """A line the patterns pass over is a concern when the gate's score is above this."""
    veto: float
    """What the patterns found is overruled when the gate's score is below this."""
    danger_gate: RbfMachine
    """Danger or ordinary: emergencies come in more forms than the concern gate learns."""
    danger_threshold: float
    """A line both the patterns and the gate pass over is danger when this gate's score is
    above this."""
    kind_weights: Floats
    """(embedding width, len(KINDS)): the linear scores of each kind."""
    kind_bias: Floats
    digest: str
    """The training data's digest, so a test can tell the parameters are current."""

    @classmethod
    def from_arrays(cls, arrays: Any) -> MeaningModel:
        return cls(RbfMachine.from_arrays(arrays), float(arrays["threshold"]),
                   float(arrays["veto"]), RbfMachine.from_arrays(arrays, "danger_"),
                   float(arrays["danger_threshold"]),
                   np.asarray(arrays["kind_weights"], np.float32),
                   np.asarray(arrays["kind_bias"], np.float32), str(arrays["digest"]))

    def kinds(self, vectors: Floats) -> NDArray[np.float64]:
        """Each embedding's probability of each kind of concern (rows sum to 1)."""
        scores = (vectors @ self.kind_weights + self.kind_bias).astype(np.float64)
        scores = np.exp(scores - scores.max(axis=1, keepdims=True))
        result: NDArray[np.float64] = scores / scores.sum(axis=1, keepdims=True)
        return result

    def read(self, vectors: Floats, words: list[Concern | None]) -> list[Concern | None]:
        """The concern each line means, given its embedding and what the patterns found in
        it (None for nothing), or None for an ordinary line.

        The patterns' kind of concern, when it stands, is kept (they are tried from the
        most urgent down), except that distress gives way to a crisis kind the meaning
        reads ("he's choking and he can't breathe"): in doubt, the more careful answer."""
        found: list[Concern | None] = []
        for score, kind, word, vector in zip(self.gate.scores(vectors), self.kinds(vectors),
                                             words, vectors, strict=True):
            if word is not None:
                found.append(more_careful(word, decide(kind)) if score >= self.veto else None)
            elif score > self.threshold:
                found.append(decide(kind))
            elif self.danger_gate.scores(vector[None, :])[0] > self.danger_threshold:
                found.append(Concern.DANGER)
            else:
                found.append(None)
        return found


def more_careful(words: Concern, meaning: Concern) -> Concern:
    """What the patterns found, unless they found distress and the meaning reads crisis."""
    return meaning if words is Concern.DISTRESS else words


def decide(probabilities: NDArray[np.float64]) -> Concern:
    """The kind of concern, the more careful one when crisis is close behind distress."""
    by_kind = dict(zip(KINDS, (float(p) for p in probabilities), strict=True))
    distress = by_kind.pop(Concern.DISTRESS)
    if distress > max(by_kind.values()) and sum(by_kind.values()) < CAREFUL_RATIO * distress:
        return Concern.DISTRESS
    return max(by_kind, key=lambda kind: by_kind[kind])


@cache
def meaning_model() -> MeaningModel:
    """The packaged classifiers, loaded once per process."""
    data = resources.files("skill.content").joinpath(MODEL_FILE).read_bytes()
    with np.load(BytesIO(data), allow_pickle=False) as arrays:
        return MeaningModel.from_arrays(arrays)


def read_meaning(text: str, words: Concern | None = None) -> Concern | None:
    """The concern ``text`` means, given what the patterns found in it, or None. Loads
    the sentence model on first use."""
    from skill.conversation.sentence_encoder import encoder

    if not text.strip():
        return None
    return meaning_model().read(encoder().encode([text]), [words])[0]
