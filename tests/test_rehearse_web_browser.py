"""The rehearsal page in a real browser: headless Chromium from the system's packages,
driven by Selenium (no browser or driver is ever downloaded). Each test types or presses
what a person would; screenshots of the main states go to test-screenshots/ for review."""

from __future__ import annotations

import base64
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options as ChromeOptions
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from local_tts.rehearsal.web.backend import PageRehearsal
from local_tts.ssml import plain_text
from skill.content import content_for
from tests.page_helpers import SCREENSHOTS, chromium, page_rehearsal, serving, wav_seconds
from tests.rehearsal_helpers import (
    EVENING_AT,
    Rehearse,
    prompt_in,
    starts_with_one_of,
    transcript,
    variants,
)

WAIT_SECONDS = 30
SUNDAY_AT = "2026-11-29 19:00"


@pytest.fixture
def rehearse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Rehearse:
    return Rehearse(tmp_path, monkeypatch)


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[WebDriver]:
    binary, driver_path = chromium()
    monkeypatch.setenv("SE_OFFLINE", "true")  # Selenium Manager must never fetch a driver
    options = ChromeOptions()
    options.binary_location = binary
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu",
                     "--disable-dev-shm-usage", "--window-size=1000,1300",
                     "--no-first-run", "--disable-extensions", "--mute-audio"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [
        {"name": "prefers-color-scheme", "value": "dark"}]})
    try:
        yield driver
    finally:
        driver.quit()


def open_page(rehearse: Rehearse, tmp_path: Path, at: str = EVENING_AT
              ) -> Iterator[tuple[str, PageRehearsal]]:
    with page_rehearsal(rehearse, tmp_path / "wavs", at=at) as page, serving(page) as url:
        yield url, page


@pytest.fixture
def evening(rehearse: Rehearse, tmp_path: Path) -> Iterator[tuple[str, PageRehearsal]]:
    yield from open_page(rehearse, tmp_path)


@pytest.fixture
def sunday(rehearse: Rehearse, tmp_path: Path) -> Iterator[tuple[str, PageRehearsal]]:
    yield from open_page(rehearse, tmp_path, SUNDAY_AT)


class Page:
    """The rehearsal page as a person sees it."""

    def __init__(self, driver: WebDriver, url: str) -> None:
        self.driver = driver
        self.url = url
        driver.get(url)
        self.ready()

    def ready(self) -> None:
        self.wait(lambda d: self.suggestions() and not self.busy())

    def wait(self, condition: Any) -> Any:
        return WebDriverWait(self.driver, WAIT_SECONDS).until(condition)

    def find(self, css: str) -> WebElement:
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def busy(self) -> bool:
        return self.find("#say-form").get_attribute("aria-busy") == "true"

    def suggestions(self) -> list[str]:
        return [b.text for b in self.driver.find_elements(By.CSS_SELECTOR, "#suggestions button")]

    def stage(self) -> list[str]:
        return [p.text for p in self.driver.find_elements(By.CSS_SELECTOR, "#screen .t")]

    def spoken(self) -> str:
        return str(self.driver.execute_script(
            "return document.getElementById('spoken').textContent"))

    def type_line(self, text: str) -> str:
        field = self.find("#say")
        field.clear()
        field.send_keys(text)
        return self.answer_to(lambda: field.send_keys(Keys.ENTER))

    def press(self, label: str) -> str:
        button = next(b for b in self.driver.find_elements(By.CSS_SELECTOR, "button")
                      if b.text == label and b.is_displayed())
        return self.answer_to(button.click)

    def answer_to(self, act: Any) -> str:
        self.driver.execute_script("document.getElementById('spoken').textContent = ''")
        act()
        self.wait(lambda d: not self.busy() and self.spoken())
        return self.spoken()

    def shot(self, name: str, *, whole: bool = True) -> None:
        """The whole page (or what the window shows) as test-screenshots/NAME.png."""
        SCREENSHOTS.mkdir(exist_ok=True)
        self.driver.execute_script(  # the fade-in done, as a person would see it
            "document.getAnimations().filter(a => a.effect.getTiming().iterations !== Infinity)"
            ".forEach(a => a.finish())")
        size = self.driver.execute_script(
            "return [window.innerWidth, document.documentElement.scrollHeight]")
        clip = {"x": 0, "y": 0, "width": size[0], "height": size[1], "scale": 1}
        shot = self.driver.execute_cdp_cmd("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": whole, **({"clip": clip} if whole else {})})
        (SCREENSHOTS / f"{name}.png").write_bytes(base64.b64decode(shot["data"]))


