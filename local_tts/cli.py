"""`porchlight say` and `porchlight rehearse` (registered in skill/cli.py).

Only click is imported here; speech, the matcher and the skill load when a command
runs, so `porchlight --help` stays fast.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

VOICE_HELP = "A voice id, language code (en-us) or part of a voice's name."
RATE_HELP = "Base speaking rate in words per minute [default: 170]."


@click.command()
@click.argument("text")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write a WAV file instead of playing it.")
@click.option("--voice", help=VOICE_HELP)
@click.option("--rate", type=click.IntRange(80, 450), help=RATE_HELP)
@click.option("--locale", default="en-US", show_default=True,
              help="Picks a matching voice when --voice is not given.")
def say(text: str, out: Path | None, voice: str | None, rate: int | None, locale: str) -> None:
    """Say TEXT (plain text or Alexa SSML, "-" for standard input), pauses included.

    Use it to hear new lines before they ship. Without audio output it prints the
    words instead, with the pauses marked.
    """
    from local_tts.engine import (
        DEFAULT_RATE,
        SpeechFailed,
        SpeechUnavailable,
        VoiceNotFound,
        resolve_voice,
    )
    from local_tts.speaker import TextSpeaker, make_speaker
    from local_tts.ssml import SsmlError, plan_speech
    from local_tts.wav import WavWriter

    text = sys.stdin.read() if text == "-" else text
    try:
        plan_speech(text)
        writer = WavWriter(resolve_voice(voice, locale), rate or DEFAULT_RATE)
        if out is not None:
            rendering = writer.render(text, out)
            click.echo(f"wrote {out} ({rendering.seconds:.1f} s)")
            return
        speaker = make_speaker(writer)
    except (SsmlError, VoiceNotFound) as error:
        raise click.UsageError(str(error)) from None
    except SpeechUnavailable as error:
        if out is not None:
            raise click.ClickException(str(error)) from None
        click.echo(f"{error}\nShowing the words instead:", err=True)
        TextSpeaker().speak(text)
        return
    except SpeechFailed as error:
        raise click.ClickException(str(error)) from None
    try:
        speaker.speak(text)
    except (SpeechUnavailable, SpeechFailed) as error:
        raise click.ClickException(str(error)) from None


def speak_while_serving(app: Any) -> None:
    """Make a development server say each response (`serve --dev --speak`)."""
    from local_tts.engine import SpeechUnavailable, resolve_voice
    from local_tts.serving import speak_responses
    from local_tts.speaker import make_speaker
    from local_tts.wav import WavWriter

    try:
        speaker = make_speaker(WavWriter(resolve_voice(None, "en-US")))
    except SpeechUnavailable as error:
        raise click.UsageError(f"--speak: {error}") from None
    speak_responses(app, speaker)
    click.echo("Saying every response aloud.", err=True)


@click.command()
@click.option("--locale", default="en-US", show_default=True, help="Which model and words.")
@click.option("--user", metavar="NAME",
              help="Rehearse another household (default: this machine's own).")
@click.option("--database-url", metavar="URL",
              help="sqlite:///PATH for household state [default: the service's default].")
@click.option("--at", metavar="TIME",
              help='Start at this local time (in --timezone): "2026-12-01 21:00".')
@click.option("--timezone", metavar="ZONE",
              help="The simulated Echo's time zone, as Alexa reports it: "
                   '"America/Los_Angeles" [default: this computer\'s zone].')
@click.option("--person", metavar="NAME",
              help="Lines come from a person Alexa recognises (a made-up personId per "
                   "name); /as switches.")
@click.option("--endpoint", metavar="URL",
              help="Send the envelopes to a running `porchlight serve --dev` at URL.")
@click.option("--save-wav", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
              help="Write each answer to DIR/turn-NNN.wav.")
@click.option("--speak/--mute", default=None,
              help="Say answers aloud [default: aloud at a terminal, muted for scripts].")
@click.option("--voice", help=VOICE_HELP)
@click.option("--rate", type=click.IntRange(80, 450), help=RATE_HELP)
@click.option("--web", is_flag=True,
              help="Rehearse on a page in the browser (served on 127.0.0.1 only).")
@click.option("--port", type=click.IntRange(0, 65535), default=0, metavar="P",
              help="With --web: the page's port [default: any free one].")
@click.option("--no-browser", is_flag=True,
              help="With --web: print the page's address instead of opening a browser.")
def rehearse(speak: bool | None, web: bool, port: int, no_browser: bool,
             **options: Any) -> None:
    """Talk to the real skill on this computer: type what you would say to Alexa.

    Each line goes through the interaction model to a real request; the answer is
    printed and spoken. With a script on standard input (one utterance per line), each
    turn prints the request it became and the answer. With --web, the same happens on a
    page in the browser that speaks, shows the Echo Show screen and what is kept.
    """
    from local_tts.engine import SpeechUnavailable, VoiceNotFound
    from local_tts.rehearsal.repl import Repl
    from local_tts.rehearsal.setup import Options, open_rehearsal

    if web:
        _rehearse_on_a_page(Options(**options), muted=speak is False, port=port,
                            open_browser=not no_browser)
        return
    if port or no_browser:
        raise click.UsageError("--port and --no-browser go with --web")
    interactive = sys.stdin.isatty()
    try:
        rehearsal, close = open_rehearsal(Options(speak=interactive if speak is None else speak,
                                                  **options))
    except (ValueError, SpeechUnavailable, VoiceNotFound) as error:
        raise click.UsageError(str(error)) from None
    try:
        status = Repl(rehearsal, sys.stdout, sys.stderr, interactive=interactive).run(
            _terminal_lines() if interactive else sys.stdin)
    finally:
        close()
    sys.exit(status)


def _rehearse_on_a_page(options: Any, *, muted: bool, port: int, open_browser: bool) -> None:
    """`rehearse --web`: the same rehearsal (every option applies), served to a browser."""
    from local_tts.engine import SpeechUnavailable, VoiceNotFound
    from local_tts.rehearsal.web.serve import run

    try:
        run(options, muted=muted, port=port, open_browser=open_browser, out=sys.stdout)
    except (ValueError, SpeechUnavailable, VoiceNotFound) as error:
        raise click.UsageError(str(error)) from None
    except OSError as error:
        raise click.ClickException(f"cannot serve the page on port {port}: {error}") from None


def _terminal_lines() -> Iterator[str]:
    with contextlib.suppress(ImportError):  # line editing and history for input()
        import readline  # noqa: F401
    while True:
        try:
            yield input("you> ")
        except (EOFError, KeyboardInterrupt):
            print()
            return
