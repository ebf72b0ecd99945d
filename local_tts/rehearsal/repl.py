"""The rehearsal loop: read a line, send it, print (and say) the answer.

At a terminal it prompts; with a script on standard input it reads one utterance per
line (blank lines and ``#`` comments skipped) and prints each turn the same way, so
whole conversations run in tests and CI.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

from local_tts.rehearsal.session import Rehearsal, RehearsalCommandError, Turn
from local_tts.rehearsal.transport import RehearsalError

HELP = """\
Type what you would say to Alexa: "ask porch light for tonight's prompt", "yes",
"another one", "not now", "open porch light"... Say "exit" to leave a session.
  /later 3 days   move the clock on (also hours, a week); an open session times out
  /as NAME        later lines come from NAME, a person Alexa recognises (/as nobody: off)
  /state          what the skill keeps about this household, and which time zone it uses
  /intents        what the model understands, with examples
  /quit           end the session and stop"""


class Repl:
    """Reads lines, sends them to the skill, prints each turn."""

    def __init__(self, rehearsal: Rehearsal, out: TextIO, err: TextIO, *,
                 interactive: bool) -> None:
        self.rehearsal = rehearsal
        self.out = out
        self.err = err
        self.interactive = interactive

    def run(self, lines: Iterable[str]) -> int:
        """Handle every line until /quit or the end; the exit status."""
        if self.interactive:
            self.say(f"Porch Light rehearsal, {self.rehearsal.now_text()}.\n"
                     'Try "ask porch light for tonight\'s prompt". /help for commands.')
        try:
            for raw in lines:
                line = raw.strip()
                if not line or line.startswith("#"):
                    continue
                if not self.interactive:
                    self.say(f"you> {line}")
                if not self.handle(line):
                    break
            self.show(self.rehearsal.leave())
        except RehearsalError as error:
            print(f"error: {error}", file=self.err)
            return 1
        return 0

    def handle(self, line: str) -> bool:
        """One line: a command or an utterance. False to stop."""
        if not line.startswith("/"):
            self.show(self.rehearsal.hear(line))
            return True
        command, _, rest = line[1:].partition(" ")
        if command in ("quit", "exit", "q"):
            return False
        try:
            if command == "later":
                timed_out, now = self.rehearsal.later(rest)
                self.show(timed_out)
                self.say(now)
            elif command == "as":
                self.say(self.rehearsal.speak_as(rest))
            elif command == "state":
                self.say("\n".join(self.rehearsal.state()))
            elif command == "intents":
                self.say("\n".join(self.rehearsal.intents()))
            elif command == "help":
                self.say(HELP)
            else:
                self.say(f"unknown command /{command}; /help lists them")
        except RehearsalCommandError as error:
            self.say(str(error))
        return True

    def show(self, turn: Turn | None) -> None:
        if turn is None:
            return
        self.say(f"[{describe_request(turn)}]")
        if turn.text:
            self.say(f"Porch Light: {turn.text}")
        if turn.wav is not None:
            self.say(f"(saved {turn.wav})")
        if turn.sound_error:
            print(f"(no sound: {turn.sound_error})", file=self.err)
        if turn.listening:
            self.say("(listening)")

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)


def describe_request(turn: Turn) -> str:
    """ "PauseIntent duration=P2W", "GentlerIntent, score 0.78", "…, nearest GentlerIntent"."""
    parts = [turn.request]
    found = turn.match
    if found is not None and not found.is_launch:
        parts += [f"{name}={value.value}" for name, value in found.slots.items()]
        if found.screened:
            parts.append("(safety screen)")
        elif found.is_fallback and found.nearest:
            parts.append(f"(nearest {found.nearest}, score {found.score:.2f})")
        elif found.score < 1.0:
            parts.append(f"(score {found.score:.2f})")
    return " ".join(parts)
