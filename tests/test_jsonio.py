"""``skill.jsonio``: orjson on the request path, read exactly as the standard library reads."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skill import jsonio
from skill.envelope import ParsedBody
from tests.envelopes import Device, dumps


def same(a: Any, b: Any) -> bool:
    """Equal values of the same types all the way down (NaN equal to NaN)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return bool(a == b)


def outcome(text: str | bytes) -> Any:
    try:
        return jsonio.loads(text), None
    except ValueError as error:
        return None, type(error)


def stdlib(text: str | bytes) -> Any:
    try:
        return json.loads(text), None
    except ValueError as error:
        return None, type(error)


json_values = st.recursive(
    st.none() | st.booleans() | st.floats() | st.text()
    | st.integers(min_value=-(2**80), max_value=2**80),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=5), children, max_size=4),
    max_leaves=20,
)


@given(json_values)
def test_any_value_reads_as_the_standard_library_reads_it(value: Any) -> None:
    for text in (json.dumps(value), json.dumps(value, ensure_ascii=False)):
        (ours, error), (theirs, their_error) = outcome(text), stdlib(text)
        assert error is their_error is None and same(ours, theirs), text


@pytest.mark.parametrize("text", [
    "[NaN]", "[Infinity, -Infinity]", "[1e400]", '["\\ud800"]', "[-0]", "[1.0, 1E2]",
    "[18446744073709551616]", "[-9223372036854775809]", "[12345678901234567890123]",
    '{"a": 1, "a": 2}', "  [1]  ", '"\\u00e9"', "\ufeff[1]", "[1,]", "{'a': 1}", "", "[",
    "[" * 5000 + "]" * 5000,
])
def test_edge_cases_read_as_the_standard_library_reads_them(text: str) -> None:
    for given_text in (text, ParsedBody(text)):
        try:
            expected = stdlib(given_text)
        except RecursionError:
            with pytest.raises(RecursionError):
                jsonio.loads(given_text)
            continue
        ours = outcome(given_text)
        assert ours[1] == expected[1] and same(ours[0], expected[0]), text


def test_bytes_in_other_encodings_read_as_the_standard_library_reads_them() -> None:
    for data in ('{"a": "é"}'.encode("utf-16"), b'{"a": "\xff"}', b"[1]"):
        ours, theirs = outcome(data), stdlib(data)
        assert ours[1] == theirs[1] and same(ours[0], theirs[0])


def test_a_real_envelope_reads_the_same(clock: Any) -> None:
    body = dumps(Device(clock).intent("PauseIntent", {"duration": "P2W"}, one_shot=True))
    assert same(jsonio.loads(body), json.loads(body))
    assert same(jsonio.loads(body.decode()), json.loads(body))


def test_what_is_written_reads_back_as_the_same_value() -> None:
    value = {"speech": "<speak>Tonight, é</speak>", "n": [1, 2.5, None, True], "e": {}}
    assert json.loads(jsonio.dumps(value)) == value
    assert json.loads(jsonio.dumps({"when": object}, str)) == {"when": str(object)}
    past_64_bits = {"big": [2**64, -(2**63) - 1]}
    assert json.loads(jsonio.dumps(past_64_bits)) == past_64_bits
