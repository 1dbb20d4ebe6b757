"""Engine fixes for stacks: deleted stacks, conditional resources, outputs and template URLs.

* A ``TemplateURL`` on the emulator's own endpoint (``http://127.0.0.1:PORT/bucket/key``, what
  the CLI passes for templates over 50 KiB) was read from a bucket named ``127``.
* A deleted stack, described by its id (the CLI polls that way), created its resources again.
* Resources skipped by a false ``Condition`` were listed by ``DescribeStackResources`` as
  entries without a logical id; an output got the ``ExportName`` of the first export with the
  same value.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from moto.cloudformation import models as cfn_models
from moto.cloudformation import parsing
from moto.cloudformation import responses as cfn_responses
from moto.cloudformation import utils as cfn_utils

from petplatform_localcloud.moto_extensions.patching import Patch, replace, wrap
from petplatform_localcloud.moto_extensions.records import Json

__all__ = ["PATCHES"]


def _delete_stack_resources(original: Callable[..., None]) -> Callable[..., None]:
    """After a stack is deleted, forget its template.

    moto keeps a deleted stack readable by id, and its resource and output maps create
    resources lazily on any read: the CDK CLI polls ``DescribeStacks`` with the stack id until
    ``DELETE_COMPLETE``, and reading the outputs created every deleted resource again.
    """

    def delete(self: Any) -> None:
        original(self)
        self.resource_map._resource_json_map = {}
        self.output_map._output_json_map = {}

    return delete


def _stack_resources(self: Any) -> list[Any]:
    """The stack's resources without the ones a false ``Condition`` left uncreated (moto lists
    those as ``None``, which ``DescribeStackResources`` renders without a logical id)."""
    return [resource for resource in self.resource_map.values() if resource is not None]


def _stack_outputs(self: Any) -> list[Json] | None:
    """moto's ``Stack.outputs``, with each output's own ``ExportName``: moto gives an output
    the name of the first export with the same value, so CDK's ``ExportsOutput...`` outputs
    showed another output's export name."""
    names = {
        key: parsing.clean_json(output["Export"].get("Name"), self.resource_map)
        for key, output in (self.output_map._output_json_map or {}).items()
        if output.get("Export")
    }
    outputs = [
        {
            "OutputKey": output.key,
            "OutputValue": output.value,
            "Description": output.description,
            "ExportName": names.get(output.key),
        }
        for output in self.output_map.values()
        if output
    ]
    return outputs or None


def _template_from_url(original: Callable[..., str]) -> Callable[..., str]:
    """Read a ``TemplateURL`` on the emulator's own endpoint as a path-style S3 URL.

    The CDK CLI uploads templates over 50 KiB to the assets bucket and passes
    ``http://127.0.0.1:PORT/<bucket>/<key>``; moto 5.2.5 treats anything but ``localhost`` and
    ``s3*.amazonaws.com`` as virtual-hosted and looks for a bucket named ``127``.
    """

    def get_stack_from_s3_url(template_url: str, account_id: str, partition: str) -> str:
        parts = urlsplit(template_url)
        if _is_ip_address(parts.hostname or ""):
            template_url = urlunsplit(parts._replace(netloc="localhost"))
        return original(template_url, account_id=account_id, partition=partition)

    return get_stack_from_s3_url


def _is_ip_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _from_loopback(_current: Callable[..., str]) -> Callable[..., str]:
    return _template_from_url(cfn_utils.get_stack_from_s3_url)


_stack = cfn_models.Stack
PATCHES: tuple[Patch, ...] = (
    wrap(_stack, "delete", _delete_stack_resources),
    replace(_stack, "stack_resources", property(_stack_resources)),
    replace(_stack, "outputs", property(_stack_outputs)),
    *(
        wrap(module, "get_stack_from_s3_url", _from_loopback)
        for module in (cfn_models, cfn_responses)
    ),
)
