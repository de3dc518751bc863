"""The `learningos` command: serve, worker, db upgrade, user create."""

from __future__ import annotations

import asyncio
import getpass
import os
import sys
from typing import Annotated

import typer

from learningos.config import Settings, SettingsError, get_settings
from learningos.evaluation import app as eval_app

app = typer.Typer(
    help="Learning OS: turn your own material into real understanding.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database migrations.", no_args_is_help=True)
user_app = typer.Typer(help="Manage user accounts.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
app.add_typer(eval_app, name="eval")


def _settings(**overrides: object) -> Settings:
    try:
        settings = Settings(**overrides) if overrides else get_settings()  # type: ignore[arg-type]
    except (SettingsError, ValueError) as exc:
        typer.secho(f"Configuration error: {_first_line(exc)}", fg="red", err=True)
        raise typer.Exit(2) from exc
    from learningos.kit.logging import configure_logging

    configure_logging(settings.log_level, settings.log_json)
    return settings


def _first_line(exc: Exception) -> str:
    text = str(exc)
    # pydantic wraps validator errors; show the operator only our message.
    for line in text.splitlines():
        if "Value error," in line:
            return line.split("Value error,", 1)[1].split("[type=")[0].strip()
    return text.splitlines()[0] if text else type(exc).__name__


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    workers: Annotated[int | None, typer.Option(help="Web worker processes.")] = None,
    reload: Annotated[bool, typer.Option(help="Reload on code changes (development).")] = False,
) -> None:
    """Serve the web app and API. Applies pending migrations first in the embedded mode."""
    import uvicorn

    settings = _settings(web_workers=workers) if workers else _settings()
    if settings.is_embedded:
        from learningos.kit.migrate import upgrade

        upgrade(settings.resolved_database_url)
    os.environ["LEARNINGOS_WEB_WORKERS"] = str(settings.web_workers)
    typer.echo(f"Learning OS on http://{host or settings.host}:{port or settings.port}")
    uvicorn.run(
        "learningos.asgi:app",
        factory=False,
        host=host or settings.host,
        port=port or settings.port,
        workers=settings.web_workers if not reload else None,
        reload=reload,
        proxy_headers=True,
        access_log=False,
        log_config=None,
    )


@app.command()
def worker(
    concurrency: Annotated[int | None, typer.Option(help="Jobs run at once.")] = None,
) -> None:
    """Run background jobs from the Redis queue (production mode)."""
    settings = _settings()
    if not settings.redis_url:
        typer.secho(
            "The worker needs LEARNINGOS_REDIS_URL. In the embedded mode jobs run inside "
            "`learningos serve`.",
            fg="red",
            err=True,
        )
        raise typer.Exit(2)
    from learningos.worker import run_worker

    asyncio.run(run_worker(settings, concurrency or settings.worker_concurrency))


@app.command()
def reindex() -> None:
    """Rebuild the vector index from the stored sections (after changing the embedding model)."""
    settings = _settings()
    count = asyncio.run(_reindex(settings))
    typer.echo(f"Re-indexed {count} content items.")


async def _reindex(settings: Settings) -> int:
    from learningos.content.reindex import reindex_all
    from learningos.services import Services

    services = Services.build(settings)
    try:
        return await reindex_all(services, progress=lambda title: typer.echo(f"  {title}"))
    finally:
        await services.vectors.close()
        await services.db.dispose()


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument(help="Target revision.")] = "head") -> None:
    """Apply database migrations up to REVISION (default: the latest)."""
    from learningos.kit.migrate import upgrade

    settings = _settings()
    upgrade(settings.resolved_database_url, revision)
    typer.echo("Database is up to date.")


@user_app.command("create")
def user_create(
    email: Annotated[str, typer.Option(prompt=True, help="Email address.")],
    name: Annotated[str, typer.Option(prompt=True, help="Display name.")],
    admin: Annotated[bool, typer.Option("--admin", help="Give the admin role.")] = False,
    creator: Annotated[bool, typer.Option("--creator", help="Give the creator role.")] = False,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Create a user (use --admin for an administrator). Prompts for the password."""
    from learningos.models.user import Role

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Repeat password: ") != password:
            typer.secho("The passwords don't match.", fg="red", err=True)
            raise typer.Exit(1)
    role = Role.ADMIN if admin else Role.CREATOR if creator else Role.USER
    settings = _settings()
    from learningos.kit.errors import AppError
    from learningos.kit.migrate import upgrade

    if settings.is_embedded:
        upgrade(settings.resolved_database_url)
    try:
        user_id, email = asyncio.run(_create_user(settings, name, email, password, role))
    except AppError as exc:
        typer.secho(exc.message, fg="red", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"Created {role.value} {email} ({user_id}).")


async def _create_user(
    settings: Settings, name: str, email: str, password: str, role: object
) -> tuple[str, str]:
    from learningos.auth.service import create_user
    from learningos.services import Services

    services = Services.build(settings)
    try:
        async with services.db.transaction() as session:
            user = await create_user(
                session,
                services,
                name=name,
                email=email,
                password=password,
                role=role,  # type: ignore[arg-type]
            )
            return str(user.id), user.email
    finally:
        await services.db.dispose()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
