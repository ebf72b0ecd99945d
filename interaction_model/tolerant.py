"""Tolerant matching: the closest sample when no sample fits word for word.

Words are compared as a weighted bag: words that tell intents apart ("deeper",
"pause") weigh more than words many samples share ("us", "a"), filler words ("please",
"um") hardly count, and a word the model never uses counts fully against a match. The
score is the weighted overlap over the weighted union of sample and utterance, so extra
words and missing words both lower it. Misspelt words are corrected to the model's
vocabulary first (one edit: a letter missing, extra, changed or two swapped), and two
words that make one ("to night") are joined.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from interaction_model.slots import SlotHit

FILLERS = frozenset({
    "a", "an", "the", "please", "um", "uh", "er", "erm", "hmm", "just", "so", "okay", "oh",
    "well", "hey", "like", "actually", "really", "kindly", "then", "alexa", "maybe", "perhaps",
})
"""Words that barely change what someone means."""

LIGHT_WORDS = frozenset({
    "i", "am", "we", "are", "us", "me", "you", "is", "it", "to", "for", "of", "do", "can",
    "would", "will", "let", "our", "my", "your", "that", "this", "be", "have", "could",
    "should", "one", "and", "with", "at", "on", "in", "now", "tonight", "right", "bit",
    "little", "thing", "things", "give", "get", "want", "need", "hear", "tell", "ask", "try",
    "make", "take",
})
"""Pronouns, auxiliaries, small words and the verbs of asking ("give us", "can we get"):
they carry little of which intent is meant."""

POLARITY_WORDS = frozenset({"not", "never"})
"""Words that turn a request around ("we're ready" / "we're not ready"): they weigh most."""

FILLER_WEIGHT = 0.1
LIGHT_WEIGHT = 0.2
UNKNOWN_WEIGHT = 0.7
SLOT_WEIGHT = 1.0
MIN_WEIGHT, MAX_WEIGHT = 0.25, 1.5
CORRECTION_PENALTY = 0.25


_DOUBLED = frozenset("bdgmnprt")


@lru_cache(maxsize=8192)
def stem(word: str) -> str:
    """A light English stem, so "prompts"/"tonights"/"prompt", "threatens"/"threatened",
    "killing"/"kill" and "cutting"/"cut" meet. Only the tolerant match uses stems."""
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("ing") and len(word) >= 5:
        word = word[:-3]
    elif word.endswith("ed") and len(word) >= 5:
        word = word[:-2]
    elif len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if len(word) > 3 and word[-1] == word[-2] and word[-1] in _DOUBLED:
        word = word[:-1]
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    return word


@dataclass(frozen=True)
class BagSample:
    """One sample as a weighted bag of word stems and slots."""

    index: int
    """Position of the sample in the matcher's list."""
    literal: tuple[tuple[str, int, float], ...]
    """Each stem, how often the sample uses it, and its weight."""
    slots: tuple[tuple[str, str], ...]
    """(slot name, slot type) for each slot the sample holds."""
    weight: float
    """Total weight of the sample's words and slots."""


@dataclass(frozen=True)
class Scored:
    """A sample's tolerant score and the slot values it took from the utterance."""

    score: float
    """Weighted overlap over weighted union, 0 to 1."""
    index: int
    """Position of the sample in the matcher's list."""
    slots: tuple[tuple[str, SlotHit], ...]
    """(slot name, value found) for each slot filled."""


