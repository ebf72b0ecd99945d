"""The ``porchlight`` command: serve the skill (more commands join as they land)."""

from __future__ import annotations

import sys
from typing import Any

import click

from skill import __version__, ops_cli
from skill.config import load_settings


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="porchlight")
def main() -> None:
    """Porch Light: one gentle conversation prompt an evening, for couples, on Alexa."""


@main.command()
@click.option("--host", help="Address to listen on [env PORCHLIGHT_HOST; default 127.0.0.1].")
@click.option("--port", type=int, help="Port [env PORCHLIGHT_PORT; default 5000].")
@click.option("--database-url",
              help="sqlite:///PATH or postgresql://... [env PORCHLIGHT_DATABASE_URL].")
@click.option("--skill-id", help="Your Alexa skill id [env PORCHLIGHT_SKILL_ID].")
@click.option("--dev", is_flag=True, default=None,
              help="No signature checks, loopback only [env PORCHLIGHT_DEV].")
@click.option("--speak", is_flag=True, help="With --dev: say every response aloud.")
def serve(speak: bool, **options: Any) -> None:
    """Serve the skill at http://HOST:PORT/alexa (signature verification on)."""
    from skill.app import ANY_SKILL_WARNING, create_app

    try:
        settings = load_settings(options)
        if speak and not settings.dev:
            raise ValueError("--speak is for development: use it with --dev")
        app = create_app(options, require_skill_id=False)
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    if speak:
        from local_tts.cli import speak_while_serving

        speak_while_serving(app)
    if not settings.skill_id:
        click.echo(ANY_SKILL_WARNING, err=True)
    click.echo(f"Porch Light is listening on http://{settings.host}:{settings.port}/alexa",
               err=True)
    wsgi_server(app, settings.host, settings.port, settings.max_body_bytes).run()


def wsgi_server(app: Any, host: str, port: int, max_body_bytes: int) -> Any:
    """The server `porchlight serve` runs: waitress, with a fixed pool of threads and each
    request read whole before a thread is given to it, so slow or idle clients cannot hold
    the threads that answer Alexa. ``.run()`` serves until stopped.

    Waitress drops a connection whose body passes its own cap, so the cap is set well above
    the app's limit: bodies between the two get the app's clear 413 answer.
    """
    from waitress.server import create_server

    return create_server(app, host=host, port=port, threads=8, channel_timeout=30,
                         max_request_body_size=4 * max_body_bytes, ident="porchlight",
                         clear_untrusted_proxy_headers=True)


main.add_command(ops_cli.db)
main.add_command(ops_cli.data)

# Commands that live with their packages; each module imports only click at load time.
from interaction_model.cli import model  # noqa: E402
from local_tts.cli import rehearse, say  # noqa: E402

main.add_command(model)
main.add_command(rehearse)
main.add_command(say)

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
