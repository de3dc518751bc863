# ruff: noqa: F811
"""The real Paddle adapter against the local fake of Paddle's transactions API: the request's
path, headers and JSON, the checkout URL from the answer, retries on 5xx/429/timeouts, final
errors, and the key never in a message."""

from __future__ import annotations

from pathlib import Path

import pytest

from learningos.config import Settings
from learningos.donations.paddle import PaddleClient, PaddleError, api_url
from tests.fakes.fixtures import fake_paddle  # noqa: F401
from tests.fakes.paddle_server import DEFAULT_API_KEY, FakePaddle, NoCheckoutUrl, delay, status


def settings_for(fake: FakePaddle, tmp_path: Path, **extra: object) -> Settings:
    values: dict[str, object] = {
        "env": "test",
        "data_dir": tmp_path,
        "paddle_api_key": DEFAULT_API_KEY,
        "paddle_api_url": fake.base_url,
        "paddle_timeout_seconds": 0.5,
    }
    values.update(extra)
    return Settings(**values)  # type: ignore[arg-type]


async def create(client: PaddleClient):  # type: ignore[no-untyped-def]
    return await client.create_transaction(
        donation_id="d-1", amount_cents=500, currency="USD", recipient_name="Jane Doe"
    )


def test_env_picks_the_api() -> None:
    assert api_url(Settings(env="test")) == "https://sandbox-api.paddle.com"
    assert api_url(Settings(env="test", paddle_env="production")) == "https://api.paddle.com"


async def test_transaction_with_a_non_catalogue_price(fake_paddle: FakePaddle, tmp_path) -> None:  # noqa: F811
    client = PaddleClient(settings_for(fake_paddle, tmp_path), backoff=0.01)
    txn = await create(client)
    assert txn.id.startswith("txn_")
    assert txn.checkout_url == f"https://pay.example.com/checkout?_ptxn={txn.id}"
    (request,) = fake_paddle.requests
    assert request.path == "/transactions"
    assert request.headers["authorization"] == f"Bearer {DEFAULT_API_KEY}"
    assert request.headers["content-type"] == "application/json"
    body = request.json
    assert body["custom_data"] == {"donation_id": "d-1"}
    (item,) = body["items"]
    assert item["quantity"] == 1
    assert item["price"]["unit_price"] == {"amount": "500", "currency_code": "USD"}
    assert item["price"]["product"]["tax_category"] == "standard"
    assert "price_id" not in item


async def test_checkout_page_setting_is_sent(fake_paddle: FakePaddle, tmp_path) -> None:  # noqa: F811
    settings = settings_for(fake_paddle, tmp_path, paddle_checkout_url="https://lo.example/pay")
    txn = await create(PaddleClient(settings, backoff=0.01))
    assert txn.checkout_url == f"https://lo.example/pay?_ptxn={txn.id}"
    assert fake_paddle.requests[0].json["checkout"] == {"url": "https://lo.example/pay"}


async def test_server_errors_and_rate_limits_are_retried(fake_paddle: FakePaddle, tmp_path) -> None:  # noqa: F811
    fake_paddle.enqueue(status(503), status(429))
    txn = await create(PaddleClient(settings_for(fake_paddle, tmp_path), backoff=0.01))
    assert txn.id.startswith("txn_")
    assert len(fake_paddle.requests) == 3


async def test_persistent_server_error_gives_up(fake_paddle: FakePaddle, tmp_path) -> None:  # noqa: F811
    fake_paddle.enqueue(status(500), status(502), status(500), status(500))
    with pytest.raises(PaddleError) as caught:
        await create(PaddleClient(settings_for(fake_paddle, tmp_path), backoff=0.01))
    assert caught.value.status == 500
    assert len(fake_paddle.requests) == 3


async def test_timeout_is_retried(fake_paddle: FakePaddle, tmp_path) -> None:  # noqa: F811
    fake_paddle.enqueue(delay(1.0))
    txn = await create(PaddleClient(settings_for(fake_paddle, tmp_path), backoff=0.01))
    assert txn.id.startswith("txn_")
    assert len(fake_paddle.requests) == 2


async def test_bad_request_is_final_and_key_is_not_leaked(
    fake_paddle: FakePaddle, tmp_path
) -> None:  # noqa: F811
    fake_paddle.enqueue(status(400, "bad_request", f"bad key {DEFAULT_API_KEY}"))
    with pytest.raises(PaddleError) as caught:
        await create(PaddleClient(settings_for(fake_paddle, tmp_path), backoff=0.01))
    assert caught.value.code == "bad_request"
    assert DEFAULT_API_KEY not in str(caught.value)
    assert len(fake_paddle.requests) == 1


async def test_wrong_key_is_forbidden_without_retries(fake_paddle: FakePaddle, tmp_path) -> None:  # noqa: F811
    settings = settings_for(fake_paddle, tmp_path, paddle_api_key="pdl_wrong")
    with pytest.raises(PaddleError) as caught:
        await create(PaddleClient(settings, backoff=0.01))
    assert (caught.value.status, caught.value.code) == (403, "forbidden")
    assert len(fake_paddle.requests) == 1


async def test_no_checkout_url_is_an_error(fake_paddle: FakePaddle, tmp_path) -> None:  # noqa: F811
    fake_paddle.enqueue(NoCheckoutUrl())
    with pytest.raises(PaddleError, match="default payment link"):
        await create(PaddleClient(settings_for(fake_paddle, tmp_path), backoff=0.01))


async def test_unreachable(tmp_path) -> None:
    settings = Settings(
        env="test", data_dir=tmp_path, paddle_api_key="k", paddle_api_url="http://127.0.0.1:9"
    )  # type: ignore[call-arg]
    with pytest.raises(PaddleError) as caught:
        await create(PaddleClient(settings, backoff=0.01))
    assert caught.value.code == "unreachable"