class Vocabulary:
    """Word weights from how many samples use each word, and spelling correction."""

    def __init__(self, samples: Iterable[Sequence[str]]) -> None:
        bags = [frozenset(stem(word) for word in words) for words in samples]
        frequency = Counter(word for bag in bags for word in bag)
        total = max(1, len(bags))
        self.weights = {
            word: _fixed_weight(word)
            or min(MAX_WEIGHT, max(MIN_WEIGHT, math.log((total + 1) / (count + 0.5)) / 3))
            for word, count in frequency.items()
        }
        self._deletions: dict[str, set[str]] = defaultdict(set)
        for word in self.weights:
            if len(word) >= 4:
                for variant in _deletions(word):
                    self._deletions[variant].add(word)

    def weight(self, word: str) -> float:
        """How much ``word`` tells intents apart when a sample has it."""
        return self.weights.get(word) or _fixed_weight(word) or UNKNOWN_WEIGHT

    def extra_weight(self, word: str) -> float:
        """How much ``word`` counts against a sample when the utterance has it and the
        sample does not: like an unknown word at most (a rare word in the samples is not
        evidence against this one), except words that turn a request around."""
        weight = self.weight(word)
        return weight if word in _POLARITY_STEMS else min(weight, UNKNOWN_WEIGHT)

    def correct(self, words: Sequence[str]) -> tuple[list[str], float]:
        """Stems of ``words`` with misspellings fixed and split words joined, and a penalty."""
        stems = [stem(word) for word in words]
        fixed: list[str] = []
        penalty = 0.0
        index = 0
        while index < len(stems):
            word = stems[index]
            joined = stem(words[index] + words[index + 1]) if index + 1 < len(words) else ""
            if joined in self.weights and (word not in self.weights
                                           or stems[index + 1] not in self.weights):
                fixed.append(joined)
                index += 2
                continue
            if word not in self.weights and len(word) >= 4:
                guess = self._closest(word)
                if guess is not None:
                    penalty += CORRECTION_PENALTY * self.weights[guess]
                    word = guess
            fixed.append(word)
            index += 1
        return fixed, penalty

    def _closest(self, word: str) -> str | None:
        found = set().union(*(self._deletions.get(v, ()) for v in (word, *_deletions(word))))
        close = sorted((w for w in found if _one_edit(word, w)),
                       key=lambda w: (-self.weights[w], w))
        return close[0] if close else None


def _stems(words: frozenset[str]) -> frozenset[str]:
    return frozenset(stem(word) for word in words)


_FILLER_STEMS = _stems(FILLERS)
_LIGHT_STEMS = _stems(LIGHT_WORDS)
_POLARITY_STEMS = _stems(POLARITY_WORDS)


def _is_light(word: str) -> bool:
    return word in _LIGHT_STEMS or word in _FILLER_STEMS


def _fixed_weight(word: str) -> float | None:
    """The weight of a filler, light or polarity word (a stem), whatever the model says."""
    if word in _FILLER_STEMS:
        return FILLER_WEIGHT
    if word in _LIGHT_STEMS:
        return LIGHT_WEIGHT
    return MAX_WEIGHT if word in _POLARITY_STEMS else None


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


