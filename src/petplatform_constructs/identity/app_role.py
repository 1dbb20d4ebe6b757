"""AppRole: the least-privilege application role of Lambda functions and EC2 instances.

HomeForPup's IAM stack holds one role that its services assume. Every
permission is derived from a resource handed to the construct, so the policy can only name
those resources: read/write data on tables (and their indexes), read/write objects in buckets,
read-only Cognito on user pools, SES sending, and CloudWatch Logs writing under log-group
prefixes. Tables, buckets and pools may live in other stacks; CDK then exports their ARNs and
the role's stack depends on theirs.

The L2 grants use a few wildcards that object- and index-level access cannot avoid
(``<bucket-arn>/*``, ``<table-arn>/index/*``, ``s3:GetObject*``...). AppRole acknowledges
exactly those cdk-nag findings, finding by finding, once the final policy is known; a wildcard
the user adds is still reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import jsii
from aws_cdk import ArnFormat, Duration, Stack, Token
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from petplatform_constructs.core.errors import PropError, require
from petplatform_constructs.core.exports import add_exports, check_export_prefix
from petplatform_constructs.core.iam import as_list, flatten_cfn_reference, wildcard_findings
from petplatform_constructs.identity.auth_pool import READ_ACTIONS
from petplatform_constructs.platform.compliance import (
    Finding,
    acknowledge_after_resolution,
)
from petplatform_constructs.platform.naming import Naming, ResourceKind, validate_name
from petplatform_constructs.platform.stage import StageProfile

__all__ = [
    "APP_LOG_GROUP_PREFIX",
    "COGNITO_READ_ACTIONS",
    "DEFAULT_PRINCIPALS",
    "LAMBDA_LOG_GROUP_PREFIX",
    "LOG_WRITE_ACTIONS",
    "SES_SEND_ACTIONS",
    "AppRole",
]

_OWNER = "AppRole"

COGNITO_READ_ACTIONS = READ_ACTIONS
"""Read-only Cognito actions, the same list as :meth:`AuthPool.grant_read`."""

SES_SEND_ACTIONS: tuple[str, ...] = ("ses:SendEmail", "ses:SendRawEmail")
LOG_WRITE_ACTIONS: tuple[str, ...] = (
    "logs:CreateLogGroup",
    "logs:CreateLogStream",
    "logs:PutLogEvents",
)
DEFAULT_PRINCIPALS: tuple[str, ...] = ("lambda.amazonaws.com", "ec2.amazonaws.com")
LAMBDA_LOG_GROUP_PREFIX = "/aws/lambda/"
"""Where Lambda writes function logs by default."""
APP_LOG_GROUP_PREFIX = "/petplatform/"
"""Where non-Lambda principals (EC2 with the CloudWatch agent) write, by default."""

_LAMBDA = "lambda.amazonaws.com"
_EC2 = "ec2.amazonaws.com"
_SERVICE_PRINCIPAL = re.compile(r"[a-z0-9.-]+\.amazonaws\.com")
_SES_IDENTITY_ARN = re.compile(r"arn:aws[a-z-]*:ses:[a-z0-9-]+:\d{12}:identity/\S+")
_DESCRIPTION = re.compile(r"[\t\n\r\x20-\x7e\xa1-\xff]{0,1000}")
_MIN_SESSION, _MAX_SESSION = 3600, 43200

_TABLE_REASON = (
    "DynamoDB grant_read_write_data on a table that has secondary indexes: <table-arn>/index/* "
    "addresses the indexes of that one table, which Query and Scan on a GSI need"
)
_BUCKET_REASON = (
    "S3 grant_read_write on one bucket: <bucket-arn>/* addresses its objects, whose keys are "
    "unknown at synth time, and s3:GetObject*/DeleteObject*/List*/Abort*/GetBucket* are the "
    "L2 grant's object action groups, with no bucket-configuration writes"
)
_KMS_REASON = (
    "kms:GenerateDataKey* and kms:ReEncrypt* are the data-key actions that the L2 table and "
    "bucket grants add for the resource's own customer-managed key, on that key's ARN only"
)
_KMS_DATA_KEY_WILDCARDS = frozenset({"kms:GenerateDataKey*", "kms:ReEncrypt*"})
_LOGS_REASON = (
    "Lambda and the CloudWatch agent create log groups and streams at runtime, named after "
    "functions and instances; write access is limited to the configured log-group prefixes "
    "instead of the AWS managed AWSLambdaBasicExecutionRole policy"
)
_SES_REASON = (
    "the app has no SES identity resource, so SendEmail/SendRawEmail are limited to the SES "
    "identities of this account and region until ses_identity_arns names them"
)


@dataclass(frozen=True)
class _InherentWildcards:
    """A grant whose wildcards are inherent to what it grants, and why."""

    grant: iam.Grant
    reason: str


@jsii.implements(iam.IGrantable)
class AppRole(Construct):
    """Least-privilege role for Lambda/EC2 with grants on the given tables, buckets and pools.

    Construct ids (stable; renaming them replaces the role and changes its ARN): ``Role``,
    ``InstanceProfile``, and the outputs ``RoleArn``, ``RoleName``, ``InstanceProfileArn``,
    ``InstanceProfileName``.

    Args:
        principals: service principals allowed to assume the role. Default:
            ``lambda.amazonaws.com`` and ``ec2.amazonaws.com``.
        tables: tables (possibly from other stacks) the role reads and writes, indexes included
            when the table knows it has them (``grant_read_write_data``). Default: none.
        buckets: buckets whose objects the role reads and writes (``grant_read_write``).
            Default: none.
        user_pools: user pools the role may read (:data:`COGNITO_READ_ACTIONS`). Default: none.
        send_email: allow ``ses:SendEmail``/``ses:SendRawEmail``. Default: True.
        ses_identity_arns: SES identities the role may send from. Default: every identity of
            the stack's account and region, acknowledged as such.
        from_address: restrict sending to this ``From`` address (``ses:FromAddress``; ``*``
            allowed, e.g. ``*@example.com``). Default: any address of the identities.
        log_group_prefixes: log-group name prefixes the role may create and write to; an empty
            sequence grants no logging. Default: :data:`LAMBDA_LOG_GROUP_PREFIX` when Lambda is a
            principal, :data:`APP_LOG_GROUP_PREFIX` when another principal is (both in import
            mode).
        role_name: literal role name. Default: generated by CloudFormation.
        name: short name given to the naming strategy (``ResourceKind.IAM_ROLE``) instead of
            ``role_name``. Default: none.
        description: role description. Default: says what the role is for.
        max_session_duration: 1 to 12 hours. Default: 1 hour.
        permissions_boundary: managed policy that bounds the role. Default: none.
        instance_profile: create an ``AWS::IAM::InstanceProfile`` when EC2 is a principal.
            Default: True.
        existing_role: grant to this role instead of creating one; creation props are then an
            error. Default: create a role.
        export_prefix: export the role (and instance profile) ARN and name as
            ``{export_prefix}-RoleArn`` etc. Default: no outputs.
        naming: naming strategy for ``name``. Default: the scope's.
        stage_profile: accepted for a uniform signature; a role has no stage-dependent
            settings. Default: the scope's.

    Attributes:
        role: the role that receives the grants: the created ``Role`` or ``existing_role``.
        instance_profile: the EC2 instance profile, or None (no EC2 principal, import mode).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        principals: Sequence[str] | None = None,
        tables: Sequence[dynamodb.ITable | dynamodb.ITableV2] = (),
        buckets: Sequence[s3.IBucket] = (),
        user_pools: Sequence[cognito.IUserPool] = (),
        send_email: bool = True,
        ses_identity_arns: Sequence[str] | None = None,
        from_address: str | None = None,
        log_group_prefixes: Sequence[str] | None = None,
        role_name: str | None = None,
        name: str | None = None,
        description: str | None = None,
        max_session_duration: Duration | None = None,
        permissions_boundary: iam.IManagedPolicy | None = None,
        instance_profile: bool | None = None,
        existing_role: iam.IRole | None = None,
        export_prefix: str | None = None,
        naming: Naming | None = None,
        stage_profile: StageProfile | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        _check_resources(tables, buckets, user_pools)
        _check_email(send_email, ses_identity_arns, from_address)
        check_export_prefix(_OWNER, export_prefix)
        if existing_role is not None:
            _check_import_mode(
                existing_role,
                principals=principals,
                role_name=role_name,
                name=name,
                description=description,
                max_session_duration=max_session_duration,
                permissions_boundary=permissions_boundary,
                instance_profile=instance_profile,
            )
            services: tuple[str, ...] = ()
        else:
            services = _check_principals(principals)
        prefixes = _check_log_prefixes(log_group_prefixes, services)

        self.instance_profile: iam.InstanceProfile | None = None
        if existing_role is not None:
            self.role: iam.IRole = existing_role
        else:
            self.role = iam.Role(
                self,
                "Role",
                assumed_by=iam.CompositePrincipal(*(iam.ServicePrincipal(s) for s in services)),
                role_name=self._role_name(role_name, name, naming),
                description=_check_description(description)
                or f"Least-privilege application role for {', '.join(services)}",
                max_session_duration=_check_session(max_session_duration),
                permissions_boundary=permissions_boundary,
            )
            if _EC2 in services and instance_profile is not False:
                self.instance_profile = iam.InstanceProfile(self, "InstanceProfile", role=self.role)

        self._inherent: list[_InherentWildcards] = []
        # The L2 grants add KMS statements for these keys outside the Grant they return.
        self._keys: list[kms.IKey] = [
            key
            for resource in (*tables, *buckets)
            if (key := getattr(resource, "encryption_key", None)) is not None
        ]
        for table in tables:
            self._grant_inherent(table.grant_read_write_data(self.role), _TABLE_REASON)
        for bucket in buckets:
            self._grant_inherent(bucket.grant_read_write(self.role), _BUCKET_REASON)
        for pool in user_pools:
            pool.grant(self.role, *COGNITO_READ_ACTIONS)
        if send_email:
            self._grant_send_email(ses_identity_arns, from_address)
        if prefixes:
            self._grant_inherent(self._grant_logs(prefixes), _LOGS_REASON)
        if export_prefix is not None:
            self._export(export_prefix)
        acknowledge_after_resolution(self, self._inherent_wildcard_findings)

    # -- public API ------------------------------------------------------------------------
    @property
    def grant_principal(self) -> iam.IPrincipal:
        """The role as a principal, so ``resource.grant_*(app_role)`` works."""
        return self.role.grant_principal

    @property
    def role_arn(self) -> str:
        return self.role.role_arn

    @property
    def role_name(self) -> str:
        return self.role.role_name

    def add_to_policy(self, statement: iam.PolicyStatement) -> iam.AddToPrincipalPolicyResult:
        """Add a statement the role needs beyond its grants (its wildcards are not acknowledged)."""
        return self.role.add_to_principal_policy(statement)

    # -- grants ----------------------------------------------------------------------------
    def _grant_inherent(self, grant: iam.Grant, reason: str) -> None:
        self._inherent.append(_InherentWildcards(grant, reason))

    def _grant_send_email(
        self, identity_arns: Sequence[str] | None, from_address: str | None
    ) -> None:
        conditions = None
        if from_address is not None:
            operator = "StringLike" if "*" in from_address else "StringEquals"
            conditions = {operator: {"ses:FromAddress": from_address}}
        resources = list(identity_arns) if identity_arns is not None else [self._any_identity()]
        grant = iam.Grant.add_to_principal(
            grantee=self.role,
            actions=list(SES_SEND_ACTIONS),
            resource_arns=resources,
            conditions=conditions,
        )
        if identity_arns is None:
            self._grant_inherent(grant, _SES_REASON)

    def _any_identity(self) -> str:
        return Stack.of(self).format_arn(
            service="ses",
            resource="identity",
            resource_name="*",
            arn_format=ArnFormat.SLASH_RESOURCE_NAME,
        )

    def _grant_logs(self, prefixes: Sequence[str]) -> iam.Grant:
        stack = Stack.of(self)
        return iam.Grant.add_to_principal(
            grantee=self.role,
            actions=list(LOG_WRITE_ACTIONS),
            resource_arns=[
                stack.format_arn(
                    service="logs",
                    resource="log-group",
                    resource_name=f"{prefix}*",
                    arn_format=ArnFormat.COLON_RESOURCE_NAME,
                )
                for prefix in prefixes
            ],
        )

    # -- naming and outputs ----------------------------------------------------------------
    def _role_name(
        self, role_name: str | None, name: str | None, naming: Naming | None
    ) -> str | None:
        if role_name is not None and name is not None:
            raise PropError(
                _OWNER, "role_name", role_name, f"give role_name or name ({name!r}), not both"
            )
        if name is not None:
            return Naming.of(self, naming).name(name, ResourceKind.IAM_ROLE)
        if role_name is None or Token.is_unresolved(role_name):
            return role_name
        try:
            return validate_name(ResourceKind.IAM_ROLE, role_name)
        except PropError as err:
            raise PropError(_OWNER, "role_name", role_name, err.allowed) from err

    def _export(self, prefix: str) -> None:
        outputs = {"RoleArn": self.role.role_arn, "RoleName": self.role.role_name}
        if self.instance_profile is not None:
            outputs["InstanceProfileArn"] = self.instance_profile.instance_profile_arn
            outputs["InstanceProfileName"] = self.instance_profile.instance_profile_name
        add_exports(self, prefix, outputs)

    # -- compliance ------------------------------------------------------------------------
    def _inherent_wildcard_findings(self) -> Iterator[Finding]:
        """The IAM5 findings that this role's grants make inherently, policy by policy.

        Called after cross-stack references are resolved, so a finding id names the same
        ``Fn::ImportValue`` that cdk-nag reads.
        """
        policies = [
            c
            for c in self.role.node.find_all()
            if isinstance(c, (iam.CfnPolicy, iam.CfnManagedPolicy))
        ]
        for policy in policies:
            stack = Stack.of(policy)
            reasons: dict[str, str] = {}
            for inherent in self._inherent:
                for finding in wildcard_findings(stack, inherent.grant.principal_statements):
                    reasons.setdefault(f"AwsSolutions-IAM5[{finding}]", inherent.reason)
            for action in self._key_wildcard_actions(stack, policy.policy_document):
                reasons.setdefault(f"AwsSolutions-IAM5[Action::{action}]", _KMS_REASON)
            for rule_id, reason in reasons.items():
                yield policy, rule_id, reason

    def _key_wildcard_actions(self, stack: Stack, document: object) -> set[str]:
        """KMS data-key wildcards of statements that name only the granted resources' keys."""
        if not self._keys:
            return set()
        key_arns = {flatten_cfn_reference(stack.resolve(key.key_arn)) for key in self._keys}
        found: set[str] = set()
        for statement in stack.resolve(document).get("Statement", []):
            resources = {flatten_cfn_reference(r) for r in as_list(statement.get("Resource"))}
            if statement.get("Effect") == "Allow" and resources and resources <= key_arns:
                found.update(_KMS_DATA_KEY_WILDCARDS.intersection(as_list(statement["Action"])))
        return found


