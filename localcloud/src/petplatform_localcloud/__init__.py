"""Local cloud: deploy synthesized apps to an AWS emulator on 127.0.0.1 and exercise them.

No AWS account and no Docker: moto runs in server mode inside this process, with the
CloudFormation extensions of :mod:`.moto_extensions` installed while it runs. The
``petplatform-localcloud`` distribution (``pip install petplatform-localcloud``, or the ``local``
extra of petplatform-constructs)::

    from petplatform_constructs.testing import make_app, synth
    from petplatform_localcloud import LocalCloud, deployed

    result = synth(make_app(), lambda app: homeforpup.build(app, "dev"))
    with LocalCloud() as cloud, deployed(cloud, result) as report:
        table = cloud.resource("dynamodb").Table("profiles")
        table.put_item(Item={"userId": "u1", "email": "a@example.com"})

Apps with Go functions are synthesized for the local cloud with
``make_app(context=GO_BUILD_CONTEXT)``: their ``bootstrap`` is built for this machine (the
template keeps the declared architecture).

Command line: ``python -m petplatform_localcloud deploy examples/homeforpup --stage dev``.
"""

from __future__ import annotations

from petplatform_localcloud.__about__ import __version__
from petplatform_localcloud.apigateway import (
    GatewayError,
    Invocation,
    LocalHttpApi,
    LocalRestApi,
)
from petplatform_localcloud.assembly import AssemblyStack, read_assembly
from petplatform_localcloud.deploy import deploy, deployed, destroy
from petplatform_localcloud.lambda_processes import GO_BUILD_CONTEXT
from petplatform_localcloud.lambda_runtime import (
    LambdaRuntimeError,
    LocalFunction,
)
from petplatform_localcloud.report import (
    DemoResult,
    DeployError,
    DeployReport,
    FailedResource,
    StackResult,
    format_summary,
)
from petplatform_localcloud.runtime_api import FunctionError
from petplatform_localcloud.server import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_REGION,
    LocalCloud,
    LocalCloudError,
)

__all__ = [
    "DEFAULT_ACCOUNT_ID",
    "DEFAULT_REGION",
    "GO_BUILD_CONTEXT",
    "AssemblyStack",
    "DemoResult",
    "DeployError",
    "DeployReport",
    "FailedResource",
    "FunctionError",
    "GatewayError",
    "Invocation",
    "LambdaRuntimeError",
    "LocalCloud",
    "LocalCloudError",
    "LocalFunction",
    "LocalHttpApi",
    "LocalRestApi",
    "StackResult",
    "__version__",
    "deploy",
    "deployed",
    "destroy",
    "format_summary",
    "read_assembly",
]
