"""The `learningos` command: serve, worker, db upgrade, user create, seed."""

from __future__ import annotations

import asyncio
import getpass
import os
import sys
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from learningos.config import Settings, SettingsError, get_settings
from learningos.evaluation import app as eval_app

if TYPE_CHECKING:
    from learningos.services import Services

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
ledger_app = typer.Typer(help="The money ledger.", no_args_is_help=True)
webhooks_app = typer.Typer(help="The webhook inbox.", no_args_is_help=True)
app.add_typer(ledger_app, name="ledger")
app.add_typer(webhooks_app, name="webhooks")


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
    if settings.migrates_on_start:
        from learningos.kit.migrate import upgrade

        upgrade(settings.resolved_database_url)
    _seed_demo_on_first_start(settings)
    os.environ["LEARNINGOS_WEB_WORKERS"] = str(settings.web_workers)
    host, port = host or settings.host, port or settings.port
    banner = _banner(settings, host, port)
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        # The app itself believes X-Forwarded-* from LEARNINGOS_TRUSTED_PROXIES only.
        "proxy_headers": False,
        "access_log": False,
        "log_config": None,
    }
    if reload or settings.web_workers > 1:
        typer.echo(banner)
        workers = None if reload else settings.web_workers
        uvicorn.run("learningos.asgi:app", reload=reload, workers=workers, **options)
        return
    # One process (the embedded mode): the banner ends start-up, once the port is open.
    _serve_with_banner(uvicorn.Config("learningos.asgi:app", **options), banner)


def _banner(settings: Settings, host: str, port: int) -> str:
    """What a person needs after `make run`: where, who to sign in as, where data lives."""
    from learningos.demo import DEMO_EMAIL, DEMO_PASSWORD

    shown = "localhost" if host in ("127.0.0.1", "0.0.0.0", "::") else host  # noqa: S104
    lines = [f"Learning OS is ready: http://{shown}:{port}"]
    if settings.seeds_demo:
        lines.append(f"  Demo sign-in:  {DEMO_EMAIL} / {DEMO_PASSWORD}")
    if settings.is_embedded:
        lines.append(f"  Data folder:   {settings.data_dir.resolve()}")
    lines.append("  Stop with Ctrl+C.")
    width = max(len(line) for line in lines)
    rule = "-" * width
    return "\n".join([rule, *lines, rule])


def _serve_with_banner(config: Any, banner: str) -> None:
    """uvicorn's server in this process, printing the banner once it listens."""
    import uvicorn

    class BannerServer(uvicorn.Server):
        async def startup(self, sockets: Any = None) -> None:
            await super().startup(sockets)
            if self.started:
                typer.echo(banner)

    BannerServer(config).run()


def _seed_demo_on_first_start(settings: Settings) -> None:
    """Seed the demo learner when the database has no users (LEARNINGOS_DEMO_SEED)."""
    if not settings.seeds_demo:
        return
    from learningos.demo.seed import seed_on_first_start

    try:
        result = asyncio.run(seed_on_first_start(settings, typer.echo))
    except Exception as exc:  # noqa: BLE001 - the app starts anyway; the seed can be rerun
        typer.secho(
            f"Could not seed the demo course: {exc}. Run `learningos seed --demo` to retry.",
            fg="yellow",
            err=True,
        )
        return
    if result is not None:
        _print_demo_credentials(result.seconds)


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

    services = _services(settings)
    try:
        return await reindex_all(services, progress=lambda title: typer.echo(f"  {title}"))
    finally:
        await services.vectors.close()
        await services.db.dispose()


@app.command()
def seed(
    ctx: typer.Context,
    demo: Annotated[
        bool,
        typer.Option(
            "--demo",
            help="Create the demo learner with a short sample course, processed and ready.",
        ),
    ] = False,
) -> None:
    """Create sample data: --demo adds the demo learner and course (idempotent)."""
    if not demo:
        typer.echo(ctx.get_usage(), err=True)
        typer.secho("Nothing to seed: pass --demo for the demo learner and course.", err=True)
        raise typer.Exit(2)
    from learningos.demo.seed import DemoSeedError, seed_with_settings
    from learningos.kit.migrate import upgrade

    settings = _settings()
    if settings.migrates_on_start:
        upgrade(settings.resolved_database_url)
    try:
        result = asyncio.run(seed_with_settings(settings, typer.echo))
    except DemoSeedError as exc:
        typer.secho(str(exc), fg="red", err=True)
        raise typer.Exit(1) from exc
    if not result.changed:
        typer.echo("The demo is already set up; nothing changed.")
    _print_demo_credentials(result.seconds)


