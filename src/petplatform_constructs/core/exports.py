"""Cross-stack exports: one rule for export prefixes, one way to emit exported outputs.

Constructs take ``export_prefix`` and export key attributes as ``{prefix}-{Attribute}`` so that
other stacks (or other CDK apps) can ``Fn::ImportValue`` them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from aws_cdk import CfnOutput, Token
from constructs import Construct

from petplatform_constructs.core.errors import require

__all__ = ["EXPORT_PREFIX_RULE", "add_exports", "check_export_prefix"]

_EXPORT_PREFIX = re.compile(r"[A-Za-z0-9:-]{1,200}")
EXPORT_PREFIX_RULE = "letters, digits, ':' and '-', 1-200 characters (CloudFormation export names)"


def check_export_prefix(owner: str, prefix: str | None) -> None:
    """Fail at synth time unless ``prefix`` can start a CloudFormation export name."""
    if prefix is None or Token.is_unresolved(prefix):
        return
    require(
        bool(_EXPORT_PREFIX.fullmatch(prefix)), owner, "export_prefix", prefix, EXPORT_PREFIX_RULE
    )


def add_exports(
    scope: Construct, prefix: str, attributes: Mapping[str, str]
) -> dict[str, CfnOutput]:
    """Create one exported output per ``{attribute: value}``, the same way in every construct.

    The output id is ``{attribute}Output`` and the export name ``{prefix}-{attribute}``; both are
    a public contract (other stacks import the export by name).

    Returns:
        The outputs by attribute.
    """
    return {
        attribute: CfnOutput(
            scope,
            f"{attribute}Output",
            value=value,
            export_name=f"{prefix}-{attribute}",
            description=f"{attribute} of {scope.node.path}",
        )
        for attribute, value in attributes.items()
    }
