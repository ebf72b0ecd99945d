"""Replays the fuzzer's seeds and every input that ever broke envelope parsing.

`make fuzz` (atheris) saves a crashing input under .fuzz/; copy it into tests/data/fuzz/
with a name that says what it is, fix the defect, and this test keeps it fixed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fuzz.envelopes import one_input

ROOT = Path(__file__).resolve().parent.parent
INPUTS = sorted((ROOT / "tests" / "data" / "fuzz").iterdir()) + sorted(
    (ROOT / "fuzz" / "seeds").glob("*.json"))


@pytest.mark.parametrize("path", INPUTS, ids=lambda path: path.name)
def test_input_parses_without_a_crash(path: Path) -> None:
    one_input(path.read_bytes())


def test_there_are_inputs_to_replay() -> None:
    assert len(INPUTS) >= 8
