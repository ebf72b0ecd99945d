"""Cold start in a fresh process: the app's import plus ``create_app()``, against Flask alone.

Each sample is the wall time of one fresh ``python -c ...`` (interpreter start included,
the same for every case), the cases interleaved run by run. The app starts as in
production: signature checking on with certifi's roots, a SQLite file (created by the
first run, as a deployment's would be already), logging set up, bytecode caches written
by a first run. ``porchlight --help`` is the console script a person types.

``lambda_first_request`` is a Lambda container's first answer: ``skill.lambda_function``
imported and its ``handler`` called with a TonightsPromptIntent envelope (settings from the
environment, a SQLite file, the skill id set). The envelope carries no API token, so the
skill asks no Settings API over the network (a real container's first request would; that
wait is the network's, not ours).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.stats import Figure, figure, ratio
from tests.envelopes import SKILL_ID, Device

ROOT = Path(__file__).parent.parent
PORCHLIGHT = Path(sys.executable).parent / "porchlight"
CASES = {
    "python": [sys.executable, "-c", "pass"],
    "import_flask": [sys.executable, "-c", "import flask"],
    "app_import_and_create": [sys.executable, "-c",
                              "from skill.app import create_app; create_app()"],
    "porchlight_help": [str(PORCHLIGHT), "--help"],
    "lambda_first_request": [sys.executable, "-c", (
        "import json, os; from skill.lambda_function import handler; "
        "event = json.load(open(os.environ['PORCHLIGHT_BENCH_EVENT'])); "
        "assert 'outputSpeech' in handler(event, None)['response']")],
}


def run(smoke: bool = False) -> dict[str, Figure]:
    runs = 1 if smoke else 20
    with tempfile.TemporaryDirectory(prefix="porchlight-bench-") as folder:
        env = {**os.environ, "PORCHLIGHT_DATABASE_URL": f"sqlite:///{folder}/cold.sqlite3",
               "PORCHLIGHT_SKILL_ID": SKILL_ID,  # create_app() needs one
               "PORCHLIGHT_BENCH_EVENT": write_event(Path(folder) / "event.json")}
        env.pop("PORCHLIGHT_CA_BUNDLE", None)
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # a server has its bytecode caches
        for command in CASES.values():  # bytecode caches and the page cache, as on a server
            subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True,
                           timeout=60)
        samples: dict[str, list[float]] = {case: [] for case in CASES}
        for _ in range(runs):
            for case, command in CASES.items():
                started = time.perf_counter()
                subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True,
                               timeout=60)
                samples[case].append((time.perf_counter() - started) * 1000)
    found = {f"cold_{case}": figure(values, "ms") for case, values in samples.items()}
    found["cold_ratio_app_to_import_flask"] = ratio(samples["app_import_and_create"],
                                                    samples["import_flask"])
    return found


def write_event(path: Path) -> str:
    """A one-shot TonightsPromptIntent envelope, as Lambda hands it over, without an API token."""
    device = Device(lambda: datetime.now(UTC), user_id="amzn1.ask.account.BENCHCOLD0001")
    event = device.intent("TonightsPromptIntent", one_shot=True)
    event["context"]["System"].pop("apiAccessToken", None)
    path.write_text(json.dumps(event))
    return str(path)
