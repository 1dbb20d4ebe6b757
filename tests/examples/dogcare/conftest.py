"""Fixtures for the Dog Care handler tests: DynamoDB and Secrets Manager in moto's in-process
mock, and the fake payment provider served on loopback by a thread."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from importlib import import_module

import pytest
from dogcare_harness import (
    PROVIDER_API_KEY,
    REGION,
    SECRET_NAME,
    TABLES,
    WEB_ORIGIN,
    Api,
    Aws,
    FakeProvider,
    create_table,
    provider_handler,
)


@pytest.fixture(scope="module")
def provider_server() -> Iterator[FakeProvider]:
    provider = FakeProvider()
    server = ThreadingHTTPServer(("127.0.0.1", 0), provider_handler(provider))
    provider.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield provider
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture()
def provider(provider_server: FakeProvider) -> FakeProvider:
    provider_server.reset()
    return provider_server


@pytest.fixture(scope="module")
def aws_clients(provider_server: FakeProvider) -> Iterator[Aws]:
    """Environment as the stack sets it, and clients made once, like a warm Lambda container.

    Clients created after moto is imported are intercepted by every later ``mock_aws()``, so
    the handlers' cached clients stay valid while each test still starts from empty tables.
    """
    pytest.importorskip("moto")
    boto3 = pytest.importorskip("boto3")
    with pytest.MonkeyPatch.context() as env:
        for name, value in {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "PAYMENT_PROVIDER_URL": provider_server.url,
            "PAYMENT_PROVIDER_TIMEOUT_SECONDS": "2",
            "CORS_ALLOWED_ORIGINS": f"{WEB_ORIGIN},https://admin.dogcare.example",
            **{env_var: table_name for env_var, (table_name, _) in TABLES.items()},
        }.items():
            env.setenv(name, value)
        aws_module = import_module("dogcare_common.aws")
        aws_module.dynamodb.cache_clear()  # a new container: no client from another module
        aws_module.secretsmanager.cache_clear()
        yield Aws(boto3.resource("dynamodb"), boto3.client("secretsmanager"))
        aws_module.dynamodb.cache_clear()  # and none left behind for later modules
        aws_module.secretsmanager.cache_clear()


@pytest.fixture()
def aws(aws_clients: Aws, provider: FakeProvider, monkeypatch: pytest.MonkeyPatch) -> Iterator[Aws]:
    """Fresh tables (keys and GSIs as documented) and the provider secret, in moto."""
    from moto import mock_aws

    with mock_aws():
        for table_name, owner_index in TABLES.values():
            create_table(aws_clients.dynamodb.meta.client, table_name, owner_index=owner_index)
        secret = aws_clients.secrets.create_secret(
            Name=SECRET_NAME, SecretString=json.dumps({"api_key": PROVIDER_API_KEY})
        )
        monkeypatch.setenv("PAYMENT_SECRET_ARN", secret["ARN"])
        import_module("payment_processing.provider").API_KEY.clear()
        yield aws_clients


@pytest.fixture()
def api(aws: Aws) -> Api:
    return Api()