# -- prop checks ---------------------------------------------------------------------------


def _describe(value: object) -> str:
    node = getattr(value, "node", None)
    path = getattr(node, "path", None)
    return f"{type(value).__name__} at {path}" if path else repr(value)


def _check_resources(
    tables: Sequence[object], buckets: Sequence[object], user_pools: Sequence[object]
) -> None:
    # jsii interfaces are not runtime-checkable, so check the members each grant relies on.
    kinds = (
        ("tables", tables, ("table_arn", "grant_read_write_data"), "ITable/ITableV2"),
        ("buckets", buckets, ("bucket_arn", "grant_read_write"), "IBucket"),
        ("user_pools", user_pools, ("user_pool_arn", "grant"), "IUserPool"),
    )
    for prop, items, members, interface in kinds:
        for item in items:
            require(
                all(hasattr(item, m) for m in members),
                _OWNER,
                prop,
                _describe(item),
                f"every item must be an {interface} (has {', '.join(members)})",
            )


def _check_email(
    send_email: bool, identity_arns: Sequence[str] | None, from_address: str | None
) -> None:
    if not send_email:
        for prop, value in (("ses_identity_arns", identity_arns), ("from_address", from_address)):
            require(value is None, _OWNER, prop, value, "only allowed with send_email=True")
        return
    if identity_arns is not None:
        require(
            bool(identity_arns),
            _OWNER,
            "ses_identity_arns",
            identity_arns,
            "give at least one SES identity ARN, None for the account default, or send_email=False",
        )
        for arn in identity_arns:
            require(
                Token.is_unresolved(arn) or bool(_SES_IDENTITY_ARN.fullmatch(arn)),
                _OWNER,
                "ses_identity_arns",
                arn,
                "SES identity ARNs look like arn:aws:ses:<region>:<account>:identity/<domain-or-"
                "email>",
            )
    if from_address is not None and not Token.is_unresolved(from_address):
        require(
            "@" in from_address and not any(c.isspace() for c in from_address),
            _OWNER,
            "from_address",
            from_address,
            "an email address such as noreply@example.com ('*' allowed, e.g. *@example.com)",
        )


