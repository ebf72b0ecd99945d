"""Households decoded once per stored form (``skill.handlers.stored``): reused only while
the stored text is unchanged, one entry per household, bounded, and forgotten on deletion."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

from skill.conversation.state import Household, PromptUse
from skill.handlers.stored import DecodedHouseholds, decode
from skill.storage.base import EVENTS, StoredAttributes, document_json, stored_attributes

EVENING = date(2026, 11, 27)
AT = datetime(2026, 11, 27, 20, 0, tzinfo=UTC)


def loaded(household: Household) -> StoredAttributes:
    """The attributes a store's ``load`` gives for ``household`` after saving it."""
    return stored_attributes(document_json(household.to_attributes()), [])


def test_an_unchanged_stored_form_is_decoded_once() -> None:
    households = DecodedHouseholds()
    household = Household(level=2, welcomed=True)
    first = households.read("k", loaded(household))
    again = households.read("k", loaded(household))  # a new read of the same text
    assert first.household == household and first.exact
    assert again is first


def test_a_changed_stored_form_is_decoded_again_and_replaces_the_old_one() -> None:
    households = DecodedHouseholds()
    households.read("k", loaded(Household(level=1)))
    history = (PromptUse(prompt_id="p1", level=2, at=AT, evening=EVENING),)
    changed = households.read("k", loaded(Household(level=2, history=history)))
    assert changed.household.level == 2 and changed.household.history == history
    assert len(households) == 1  # the old form is not kept beside it


def test_attributes_without_stored_text_are_decoded_every_time() -> None:
    households = DecodedHouseholds()
    attributes = Household(level=3).to_attributes()
    first = households.read("k", attributes)
    assert households.read("k", attributes) is not first
    assert first.household.level == 3 and len(households) == 0


def test_exact_says_whether_writing_back_would_store_the_same_text() -> None:
    assert decode(loaded(Household(level=2))).exact
    assert not decode(stored_attributes(None, [])).exact  # new: the first save writes
    older = {key: value for key, value in Household(level=2).to_attributes().items()
             if key not in ("zones", EVENTS)}  # a document written before zones were kept
    assert not decode(stored_attributes(document_json(older), [])).exact


def test_forget_drops_the_household() -> None:
    households = DecodedHouseholds()
    first = households.read("k", loaded(Household()))
    households.forget("k")
    households.forget("never-read")
    assert len(households) == 0
    assert households.read("k", loaded(Household())) is not first


def test_at_most_max_kept_households_are_kept_the_oldest_going_first() -> None:
    households = DecodedHouseholds(max_kept=3)
    first = {key: households.read(key, loaded(Household())) for key in "abcd"}
    assert len(households) == 3 and "a" not in households  # the first decoded went first
    assert households.read("b", loaded(Household())) is first["b"]  # still kept
    assert households.read("d", loaded(Household())) is first["d"]
    assert households.read("a", loaded(Household())) is not first["a"]  # decoded anew
    assert len(households) == 3 and "b" not in households  # and "b" made room for it


def test_threads_reading_at_once_all_get_the_household() -> None:
    households = DecodedHouseholds(max_kept=8)
    errors: list[BaseException] = []

    def read(index: int) -> None:
        try:
            for round_ in range(200):
                key = f"k{(index + round_) % 12}"
                decoded = households.read(key, loaded(Household(level=1 + round_ % 4)))
                assert decoded.household.level == 1 + round_ % 4
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=read, args=(index,)) for index in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(households) <= 8
