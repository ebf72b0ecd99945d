"""The pages the store listing links to, through the real Flask app: the privacy policy per
locale and the skill icons. And the one list of stored facts behind the policy and the
readout, checked against what the household really holds.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import inspect
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from interaction_model.package_check import png_size
from skill.content import content_locales
from skill.conversation.state import HISTORY_DAYS_KEPT, EventKind, Household
from skill.conversation.stored_facts import STORED_FACTS, current_facts, readout_lines
from skill.public_pages import ICON_SIZES, privacy_policy

ROOT = Path(__file__).resolve().parent.parent
VOID = {"meta", "link", "br", "img", "hr", "input"}


class Page(HTMLParser):
    """Reads a page, checking that every element is closed in order."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.errors: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.open[-1:] or 'nothing'}")
        else:
            self.open.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    @property
    def words(self) -> str:
        return " ".join(" ".join(self.text).split())

    def count(self, tag: str) -> int:
        return sum(1 for name, _ in self.tags if name == tag)


def read_page(client: FlaskClient, url: str) -> Page:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.mimetype == "text/html"
    page = Page()
    page.feed(response.get_data(as_text=True))
    page.close()
    return page


# ------------------------------------------------------------------ privacy policy


@pytest.mark.parametrize("locale", content_locales())
def test_the_privacy_policy_is_a_plain_accessible_page(client: FlaskClient, locale: str) -> None:
    page = read_page(client, f"/privacy/{locale}")
    assert page.errors == [] and page.open == []
    assert ("html", {"lang": locale}) in page.tags
    assert page.count("title") == 1 and page.count("h1") == 1 and page.count("main") == 1
    assert page.count("h2") >= 5
    assert "Porch Light privacy policy" in page.words


@pytest.mark.parametrize("locale", content_locales())
def test_the_privacy_policy_states_every_stored_fact(client: FlaskClient, locale: str) -> None:
    page = read_page(client, f"/privacy?locale={locale}")
    facts = privacy_policy()["facts"]
    for fact in current_facts():
        assert facts[fact.key] in page.words, fact.key
        assert ("li", {"id": f"fact-{fact.key}"}) in page.tags
    for fact in set(STORED_FACTS) - set(current_facts()):
        assert facts[fact.key] not in page.words, f"{fact.key} is not stored by this version"
    assert f"for {HISTORY_DAYS_KEPT} days" in page.words
    assert "not therapy or professional advice" in page.words
    assert "help line" in page.words
    assert "forget everything" in page.words


def test_the_privacy_policy_defaults_to_en_us(client: FlaskClient) -> None:
    page = read_page(client, "/privacy")
    assert ("html", {"lang": "en-US"}) in page.tags


@pytest.mark.parametrize("url", ["/privacy/xx-XX", "/privacy?locale=<script>", "/privacy/en"])
def test_an_unknown_locale_gets_a_plain_not_found(client: FlaskClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert "<script>" not in body
    assert "en-GB" in body and "en-US" in body


def test_the_policy_describes_exactly_the_stored_facts() -> None:
    assert set(privacy_policy()["facts"]) == {fact.key for fact in STORED_FACTS}


def test_a_fact_the_household_does_not_hold_is_not_stated() -> None:
    """The time zone fact waits for the household to keep device time zones."""
    kept = {fact.key for fact in current_facts()}
    assert {"household", "level", "history", "withdrawals", "boundaries"} <= kept
    zones = any(field.name == "zones" for field in dataclasses.fields(Household))
    assert ("time_zone" in kept) is zones


# ------------------------------------------------------------ the facts themselves


def test_every_household_field_is_a_stated_fact() -> None:
    """A new stored field fails here until the privacy page (and readout) say it."""
    claimed = {name for fact in STORED_FACTS for name in fact.fields}
    # "events" holds the records, which the next test checks kind by kind.
    fields = {field.name for field in dataclasses.fields(Household)} - {"events"}
    assert fields - claimed == set(), "add them to skill/conversation/stored_facts.py"


def test_every_kind_of_household_record_is_a_stated_fact() -> None:
    claimed = {kind for fact in STORED_FACTS for kind in fact.records}
    assert {str(kind) for kind in EventKind} - claimed == set()


def test_the_readout_speaks_only_stated_facts() -> None:
    """What "what do you remember about us?" reads back is a fact the policy lists."""
    from skill.handlers.boundaries import describe
    from skill.handlers.data import remembered

    line_keys = re.compile(r"""\.line\(\s*["'](\w+)["']""")
    readout = set(line_keys.findall(inspect.getsource(remembered)))
    boundaries = set(line_keys.findall(inspect.getsource(describe)))
    framing = {"remember_intro", "remember_close", "boundaries_none"}
    assert (readout | boundaries) - framing - readout_lines() == set()
    assert readout_lines() - readout - boundaries == set(), "a fact's readout line is unused"


# --------------------------------------------------------------------------- icons


@pytest.mark.parametrize("size", ICON_SIZES)
def test_icons_are_served_at_their_size(client: FlaskClient, size: int) -> None:
    response = client.get(f"/icons/{size}.png")
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert png_size(response.get_data()) == (size, size)


@pytest.mark.parametrize("url", ["/icons/64.png", "/icons/big.png"])
def test_other_icons_are_not_found(client: FlaskClient, url: str) -> None:
    assert client.get(url).status_code == 404


def test_the_committed_icons_are_what_the_script_draws() -> None:
    """The PNGs are ours: drawn by scripts/draw_icons.py (regenerate them after a change)."""
    from PIL import Image, ImageChops, ImageStat

    spec = importlib.util.spec_from_file_location("draw_icons", ROOT / "scripts" / "draw_icons.py")
    assert spec is not None and spec.loader is not None
    draw_icons = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(draw_icons)
    for size in ICON_SIZES:
        with Image.open(ROOT / "skill" / "static" / "icons" / f"{size}.png") as committed:
            drawn = draw_icons.draw_icon(size)
            difference = ImageChops.difference(committed.convert("RGB"), drawn)
            assert max(ImageStat.Stat(difference).mean) < 1.0, size