def _print_demo_credentials(seconds: float) -> None:
    from learningos.demo import DEMO_EMAIL, DEMO_PASSWORD
    from learningos.demo.creator import CREATOR_EMAIL, CREATOR_PASSWORD

    typer.echo(f"Demo creator (sells one material): {CREATOR_EMAIL} / {CREATOR_PASSWORD}")
    typer.echo(f"Demo ready ({seconds:.1f} s). Sign in as {DEMO_EMAIL} / {DEMO_PASSWORD}")


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

    if settings.migrates_on_start:
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

    services = _services(settings)
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


class NotifyKind(StrEnum):
    reviews = "reviews"
    weekly = "weekly"


@app.command()
def notify(
    kind: Annotated[
        NotifyKind,
        typer.Argument(help="reviews: today's review reminders; weekly: the weekly summary."),
    ],
    local_hour: Annotated[
        int | None,
        typer.Option(
            min=0,
            max=23,
            help="Only learners for whom it is now this hour in their own time zone "
            "(run hourly with it).",
        ),
    ] = None,
) -> None:
    """Email learners who kept these emails on (review reminders or the weekly summary).

    Run it from cron. Each learner gets at most one per day (reviews) or per week (weekly),
    however often it runs; learners with email reminders off are skipped."""
    settings = _settings()
    if settings.migrates_on_start:
        from learningos.kit.migrate import upgrade

        upgrade(settings.resolved_database_url)
    sent, skipped, failed = asyncio.run(_notify(settings, kind.value, local_hour))
    typer.echo(f"{kind.value}: {sent} sent, {skipped} with nothing to send, {failed} failed.")
    if failed:
        raise typer.Exit(1)


async def _notify(settings: Settings, kind: str, local_hour: int | None) -> tuple[int, int, int]:
    from learningos.account.tasks import notify as run_notify

    services = _services(settings)
    try:
        result = await run_notify(services, kind, local_hour=local_hour)
        return result.sent, result.skipped, result.failed
    finally:
        await services.ai.aclose()
        await services.vectors.close()
        await services.cache.close()
        await services.db.dispose()


@ledger_app.command("check")
def ledger_check() -> None:
    """Verify the books and print each creator's balances.

    Every transaction must sum to zero per currency, have entries and no zero amounts, and
    post only to accounts the app makes; the sales and donation checks add that every
    completed row has its entries and no entry lacks its row. Exits 1 on any problem."""
    settings = _settings()
    lines, problems = asyncio.run(_ledger_check(settings))
    for line in lines:
        typer.echo(line)
    for problem in problems:
        typer.secho(f"PROBLEM {problem}", fg="red", err=True)
    if problems:
        typer.secho(f"{len(problems)} problem(s) found.", fg="red", err=True)
        raise typer.Exit(1)
    typer.echo("The ledger balances.")


async def _ledger_check(settings: Settings) -> tuple[list[str], list[str]]:
    from learningos.kit.db import Database
    from learningos.ledger.report import creator_report

    db = Database(settings.resolved_database_url)
    try:
        async with db.scratch() as session:
            return await creator_report(session)
    finally:
        await db.dispose()


@webhooks_app.command("replay")
def webhooks_replay(
    event_id: Annotated[str, typer.Argument(metavar="ID", help="The webhook event's id.")],
) -> None:
    """Process a stored webhook event again now (as the admin page's "Re-run" does) and
    print its new status. Handlers are idempotent: replaying a processed event changes
    nothing."""
    import uuid

    try:
        parsed = uuid.UUID(event_id)
    except ValueError as exc:
        typer.secho(f"{event_id!r} is not an event id.", fg="red", err=True)
        raise typer.Exit(2) from exc
    settings = _settings()
    from learningos.kit.errors import NotFound

    try:
        status, error = asyncio.run(_webhooks_replay(settings, parsed))
    except NotFound as exc:
        typer.secho(exc.message, fg="red", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"Event {parsed}: {status}" + (f" ({error})" if error else ""))
    from learningos.models.webhooks import WebhookStatus

    if status == WebhookStatus.FAILED:
        raise typer.Exit(1)


async def _webhooks_replay(settings: Settings, event_id: Any) -> tuple[str, str | None]:
    from learningos.webhooks.replay import replay_now

    services = _services(settings)
    try:
        return await replay_now(services, event_id)
    finally:
        await services.ai.aclose()
        await services.vectors.close()
        await services.cache.close()
        await services.db.dispose()


def _services(settings: Settings) -> Services:
    """The services of a one-off command, with every domain's jobs registered."""
    from learningos.jobs.modules import load_task_modules
    from learningos.services import Services

    load_task_modules()
    return Services.build(settings)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