def test_tonights_prompt_is_shown_like_an_echo_show_and_spoken(
        browser: WebDriver, evening: tuple[str, PageRehearsal]) -> None:
    page = Page(browser, evening[0])
    silent = browser.execute_script("const v = document.getElementById('voice');"
                                    "return [v.getAttribute('src'), v.paused]")
    assert silent == [None, True]  # nothing plays before the person has done anything
    page.shot("1-first-visit")
    said = page.type_line("Alexa, ask Porch Light for tonight's prompt")
    prompt = prompt_in(said)
    title, text = page.stage()
    assert text == prompt.text
    assert title in variants("card_title")
    # The stage is styled by the skill's APL document, not by the page.
    colour = page.find("#screen .body").value_of_css_property("color")
    assert colour == "rgba(244, 237, 228, 1)"  # #F4EDE4
    assert page.find("#spoken").get_attribute("aria-live") == "polite"
    source = page.find("#voice").get_attribute("src")
    assert source and source.startswith(evening[0])
    with urllib.request.urlopen(source, timeout=10) as answer:
        sound = answer.read()
    assert sound[:4] == b"RIFF" and sound[8:12] == b"WAVE"
    assert wav_seconds(sound) > 1.0
    page.shot("2-tonights-prompt")
    browser.set_window_size(680, 1140)
    browser.execute_script("document.activeElement.blur(); window.scrollTo(0, 0)")
    page.shot("readme", whole=False)  # docs/images/rehearse-web.png, committed once


def test_not_now_is_answered(browser: WebDriver, evening: tuple[str, PageRehearsal]) -> None:
    page = Page(browser, evening[0])
    page.press("Tonight's prompt")
    assert page.press("Not now") in variants("not_now")
    assert page.stage()[1] in variants("not_now")
    history = page.find("#history").text
    assert "You: tonight's prompt" in history and "TonightsPromptIntent" in history
    page.shot("3-not-now")


def test_a_check_in_runs_through_next(browser: WebDriver,
                                      sunday: tuple[str, PageRehearsal]) -> None:
    page = Page(browser, sunday[0])
    assert starts_with_one_of(page.press("Start our check in"), "checkin_permission")
    assert page.find("#listening").is_displayed()
    assert "Yes please" in page.suggestions()
    assert starts_with_one_of(page.press("Yes please"), "checkin_appreciation")
    assert not page.find("#listening").is_displayed()
    assert page.suggestions()[:2] == ["Next", "Skip"]
    assert starts_with_one_of(page.press("Next"), "checkin_weather")
    assert "Our weather is cloudy" in page.suggestions()
    page.shot("4-check-in-weather")
    assert "When did the weather shift" in page.press("Our weather is cloudy")
    assert starts_with_one_of(page.press("Next"), "checkin_tense_moment")
    assert starts_with_one_of(page.press("Skip"), "checkin_skipped")
    assert starts_with_one_of(page.press("Next"), "checkin_next_week")
    assert starts_with_one_of(page.press("Next"), "checkin_close")
    assert "Next" not in page.suggestions()


def test_the_readout_panel_matches_state(browser: WebDriver, rehearse: Rehearse,
                                         evening: tuple[str, PageRehearsal]) -> None:
    page = Page(browser, evening[0])
    page.type_line("tell porch light let's not talk about money")
    page.press("Tonight's prompt")
    page.press("Not now")
    panel = page.find("#keeps-panel")
    panel.find_element(By.TAG_NAME, "summary").click()
    shown = [li.text for li in panel.find_elements(By.TAG_NAME, "li")]
    page.shot("5-what-porch-light-keeps")
    (state,) = transcript(rehearse("/state\n").stdout)
    assert shown == state.notes
    assert "Off-limits topics: money." in shown


