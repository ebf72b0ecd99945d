"""`porchlight model check` and `porchlight model export` (registered in skill/cli.py).

Only click is imported here; the work modules load when a command runs, so
`porchlight --help` stays fast.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.group("model")
def model() -> None:
    """Check and export the interaction models (what people can say)."""


@model.command("check")
@click.argument("paths", nargs=-1,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--package", "package_dir", metavar="DIR",
              type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Check the skill package `model export` wrote under DIR.")
def check(paths: tuple[Path, ...], package_dir: Path | None) -> None:
    """Check model files (default: every packaged locale) as Alexa's console would.

    Also checks that every locale has the same intents and that they are exactly the
    intents the skill's handlers answer, and, unless model files are named, what
    certification looks for in the skill package (the screen interface, privacy policy,
    personal-info answer, icons and store descriptions). Exits 1 on any error.
    """
    from interaction_model.package_check import check_package
    from interaction_model.validate import check_files, default_paths, handler_intents

    if package_dir is not None and not paths:
        paths = tuple(sorted((package_dir / "skill-package" / "interactionModels" / "custom")
                             .glob("*.json")))
    report = check_files(paths or default_paths(), handler_intents())
    named_files = bool(paths) and package_dir is None
    package = None if named_files else check_package(package_dir)
    report.problems += package or []
    for problem in report.problems:
        click.echo(str(problem))
    for file in report.files:
        errors = sum(1 for p in report.errors if p.file == file.name)
        click.echo(f"{file.name}: {len(file.intent_names)} intents, {file.sample_count} "
                   f"samples: {_verdict(errors)}")
    if package is not None:
        click.echo(f"skill package: {_verdict(len(package))}")
    if report.errors:
        click.echo(f"{len(report.errors)} error{'s' * (len(report.errors) != 1)}; "
                   "fix them and run `porchlight model check` again", err=True)
        sys.exit(1)


def _verdict(errors: int) -> str:
    return "ok" if not errors else f"{errors} error{'s' * (errors != 1)}"


@model.command("export")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--endpoint", required=True, metavar="URL",
              help="The skill's HTTPS endpoint, e.g. https://your.host/alexa.")
@click.option("--certificate", type=click.Choice(["trusted", "wildcard", "self-signed"]),
              default="trusted", show_default=True,
              help="The endpoint's certificate, as the Alexa console asks it.")
@click.option("--privacy-policy-url", metavar="URL",
              help="One privacy policy for every locale [default: the app's own "
                   "/privacy/<locale>, next to the endpoint].")
@click.option("--invocation-name", metavar="NAME",
              help="What people say to open the skill [default: porch light]; see "
                   "docs/publishing.md before you pick one.")
def export(directory: Path, endpoint: str, certificate: str,
           privacy_policy_url: str | None, invocation_name: str | None) -> None:
    """Write an ASK CLI skill package under DIRECTORY, ready for `ask deploy`."""
    from interaction_model.export import ExportError, export_package
    from interaction_model.validate import check_files, default_paths, handler_intents

    report = check_files(default_paths(), handler_intents())
    if report.errors:
        for problem in report.errors:
            click.echo(str(problem), err=True)
        raise click.ClickException("the models have errors; fix them before exporting")
    try:
        written = export_package(directory, endpoint, certificate, privacy_policy_url,
                                 invocation_name)
    except ExportError as error:
        raise click.ClickException(str(error)) from None
    for path in written:
        click.echo(f"wrote {path}")
    click.echo(f"Next: cd {directory} && ask deploy", err=True)