def _one_edit(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` differ by one insertion, deletion, substitution or swap."""
    if a == b or abs(len(a) - len(b)) > 1:
        return a == b
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1:] == short for i in range(len(long)))


class BagIndex:
    """Every sample as a bag, indexed by its telling words and slot types for candidates.

    Light words ("us", "for") and fillers are left out of the index (nearly every sample
    has them), which keeps the candidate list short; samples made only of such words are
    always candidates.
    """

    def __init__(self, vocabulary: Vocabulary, samples: Sequence[BagSample]) -> None:
        self.vocabulary = vocabulary
        self.samples = samples
        self._by_word: dict[str, list[tuple[int, float]]] = defaultdict(list)
        self._by_slot_type: dict[str, list[int]] = defaultdict(list)
        self._light_weight: list[float] = []
        self._always: list[int] = []
        for sample in samples:
            light = 0.0
            for word, count, weight in sample.literal:
                if _is_light(word):
                    light += weight * count
                else:
                    self._by_word[word].append((sample.index, weight * count))
            self._light_weight.append(light)
            if light >= sample.weight - 1e-9 and not sample.slots:
                self._always.append(sample.index)
            for slot_type in {slot_type for _, slot_type in sample.slots}:
                self._by_slot_type[slot_type].append(sample.index)

    def best(self, words: Sequence[str], hits: Sequence[SlotHit],
             skip: frozenset[int] = frozenset()) -> Scored | None:
        """The best-scoring sample for ``words`` (with ``hits`` found in them), if any;
        samples whose index is in ``skip`` are not considered."""
        stems, penalty = self.vocabulary.correct(words)
        counts = Counter(stems)
        weight = self.vocabulary.weight
        extra = self.vocabulary.extra_weight
        total = sum(extra(w) * n for w, n in counts.items()) + penalty
        light = sum(weight(w) * n for w, n in counts.items() if _is_light(w))
        shared: dict[int, float] = dict.fromkeys(self._always, 0.0)
        for word in counts:
            for index, found in self._by_word.get(word, ()):
                shared[index] = shared.get(index, 0.0) + found
        for slot_type in {hit.slot_type for hit in hits}:
            for index in self._by_slot_type.get(slot_type, ()):
                shared.setdefault(index, 0.0)
        span_stems = [[stem(w) for w in words[hit.start:hit.end]] for hit in hits]
        takeable = sum(extra(w) for span in span_stems for w in span)
        takeable += sum(UNKNOWN_WEIGHT * n for w, n in counts.items()
                        if w not in self.vocabulary.weights)
        bounds = self._bounds(shared, light, total, takeable)
        best: Scored | None = None
        for index in sorted(bounds, key=bounds.__getitem__, reverse=True):
            if index in skip:
                continue
            if best is not None and bounds[index] <= best.score:
                break
            scored = self._score(self.samples[index], counts, total, hits, span_stems)
            if best is None or scored.score > best.score:
                best = scored
        return best

    def _bounds(self, shared: dict[int, float], light: float, total: float,
                takeable: float) -> dict[int, float]:
        """An upper bound of each candidate's score, to stop once no candidate can win.

        ``shared`` is the weight of each sample's telling words found in the utterance;
        with the light words they might share it is the most the sample can match and
        the most of the utterance it can use up. A sample with slots may fill every slot
        and use up ``takeable``, the weight of the words slots can take (recognised
        values and unknown words).
        """
        bounds: dict[int, float] = {}
        light_weights, samples = self._light_weight, self.samples
        for index, found in shared.items():
            sample = samples[index]
            found += min(light, light_weights[index])
            if sample.slots:
                union = max(sample.weight, sample.weight + total - found - takeable)
                found += SLOT_WEIGHT * len(sample.slots)
            else:
                union = sample.weight + total - found
            bounds[index] = found / union if union > 0 else 0.0
        return bounds

    def _score(self, sample: BagSample, counts: Counter[str], total: float,
               hits: Sequence[SlotHit], span_stems: Sequence[list[str]]) -> Scored:
        remaining = dict(counts)
        matched = consumed = 0.0
        filled: list[tuple[str, SlotHit]] = []
        used: set[int] = set()
        for name, slot_type in sample.slots:
            position = next((i for i, h in enumerate(hits)
                             if h.slot_type == slot_type and i not in used), None)
            if position is None:
                taken = self._unparsed_slot(remaining)
                matched += SLOT_WEIGHT / 2 if taken else 0.0
                consumed += taken
                continue
            used.add(position)
            filled.append((name, hits[position]))
            matched += SLOT_WEIGHT
            for word in span_stems[position]:
                if remaining.get(word, 0) > 0:
                    remaining[word] -= 1
                    consumed += self.vocabulary.extra_weight(word)
        for word, count, weight in sample.literal:
            taken = min(count, remaining.get(word, 0))
            if taken:
                remaining[word] -= taken
                matched += weight * taken
                consumed += self.vocabulary.extra_weight(word) * taken
        union = sample.weight + total - consumed
        return Scored(matched / union if union > 0 else 0.0, sample.index, tuple(filled))

    def _unparsed_slot(self, remaining: dict[str, int]) -> float:
        """Words no type could read taken as a slot's ("pause for a while"); their weight.

        Up to three words the model does not know are taken as the slot's words, so they
        do not count against the match, which earns half the slot's weight; the slot
        itself stays empty, as Alexa sends it.
        """
        unknown = [w for w, n in remaining.items() if n > 0 and w not in self.vocabulary.weights
                   and not _is_light(w)][:3]
        if not unknown:
            return 0.0
        for word in unknown:
            remaining[word] -= 1
        return UNKNOWN_WEIGHT * len(unknown)