def test_keyboard_only(browser: WebDriver, evening: tuple[str, PageRehearsal]) -> None:
    page = Page(browser, evening[0])
    keys = webdriver.ActionChains(browser)

    def tab_to(css: str, most: int = 25) -> WebElement:
        target = page.find(css)
        for _ in range(most):
            keys.send_keys(Keys.TAB).perform()
            if browser.switch_to.active_element == target:
                return target
        raise AssertionError(f"Tab never reached {css}")

    tab_to("#say")
    said = page.answer_to(lambda: keys.send_keys("tonight's prompt", Keys.ENTER).perform())
    assert prompt_in(said)
    assert browser.switch_to.active_element == page.find("#say")  # ready for the next line
    first_chip = tab_to("#suggestions button")
    assert first_chip.text == "Another one"
    assert starts_with_one_of(page.answer_to(lambda: keys.send_keys(Keys.ENTER).perform()),
                              "another_intro")
    tab_to("button.later[data-span='day']")
    keys.send_keys(" ").perform()
    page.wait(lambda d: "Saturday 28 November" in page.find("#clock").text)
    summary = tab_to("#keeps-panel summary")
    keys.send_keys(Keys.ENTER).perform()
    assert page.find("#keeps-panel").get_attribute("open") is not None
    assert summary.is_displayed() and page.find("#keeps li").is_displayed()
    mute = tab_to("#mute")
    keys.send_keys(" ").perform()
    assert mute.get_attribute("aria-pressed") == "true"
    assert browser.execute_script("return document.getElementById('voice').muted") is True


def test_the_crisis_answer_leaves_nothing_after_a_reload(
        browser: WebDriver, evening: tuple[str, PageRehearsal]) -> None:
    page = Page(browser, evening[0])
    page.press("Tonight's prompt")
    said = page.type_line("i want to hurt myself")
    assert starts_with_one_of(said, "crisis_open_self_harm")
    assert said not in " ".join(page.stage())  # no screen, no card
    assert "hurt myself" not in page.find("#history").text
    assert page.find("#say").get_attribute("value") == ""
    assert page.suggestions() == ["Yes please"]  # to hear the number again; no "another one"
    page.shot("7-crisis-answer")
    sound = page.find("#voice").get_attribute("src")
    browser.refresh()
    page.ready()
    body = page.find("body").text
    assert plain_text(content_for("en-US").lines["crisis_open_self_harm"][0])[:20] not in body
    assert "hurt" not in body and page.spoken() == ""
    with pytest.raises(urllib.error.HTTPError) as gone:
        urllib.request.urlopen(sound, timeout=10)
    gone.value.close()
    assert gone.value.code == 404


def test_a_phone_sized_window_in_the_light(browser: WebDriver,
                                           evening: tuple[str, PageRehearsal]) -> None:
    browser.set_window_size(390, 844)
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [
        {"name": "prefers-color-scheme", "value": "light"}]})
    page = Page(browser, evening[0])
    page.press("Tonight's prompt")
    width = browser.execute_script("return [document.documentElement.scrollWidth, "
                                   "document.documentElement.clientWidth]")
    assert width[0] <= width[1]  # nothing runs off the side
    assert page.find("#screen .body").size["width"] < 390
    page.shot("6-phone-light")


def test_reduced_motion_and_the_dark_scheme_are_respected(
        browser: WebDriver, evening: tuple[str, PageRehearsal]) -> None:
    page = Page(browser, evening[0])
    page.press("Tonight's prompt")
    moving = page.find("#screen").value_of_css_property("animation-name")
    dark = page.find("body").value_of_css_property("color")
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [
        {"name": "prefers-color-scheme", "value": "light"},
        {"name": "prefers-reduced-motion", "value": "reduce"}]})
    assert moving == "appear"
    assert page.find("#screen").value_of_css_property("animation-name") == "none"
    assert page.find("body").value_of_css_property("color") != dark
