"""create_app(): routers, middleware, error handlers and the lifespan. Nothing runs at import."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from learningos import __version__
from learningos.config import Settings, get_settings
from learningos.jobs.modules import load_task_modules, periodic_work
from learningos.kit.csrf import CookieMiddleware
from learningos.kit.handlers import install_error_handlers
from learningos.kit.logging import configure_logging, get_logger
from learningos.kit.middleware import (
    BodyLimitMiddleware,
    RequestContextMiddleware,
    StaticGZipMiddleware,
)
from learningos.kit.textinput import reject_control_characters
from learningos.services import Services

STATIC_DIR = Path(__file__).parent / "web" / "static"
log = get_logger(__name__)


def create_app(settings: Settings | None = None, services: Services | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level, settings.log_json)
    load_task_modules()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = services is None
        app.state.services = services or Services.build(settings)
        if own:
            # With the in-process queue this process is also the worker: it runs the timers.
            timers = [] if settings.redis_url else periodic_work(app.state.services)
            await app.state.services.start(timers=timers)
        log.info("app.started", mode="embedded" if settings.is_embedded else "production")
        try:
            yield
        finally:
            if own:
                await app.state.services.stop()

    app = FastAPI(
        title="Learning OS",
        version=__version__,
        description="Turn your own material into real understanding.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        # Before every route: no control characters in any text input (a 422, never a 500).
        dependencies=[Depends(reject_control_characters)],
    )
    app.state.settings = settings

    from learningos.account import endpoints as account_api
    from learningos.account import pages as account_pages
    from learningos.ai import endpoints as ai_api
    from learningos.auth import endpoints as auth_api
    from learningos.auth import pages as auth_pages
    from learningos.content import endpoints as content_api
    from learningos.content import pages as content_pages
    from learningos.creator import endpoints as creator_api
    from learningos.creator import pages as creator_pages
    from learningos.discover import endpoints as discover_api
    from learningos.discover import pages as discover_pages
    from learningos.donations import endpoints as donations_api
    from learningos.donations import pages as donations_pages
    from learningos.health import endpoints as health_api
    from learningos.jobs import endpoints as jobs_api
    from learningos.learning import endpoints as learning_api
    from learningos.learning import pages as learning_pages
    from learningos.listing import endpoints as listing_api
    from learningos.listing import pages as listing_pages
    from learningos.notes import endpoints as notes_api
    from learningos.notes import pages as notes_pages
    from learningos.progress import endpoints as progress_api
    from learningos.progress import pages as progress_pages
    from learningos.review import endpoints as review_api
    from learningos.sales import endpoints as sales_api
    from learningos.sales import pages as sales_pages
    from learningos.sessions import endpoints as sessions_api
    from learningos.sessions import pages as sessions_pages
    from learningos.sharing import endpoints as sharing_api
    from learningos.sharing import pages as sharing_pages
    from learningos.testcheckout import pages as testcheckout_pages
    from learningos.web import pages as web_pages
    from learningos.web.render import render_error_page
    from learningos.webhooks import endpoints as webhooks_api
    from learningos.webhooks import pages as webhooks_pages

    for router in (
        health_api.router,
        auth_api.router,
        sales_api.router,  # before content's: /content/purchased is not /content/{id}
        discover_api.router,  # before content's `/{content_id}`
        content_api.router,
        jobs_api.router,
        ai_api.router,
        learning_api.router,
        sessions_api.router,
        progress_api.router,
        review_api.router,
        sharing_api.router,
        donations_api.router,
        webhooks_api.router,
        listing_api.router,
        auth_pages.router,
        content_pages.router,
        learning_pages.router,
        progress_pages.router,
        sessions_pages.router,
        notes_api.router,
        notes_pages.router,
        account_api.router,
        account_pages.router,
        sharing_pages.router,
        donations_pages.router,
        creator_api.router,
        creator_pages.router,
        sales_pages.router,
        testcheckout_pages.router,
        discover_pages.router,
        webhooks_pages.router,
        listing_pages.router,
        web_pages.router,
    ):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR, check_dir=False), name="static")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        # Swagger UI from our own static files: no page loads anything from another origin.
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="Learning OS API",
            swagger_js_url="/static/dist/swagger/swagger-ui-bundle.js",
            swagger_css_url="/static/dist/swagger/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
            swagger_ui_parameters={"validatorUrl": None},
        )

    install_error_handlers(app, page=render_error_page)
    # Outermost last: request context wraps everything, so every log line has the request id.
    app.add_middleware(StaticGZipMiddleware)
    app.add_middleware(CookieMiddleware, secure=settings.secure_cookies)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_credentials=True,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "X-CSRF-Token", "X-Request-ID"],
            expose_headers=["X-Request-ID", "Retry-After"],
        )
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        # Multipart framing and the form fields come on top of the file itself.
        multipart_max_bytes=settings.max_upload_bytes + 256 * 1024,
    )
    app.add_middleware(RequestContextMiddleware, hsts=settings.env == "production")
    if settings.trusted_proxies:
        # Outermost: the client address and scheme are settled before anything reads them.
        # Only these peers may set them; anyone else's X-Forwarded-* headers are ignored.
        from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    return app
