"""Hand-written CloudFormation for the local-cloud tests: a cloud assembly without synthesis."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

Json = dict[str, Any]
ACCOUNT = "123456789012"
LAMBDA_ROLE: Json = {
    "Type": "AWS::IAM::Role",
    "Properties": {
        "AssumeRolePolicyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    },
}


def write_assembly(root: Path, name: str, template: Json) -> Path:
    """A one-stack cloud assembly, laid out as ``cdk synth`` writes it."""
    root.mkdir(parents=True, exist_ok=True)
    (root / f"{name}.template.json").write_text(json.dumps(template))
    artifact = {
        "type": "aws:cloudformation:stack",
        "properties": {"templateFile": f"{name}.template.json", "stackName": name},
    }
    manifest = {"version": "48.0.0", "artifacts": {name: artifact}}
    (root / "manifest.json").write_text(json.dumps(manifest))
    return root


def join(*parts: object) -> Json:
    return {"Fn::Join": ["", list(parts)]}


def lambda_uri(function: str) -> Json:
    """The ``AWS_PROXY`` integration URI of the template's function ``function``."""
    return join(
        "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/",
        {"Fn::GetAtt": [function, "Arn"]},
        "/invocations",
    )