def _check_principals(principals: Sequence[str] | None) -> tuple[str, ...]:
    if principals is None:
        return DEFAULT_PRINCIPALS
    require(
        not isinstance(principals, str) and bool(principals),
        _OWNER,
        "principals",
        principals,
        "a non-empty sequence of service principals, e.g. ['lambda.amazonaws.com']",
    )
    for principal in principals:
        require(
            isinstance(principal, str) and bool(_SERVICE_PRINCIPAL.fullmatch(principal)),
            _OWNER,
            "principals",
            principal,
            "service principal names such as lambda.amazonaws.com or ec2.amazonaws.com",
        )
    return tuple(dict.fromkeys(principals))


def _check_import_mode(existing_role: object, **creation_props: object) -> None:
    require(
        all(hasattr(existing_role, m) for m in ("role_arn", "add_to_principal_policy")),
        _OWNER,
        "existing_role",
        _describe(existing_role),
        "an IRole, e.g. iam.Role.from_role_arn(...)",
    )
    conflicting = sorted(prop for prop, value in creation_props.items() if value is not None)
    require(
        not conflicting,
        _OWNER,
        "existing_role",
        _describe(existing_role),
        f"an existing role cannot take creation props; remove {', '.join(conflicting)}",
    )


def _check_description(description: str | None) -> str | None:
    if description is not None and not Token.is_unresolved(description):
        require(
            bool(_DESCRIPTION.fullmatch(description)),
            _OWNER,
            "description",
            description,
            "at most 1000 printable Latin-1 characters (IAM)",
        )
    return description


