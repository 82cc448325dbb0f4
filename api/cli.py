"""The `servicepunt` command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from pydantic import ValidationError

from afwegingskader import engine, intake, ruleset, text
from afwegingskader.models import Profile
from domain.errors import DomainError
from domain.validation import describe

app = typer.Typer(help="Servicepunt jeugdhulp met verblijf", no_args_is_help=True)


def _fail(message: str) -> NoReturn:
    typer.echo(f"fout: {message}", err=True)
    raise typer.Exit(code=2)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        _fail(f"{path}: kan bestand niet lezen ({exc.strerror})")
    except json.JSONDecodeError as exc:
        _fail(f"{path}: geen geldige JSON (regel {exc.lineno}, kolom {exc.colno})")


def _print_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


@app.command()
def advise(
    profile_file: Annotated[Path, typer.Argument(help="profiel van het kind (JSON)")],
    fmt: Annotated[str, typer.Option("--format", help="json of text")] = "json",
    rules: Annotated[Path | None, typer.Option(help="een andere regelset (YAML)")] = None,
) -> None:
    """Give the afwegingskader advice for one child profile."""
    if fmt not in ("json", "text"):
        _fail("--format: kies json of text")
    try:
        rule_set = ruleset.load_rule_set(rules) if rules else ruleset.default_rule_set()
        profile = Profile.model_validate(_read_json(profile_file))
        advice = engine.advise(profile, rule_set)
    except (ValidationError, DomainError) as exc:
        _fail(describe(exc))
    if fmt == "text":
        typer.echo(text.render_advice(advice))
    else:
        _print_json(advice.model_dump(mode="json"))


@app.command("intake")
def intake_command(
    case_file: Annotated[Path, typer.Argument(help="casusgegevens (JSON)")],
    fmt: Annotated[str, typer.Option("--format", help="json of text")] = "json",
) -> None:
    """Responsible municipality, Wlz flag, perspectiefregisseur and deadlines of a case."""
    if fmt not in ("json", "text"):
        _fail("--format: kies json of text")
    try:
        case = intake.IntakeCase.model_validate(_read_json(case_file))
        result = intake.assess(case)
    except (ValidationError, DomainError) as exc:
        _fail(describe(exc))
    if fmt == "text":
        typer.echo(intake.render_text(result))
    else:
        _print_json(result.model_dump(mode="json"))


def main() -> None:
    """Entry point that never shows a stack trace for a domain error."""
    try:
        app()
    except DomainError as exc:
        typer.echo(f"fout: {exc}", err=True)
        sys.exit(2)
