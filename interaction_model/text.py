"""Text normalisation shared by the matcher and the validator.

Typed text and model samples go through the same steps, so they meet in the middle:
lowercase, curly apostrophes made straight, punctuation removed, contractions
expanded ("what's" and "whats" both become "what is"), a few spoken spellings unified
("ok" is "okay"), and remaining apostrophes dropped ("tonight's" is "tonights").
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'", "\u02bc": "'"})
_AM_PM = re.compile(r"\b([ap])\s?\.\s?m\b\.?")
_DIGIT_LETTER = re.compile(r"(?<=\d)(?=[a-z])|(?<=[a-z])(?=\d)")
_NOT_WORD = re.compile(r"[^a-z0-9'{}_ ]+")
_SPACES = re.compile(r"\s+")

CONTRACTIONS: dict[str, str] = {
    "what's": "what is", "that's": "that is", "it's": "it is", "there's": "there is",
    "here's": "here is", "who's": "who is", "how's": "how is", "where's": "where is",
    "i'm": "i am", "we're": "we are", "you're": "you are", "they're": "they are",
    "i've": "i have", "we've": "we have", "you've": "you have", "they've": "they have",
    "i'd": "i would", "we'd": "we would", "you'd": "you would", "they'd": "they would",
    "i'll": "i will", "we'll": "we will", "you'll": "you will", "they'll": "they will",
    "let's": "let us", "don't": "do not", "doesn't": "does not", "didn't": "did not",
    "can't": "can not", "cannot": "can not", "won't": "will not", "isn't": "is not",
    "aren't": "are not", "wasn't": "was not", "weren't": "were not", "haven't": "have not",
    "hasn't": "has not", "shouldn't": "should not", "wouldn't": "would not",
    "couldn't": "could not",
}
"""Contractions and their long forms; the same words typed without the apostrophe count
too, except where that spelling is a word of its own ("were", "well", "ill", "wed")."""

_AMBIGUOUS_WITHOUT_APOSTROPHE = frozenset({
    "were", "well", "ill", "wed", "id", "its", "hell", "shell", "wont", "cant", "shed", "whos",
    "hows", "wheres", "youd", "theyd", "youll", "weve", "lets",
})

SPELLINGS: dict[str, str] = {
    "ok": "okay", "okey": "okay", "pls": "please", "plz": "please", "thx": "thanks",
    "gonna": "going to", "wanna": "want to", "gimme": "give me", "lemme": "let me",
    "nevermind": "never mind", "alright": "all right", "u": "you", "tonite": "tonight",
    "nite": "night",
}
"""Casual or typed spellings and the words they stand for."""


def _expansions() -> dict[str, str]:
    table = dict(CONTRACTIONS)
    for short, long in CONTRACTIONS.items():
        bare = short.replace("'", "")
        if bare not in _AMBIGUOUS_WITHOUT_APOSTROPHE:
            table.setdefault(bare, long)
    table["lets"] = "let us"
    table.update(SPELLINGS)
    return table


EXPANSIONS = _expansions()


def clean(text: str) -> str:
    """Lowercase words and spaces only: punctuation, symbols and extra spaces gone."""
    text = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES).lower()
    text = text.replace("&", " and ").replace("-", " ").replace("/", " ")
    text = _AM_PM.sub(r"\1m", text)
    text = _DIGIT_LETTER.sub(" ", text)
    text = _NOT_WORD.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


@lru_cache(maxsize=4096)
def _word(word: str) -> tuple[str, ...]:
    word = word.strip("'")
    if not word:
        return ()
    expanded = EXPANSIONS.get(word)
    if expanded is not None:
        return tuple(expanded.split())
    if word.endswith("n't"):
        return (word[:-3], "not")
    return (word.replace("'", ""),)


def tokens(text: str) -> tuple[str, ...]:
    """The words of ``text`` after normalisation; ``{slot}`` references are kept whole."""
    words: list[str] = []
    for raw in clean(text).split():
        if raw.startswith("{") and raw.endswith("}"):
            words.append(raw)
        else:
            words.extend(_word(raw.replace("{", "").replace("}", "")))
    return tuple(words)


def normalise(text: str) -> str:
    """The normalised form of ``text``: its tokens joined by single spaces."""
    return " ".join(tokens(text))
