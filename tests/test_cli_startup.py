"""`porchlight --help` stays fast: commands load their heavy modules only when they run."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from skill.cli import main

HEAVY = ("flask", "werkzeug", "ask_sdk_core", "ask_sdk_model", "pyttsx3", "yaml",
         "cryptography", "interaction_model.matcher", "local_tts.engine", "skill.app")
PROBE = """
import json, sys
from skill.cli import main
try:
    main(["--help"])
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)))
"""


def test_help_imports_nothing_heavy() -> None:
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                          timeout=60, check=True)
    loaded = set(json.loads(done.stdout.splitlines()[-1]))
    assert sorted(m for m in loaded if m.split(".")[0] in HEAVY or m in HEAVY) == []


@pytest.mark.parametrize("command", ["rehearse", "say", "model", "serve"])
def test_every_command_is_listed(command: str) -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert f"  {command} " in result.output


@pytest.mark.parametrize("args, options", [
    (["rehearse", "--help"], ["--locale", "--user", "--database-url", "--at", "--timezone",
                              "--person", "--endpoint",
                              "--save-wav", "--mute", "--voice", "--rate"]),
    (["say", "--help"], ["--out", "--voice", "--rate"]),
    (["model", "export", "--help"], ["--endpoint", "--certificate"]),
    (["serve", "--help"], ["--speak"]),
])
def test_commands_document_their_options(args: list[str], options: list[str]) -> None:
    output = CliRunner().invoke(main, args).output
    for option in options:
        assert option in output
