"""Running `porchlight rehearse` scripts in tests and reading their transcripts."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from local_tts.ssml import plain_text
from skill.cli import main
from skill.content import content_for
from skill.conversation.prompts import Prompt

EVENING_AT = "2026-11-27 21:00"
"""A Friday evening in New York."""


@dataclass
class Rehearsed:
    """One turn of a transcript."""

    said: str
    """The line typed ("you> …")."""
    request: str = ""
    """The request line, without brackets: "LaunchRequest", "PauseIntent duration=P2W"."""
    text: str = ""
    """What Porch Light said."""
    listening: bool = False
    """The session stayed open."""
    notes: list[str] = field(default_factory=list)
    """Other lines printed for the turn."""


def transcript(output: str) -> list[Rehearsed]:
    """The turns of a script's output, in order; the final session end is its own turn."""
    turns: list[Rehearsed] = []
    for line in output.splitlines():
        if line.startswith("you> "):
            turns.append(Rehearsed(line[5:]))
        elif not turns:
            continue
        elif line.startswith("[") and line.endswith("]"):
            if turns[-1].request:
                turns.append(Rehearsed(turns[-1].said))
            turns[-1].request = line[1:-1]
        elif line.startswith("Porch Light: "):
            turns[-1].text = line[len("Porch Light: "):]
        elif line == "(listening)":
            turns[-1].listening = True
        else:
            turns[-1].notes.append(line)
    return turns


def variants(key: str) -> set[str]:
    """Every variant of a spoken line, as rehearsal prints it."""
    return {plain_text(v) for v in content_for("en-US").lines[key]}


def starts_with_one_of(text: str, key: str) -> bool:
    return any(text.startswith(v) for v in variants(key))


def prompt_in(text: str) -> Prompt:
    """The library prompt a response speaks."""
    found = [p for p in content_for("en-US").prompts if p.text in text]
    assert len(found) == 1, text
    return found[0]


class Rehearse:
    """Runs `porchlight rehearse` on a temporary database and data folder."""

    def __init__(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
        monkeypatch.delenv("PORCHLIGHT_DATABASE_URL", raising=False)
        monkeypatch.delenv("PORCHLIGHT_AUDIO_PLAYER", raising=False)
        self.database_url = f"sqlite:///{tmp_path / 'rehearsal.sqlite3'}"

    def __call__(self, script: str, *options: str, at: str | None = EVENING_AT) -> Result:
        args = ["rehearse", "--database-url", self.database_url, *options]
        if "--timezone" not in options:  # scripts read --at in New York, whatever this machine's
            args += ["--timezone", "America/New_York"]
        if at:
            args += ["--at", at]
        return CliRunner().invoke(main, args, input=script)
