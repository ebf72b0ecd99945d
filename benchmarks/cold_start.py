"""Cold start in a fresh process: the app's import plus ``create_app()``, against Flask alone.

Each sample is the wall time of one fresh ``python -c ...`` (interpreter start included,
the same for every case), the cases interleaved run by run. The app starts as in
production: signature checking on with certifi's roots, a SQLite file (created by the
first run, as a deployment's would be already), logging set up, bytecode caches written
by a first run. ``porchlight --help`` is the console script a person types.

``app_first_request`` is a server process's first answer: the app imported, ``create_app()``
and one signed TonightsPromptIntent POST /alexa through its WSGI app (a test authority's
roots and its chain already in the certificate cache folder, as a running server's would
be). ``create_app()`` builds the skill, its verifiers and the trusted roots on that first
request, not at start-up, so this is where that cost shows.

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
from tests.signing import TestAuthority

ROOT = Path(__file__).parent.parent
PORCHLIGHT = Path(sys.executable).parent / "porchlight"
CASES = {
    "python": [sys.executable, "-c", "pass"],
    "import_flask": [sys.executable, "-c", "import flask"],
    "app_import_and_create": [sys.executable, "-c",
                              "from skill.app import create_app; create_app()"],
    "porchlight_help": [str(PORCHLIGHT), "--help"],
    "app_first_request": [sys.executable, "-c", (
        "import json, os; from skill.app import create_app; "
        "signed = json.load(open(os.environ['PORCHLIGHT_BENCH_SIGNED'])); "
        "answer = create_app().test_client().post("
        "'/alexa', data=signed['body'], headers=signed['headers']); "
        "assert answer.status_code == 200 and 'outputSpeech' in answer.json['response']")],
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
        authority = TestAuthority(Path(folder), datetime.now(UTC))
        signed_env = {**env, "PORCHLIGHT_CA_BUNDLE": str(authority.ca_bundle),
                      "PORCHLIGHT_CERT_CACHE_DIR": str(authority.cert_cache_dir),
                      "PORCHLIGHT_BENCH_SIGNED": str(Path(folder) / "signed.json")}
        envs = {case: signed_env if case == "app_first_request" else env for case in CASES}

        def once(case: str) -> float:
            if case == "app_first_request":  # signed now: the timestamp check allows 150 s
                write_signed(authority, Path(signed_env["PORCHLIGHT_BENCH_SIGNED"]))
            started = time.perf_counter()
            subprocess.run(CASES[case], cwd=ROOT, env=envs[case], check=True,
                           capture_output=True, timeout=60)
            return (time.perf_counter() - started) * 1000

        for case in CASES:  # bytecode caches and the page cache, as on a server
            once(case)
        samples: dict[str, list[float]] = {case: [] for case in CASES}
        for _ in range(runs):
            for case in CASES:
                samples[case].append(once(case))
    found = {f"cold_{case}": figure(values, "ms") for case, values in samples.items()}
    found["cold_ratio_app_to_import_flask"] = ratio(samples["app_import_and_create"],
                                                    samples["import_flask"])
    return found


def write_signed(authority: TestAuthority, path: Path) -> None:
    """A one-shot TonightsPromptIntent body, signed now, and its headers."""
    device = Device(lambda: datetime.now(UTC), user_id="amzn1.ask.account.BENCHCOLD0002")
    event = device.intent("TonightsPromptIntent", one_shot=True)
    event["context"]["System"].pop("apiAccessToken", None)
    body = json.dumps(event).encode()
    path.write_text(json.dumps({"body": body.decode(), "headers": authority.sign(body)}))


def write_event(path: Path) -> str:
    """A one-shot TonightsPromptIntent envelope, as Lambda hands it over, without an API token."""
    device = Device(lambda: datetime.now(UTC), user_id="amzn1.ask.account.BENCHCOLD0001")
    event = device.intent("TonightsPromptIntent", one_shot=True)
    event["context"]["System"].pop("apiAccessToken", None)
    path.write_text(json.dumps(event))
    return str(path)
