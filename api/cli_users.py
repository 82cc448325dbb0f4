"""`servicepunt users ...`: manage users and their bearer tokens (admin work, from the CLI)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, NoReturn

import typer
from sqlalchemy import Engine
from sqlmodel import col, select

from api.accounts import User, deactivate_user, issue_token, revoke_tokens
from api.accounts import create_user as create_account
from api.settings import get_settings
from capacity import db as capacity_db
from domain.errors import DomainError
from domain.profile_vocabulary import VerwijzerType
from domain.vocabulary import Role

users = typer.Typer(help="Gebruikers en tokens beheren", no_args_is_help=True)


def _engine() -> Engine:
    settings = get_settings()
    capacity_db.migrate(settings.database_url)
    return capacity_db.make_engine(settings.database_url)


def _fail(exc: DomainError) -> NoReturn:
    typer.echo(f"fout: {exc}", err=True)
    raise typer.Exit(code=2)


@users.command("add")
def add(
    username: Annotated[str, typer.Argument(help="gebruikersnaam")],
    role: Annotated[Role, typer.Option(help="rol (gedragswetenschapper: beoordeelt adviezen)")],
    name: Annotated[str, typer.Option(help="weergavenaam")] = "",
    provider: Annotated[str | None, typer.Option(help="aanbieder-id (rol aanbieder)")] = None,
    verwijzer_type: Annotated[
        VerwijzerType | None, typer.Option(help="COD327-code (rol verwijzer)")
    ] = None,
    token: Annotated[bool, typer.Option(help="meteen een token uitgeven")] = True,
) -> None:
    """Add a user (and print a first token, shown only once)."""
    now = datetime.now(UTC)
    try:
        with capacity_db.transaction(_engine()) as session:
            create_account(
                session,
                username=username,
                role=role,
                display_name=name,
                provider_id=provider,
                verwijzer_type=verwijzer_type,
                now=now,
            )
            secret = issue_token(session, username=username, now=now) if token else None
    except DomainError as exc:
        _fail(exc)
    typer.echo(f"gebruiker {username} ({role.value}) aangemaakt")
    if secret:
        typer.echo(f"token (wordt maar één keer getoond): {secret}")


@users.command("token")
def token(
    username: str,
    days: Annotated[int, typer.Option(min=1, max=3650, help="geldigheid in dagen")] = 365,
    label: Annotated[str, typer.Option(help="omschrijving")] = "",
) -> None:
    """Issue a new token for a user (shown only once)."""
    try:
        with capacity_db.transaction(_engine()) as session:
            secret = issue_token(
                session, username=username, now=datetime.now(UTC), label=label, days=days
            )
    except DomainError as exc:
        _fail(exc)
    typer.echo(secret)


@users.command("revoke")
def revoke(username: str) -> None:
    """Revoke every token of a user."""
    try:
        with capacity_db.transaction(_engine()) as session:
            count = revoke_tokens(session, username=username, now=datetime.now(UTC))
    except DomainError as exc:
        _fail(exc)
    typer.echo(f"{count} token(s) ingetrokken")


@users.command("deactivate")
def deactivate(username: str) -> None:
    """Deactivate a user and revoke its tokens."""
    try:
        with capacity_db.transaction(_engine()) as session:
            deactivate_user(session, username=username, now=datetime.now(UTC))
    except DomainError as exc:
        _fail(exc)
    typer.echo(f"gebruiker {username} gedeactiveerd")


@users.command("list")
def list_users() -> None:
    """List users with their role (never tokens)."""
    with capacity_db.transaction(_engine()) as session:
        for user in session.exec(select(User).order_by(col(User.username))).all():
            state = "actief" if user.active else "gedeactiveerd"
            typer.echo(f"{user.username}\t{user.role}\t{state}")