def _check_session(duration: Duration | None) -> Duration | None:
    if duration is not None:
        require(
            _MIN_SESSION <= duration.to_seconds() <= _MAX_SESSION,
            _OWNER,
            "max_session_duration",
            duration.to_human_string(),
            "1 to 12 hours (IAM)",
        )
    return duration


def _check_log_prefixes(prefixes: Sequence[str] | None, services: Sequence[str]) -> list[str]:
    if prefixes is None:
        if not services:  # import mode: the principals are unknown
            return [LAMBDA_LOG_GROUP_PREFIX, APP_LOG_GROUP_PREFIX]
        defaults = [LAMBDA_LOG_GROUP_PREFIX] if _LAMBDA in services else []
        if any(s != _LAMBDA for s in services):
            defaults.append(APP_LOG_GROUP_PREFIX)
        return defaults
    require(
        not isinstance(prefixes, str),
        _OWNER,
        "log_group_prefixes",
        prefixes,
        "a sequence of prefixes, e.g. ['/aws/lambda/']",
    )
    for prefix in prefixes:
        if Token.is_unresolved(prefix):
            continue
        try:
            validate_name(ResourceKind.LOG_GROUP, prefix)
        except PropError as err:
            raise PropError(_OWNER, "log_group_prefixes", prefix, err.allowed) from err
        require(
            any(c.isalnum() for c in prefix),
            _OWNER,
            "log_group_prefixes",
            prefix,
            "a prefix that names something (e.g. '/aws/lambda/'), not only separators",
        )
    return list(dict.fromkeys(prefixes))
