"""The `servicepunt` command line."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer
import uvicorn
from pydantic import BaseModel, ValidationError

from afwegingskader import engine, intake, ruleset, text
from afwegingskader.models import Profile
from api.app import create_app
from api.cli_simulate import simulate as simulate_command
from api.cli_users import users
from api.cli_worker import worker as worker_command
from api.demo import region_summary, seed_demo
from api.demo_history import HISTORY_DAYS
from api.settings import Settings, get_settings
from capacity import db as capacity_db
from capacity.sync import CapacitySync, make_live_view
from domain.errors import ConfigError, DomainError
from domain.places import select_region
from domain.validation import describe
from matcher.instance import run_batch
from matcher.models import SolverSettings
from matcher.weights import load_weights

Result = TypeVar("Result", bound=BaseModel)
app = typer.Typer(help="Servicepunt jeugdhulp met verblijf", no_args_is_help=True)
app.add_typer(users, name="users")
app.command("simulate")(simulate_command)
app.command("worker")(worker_command)


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


# How a command prints its result: as JSON (the default) or as readable text.
Format = Annotated[str, typer.Option("--format", help="json of text")]


def _check_format(fmt: str) -> None:
    if fmt not in ("json", "text"):
        _fail("--format: kies json of text")


def _show(result: Result, fmt: str, render: Callable[[Result], str]) -> None:
    if fmt == "text":
        typer.echo(render(result))
    else:
        _print_json(result.model_dump(mode="json"))


@app.command()
def advise(
    profile_file: Annotated[Path, typer.Argument(help="profiel van het kind (JSON)")],
    fmt: Format = "json",
    rules: Annotated[Path | None, typer.Option(help="een andere regelset (YAML)")] = None,
) -> None:
    """Give the afwegingskader advice for one child profile."""
    _check_format(fmt)
    try:
        rule_set = ruleset.load_rule_set(rules) if rules else ruleset.default_rule_set()
        profile = Profile.model_validate(_read_json(profile_file))
        advice = engine.advise(profile, rule_set)
    except ConfigError as exc:
        _fail(str(exc))  # str() names the file too; describe() would drop it
    except (ValidationError, DomainError) as exc:
        _fail(describe(exc))
    _show(advice, fmt, text.render_advice)


@app.command("intake")
def intake_command(
    case_file: Annotated[Path, typer.Argument(help="casusgegevens (JSON)")],
    fmt: Format = "json",
) -> None:
    """Responsible municipality, Wlz flag, perspectiefregisseur and deadlines of a case."""
    _check_format(fmt)
    try:
        case = intake.IntakeCase.model_validate(_read_json(case_file))
        result = intake.assess(case)
    except (ValidationError, DomainError) as exc:
        _fail(describe(exc))
    _show(result, fmt, intake.render_text)


@app.command()
def match(
    batch: Annotated[Path, typer.Option("--batch", help="batchinstantie (JSON)")],
    explain: Annotated[bool, typer.Option(help="toon ook alle kandidaten met score")] = False,
    weights: Annotated[Path | None, typer.Option(help="een ander gewichtenbestand")] = None,
    time_limit: Annotated[float, typer.Option(help="tijdslimiet solver (s)")] = 30.0,
    workers: Annotated[int, typer.Option(help="aantal solver-threads")] = 2,
    seed: Annotated[int, typer.Option(help="seed van de solver")] = 0,
) -> None:
    """Plan all referrals of a batch instance onto free and soon-free places."""
    try:
        settings = SolverSettings(time_limit_s=time_limit, workers=workers, seed=seed)
        loaded = load_weights(weights) if weights else None
        plan = run_batch(_read_json(batch), explain=explain, settings=settings, weights=loaded)
    except ConfigError as exc:
        _fail(str(exc))
    except (ValidationError, DomainError) as exc:
        _fail(describe(exc))
    _print_json(plan)


REGION_HELP = "de regio (flevoland, ijsselland); standaard de instelling SERVICEPUNT_REGION"


def _with_region(settings: Settings, region: str | None) -> Settings:
    if region is None:
        return settings
    try:
        return Settings.model_validate({**settings.model_dump(), "region": region})
    except ValidationError as exc:
        _fail(describe(exc))


HISTORY_HELP = "dagen geschiedenis van de demo-regio (0: geen)"


def _seed(settings: Settings, history_days: int = HISTORY_DAYS) -> dict[str, str]:
    select_region(settings.region)
    capacity_db.migrate(settings.database_url)
    engine = capacity_db.make_engine(settings.database_url)
    try:
        tokens = seed_demo(
            engine,
            now=datetime.now(UTC),
            secret_key=settings.secret_key,
            history_days=history_days,
        )
        if settings.redis_url:
            # Seeding wrote the ledger directly: bring the shared live view in line with it.
            live = make_live_view(settings.redis_url, prefix=settings.redis_prefix)
            CapacitySync(live).rebuild(engine)
        typer.echo(f"demo-regio: {region_summary(engine)}")
    finally:
        engine.dispose()
    return tokens


@app.command()
def seed(
    demo_data: Annotated[bool, typer.Option("--demo", help="de demo-regio laden")] = False,
    region: Annotated[str | None, typer.Option(help=REGION_HELP)] = None,
    history_days: Annotated[int, typer.Option(min=0, max=3650, help=HISTORY_HELP)] = HISTORY_DAYS,
) -> None:
    """Load the demo region (idempotent) and print fresh tokens of the demo users."""
    if not demo_data:
        _fail("geef --demo: er is nog geen andere bron om te laden")
    for username, token in _seed(_with_region(get_settings(), region), history_days).items():
        typer.echo(f"{username}: {token}")


@app.command()
def demo(
    host: Annotated[str, typer.Option(help="adres om op te luisteren")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="poort")] = 8000,
    region: Annotated[str | None, typer.Option(help=REGION_HELP)] = None,
) -> None:
    """Run the service with demo data on the embedded default (SQLite, in-process store)."""
    settings = _with_region(get_settings(), region)
    tokens = _seed(settings)
    typer.echo("Tokens van de demo-gebruikers (Authorization: Bearer <token>):")
    for username, token in tokens.items():
        typer.echo(f"  {username}: {token}")
    typer.echo(f"Servicepunt demo op http://{host}:{port}/ (API-documentatie: /docs)")
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info")


def main() -> None:
    """Entry point that never shows a stack trace for a domain error."""
    try:
        app()
    except DomainError as exc:
        typer.echo(f"fout: {exc}", err=True)
        sys.exit(2)
