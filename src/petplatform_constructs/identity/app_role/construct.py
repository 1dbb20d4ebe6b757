"""AppRole: the least-privilege application role of Lambda functions and EC2 instances.

Every permission is derived from a resource handed to the construct, so the policy can only
name those resources: read/write data on tables (and their indexes), read/write objects in
buckets, read-only Cognito on user pools, SES sending, and CloudWatch Logs writing under
log-group prefixes. Tables, buckets and pools may live in other stacks; CDK then exports their
ARNs and the role's stack depends on theirs.

Every statement the library writes goes to one managed policy of its own (``Permissions``),
never to the role's default policy. Object- and index-level access brings a few wildcards
(``<bucket-arn>/*``, ``<table-arn>/index/*``); AppRole acknowledges exactly those cdk-nag
findings, finding by finding, on that policy only, once the final policy is known. A statement
the user adds (``add_to_policy``, ``resource.grant_*(app_role)``) lands in the role's default
policy, where nothing is acknowledged, so its wildcards are still reported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import jsii
from aws_cdk import ArnFormat, CfnOutput, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct
from typing_extensions import Unpack

from petplatform_constructs.core.existing import check_existing
from petplatform_constructs.core.exports import add_exports
from petplatform_constructs.core.iam import (
    KMS_DATA_KEY_REASON,
    flatten_cfn_reference,
    inherent_wildcard_findings,
    wildcard_findings,
)
from petplatform_constructs.core.props import receive
from petplatform_constructs.core.resources import as_bucket, as_table, as_user_pool
from petplatform_constructs.identity.app_role.props import SHARED_ONLY, AppRoleProps, DataAccess
from petplatform_constructs.identity.app_role.validation import EC2, RolePlan, plan_role
from petplatform_constructs.identity.auth_pool import READ_ACTIONS
from petplatform_constructs.platform.compliance import Finding, acknowledge_after_resolution

__all__ = [
    "BUCKET_ACTIONS",
    "COGNITO_READ_ACTIONS",
    "LOG_WRITE_ACTIONS",
    "POLICY_CONSTRUCT_ID",
    "ROLE_CONSTRUCT_ID",
    "SES_SEND_ACTIONS",
    "TABLE_ACTIONS",
    "AppRole",
]

ROLE_CONSTRUCT_ID = "Role"
"""Construct id of the created ``iam.Role``. Public contract: renaming it replaces the role and
changes its ARN."""

POLICY_CONSTRUCT_ID = "Permissions"
"""Construct id of the ``iam.ManagedPolicy`` that holds every statement the library writes."""

TABLE_ACTIONS: dict[DataAccess, tuple[str, ...]] = {
    "read": (
        "dynamodb:BatchGetItem",
        "dynamodb:GetItem",
        "dynamodb:Query",
        "dynamodb:ConditionCheckItem",
        "dynamodb:DescribeTable",
    ),
    "write": ("dynamodb:PutItem", "dynamodb:UpdateItem"),
    "delete": ("dynamodb:DeleteItem", "dynamodb:BatchWriteItem"),
    "scan": ("dynamodb:Scan",),
}
"""DynamoDB actions per :data:`DataAccess` choice, on the table and its indexes."""
BUCKET_ACTIONS: dict[DataAccess, tuple[str, ...]] = {
    "read": ("s3:GetObject",),
    "write": ("s3:PutObject", "s3:AbortMultipartUpload"),
    "delete": ("s3:DeleteObject",),
    "scan": (),
}
"""S3 object actions per :data:`DataAccess` choice, on ``<bucket-arn>/*`` (``read`` also gets
``s3:ListBucket`` on the bucket)."""
_KMS_READ = ("kms:Decrypt", "kms:DescribeKey")
_KMS_WRITE = ("kms:Encrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*")

COGNITO_READ_ACTIONS = READ_ACTIONS
"""Read-only Cognito actions, the same list as :meth:`AuthPool.grant_read`."""
SES_SEND_ACTIONS: tuple[str, ...] = ("ses:SendEmail", "ses:SendRawEmail")
LOG_WRITE_ACTIONS: tuple[str, ...] = (
    "logs:CreateLogGroup",
    "logs:CreateLogStream",
    "logs:PutLogEvents",
)

_TABLE_REASON = (
    "DynamoDB item actions on a table that has secondary indexes: <table-arn>/index/* "
    "addresses the indexes of that one table, which Query on a GSI needs; the actions are "
    "listed one by one, with no wildcard"
)
_BUCKET_REASON = (
    "S3 object actions on one bucket, listed one by one: <bucket-arn>/* addresses its objects, "
    "whose keys are unknown at synth time; no bucket-configuration action is granted"
)
_LOGS_REASON = (
    "log streams are named at runtime by Lambda and the CloudWatch agent: the wildcard covers "
    "the streams of the named log groups (or groups under the prefixes the app owner asked "
    "for) and nothing else, instead of the AWS managed AWSLambdaBasicExecutionRole policy"
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


@jsii.implements(iam.IPrincipal)
class _LibraryPrincipal:
    """The role as a principal whose policy statements go to the library's own policy."""

    def __init__(self, role: iam.IRole, policy: Callable[[], iam.ManagedPolicy]) -> None:
        self._role, self._policy = role, policy

    @property
    def grant_principal(self) -> iam.IPrincipal:
        return self

    @property
    def assume_role_action(self) -> str:
        return self._role.grant_principal.assume_role_action

    @property
    def policy_fragment(self) -> iam.PrincipalPolicyFragment:
        return self._role.grant_principal.policy_fragment

    @property
    def principal_account(self) -> str | None:
        return self._role.grant_principal.principal_account

    def add_to_policy(self, statement: iam.PolicyStatement) -> bool:
        return self.add_to_principal_policy(statement).statement_added

    def add_to_principal_policy(
        self, statement: iam.PolicyStatement
    ) -> iam.AddToPrincipalPolicyResult:
        policy = self._policy()
        policy.add_statements(statement)
        return iam.AddToPrincipalPolicyResult(statement_added=True, policy_dependable=policy)


@jsii.implements(iam.IGrantable)
class AppRole(Construct):
    """Least-privilege role for Lambda/EC2 with grants on the given tables, buckets and pools.

    Construct ids (stable; renaming them replaces the role and changes its ARN): ``Role``
    (:data:`ROLE_CONSTRUCT_ID`), ``InstanceProfile``, and the outputs ``RoleArnOutput``,
    ``RoleNameOutput``, ``InstanceProfileArnOutput``, ``InstanceProfileNameOutput``.

    Args:
        scope: parent construct.
        id: construct id.
        existing_role: grant to this role instead of creating one; only the grant props
            (``tables``, ``buckets``, ``user_pools``, email and log settings) and
            ``export_prefix``, ``naming``, ``stage_profile`` may come with it. Default: create
            a role.
        props: see :class:`AppRoleProps`; every prop is optional and documents its default.

    Raises:
        PropError: every invalid prop at once, each with the value received and what is allowed.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        existing_role: iam.IRole | None = None,
        **props: Unpack[AppRoleProps],
    ) -> None:
        super().__init__(scope, id)
        self._owner = f"{type(self).__name__} {self.node.path}"
        self.outputs: dict[str, CfnOutput] = {}
        """CfnOutputs by attribute (``RoleArn``, ``RoleName``, ...)."""
        self.imported = existing_role is not None
        """Whether this construct grants to an existing role instead of creating one."""

        received = receive(self._owner, AppRoleProps, props)
        problems, valid = received.problems, received.valid
        check_existing(
            problems,
            "existing_role",
            existing_role,
            {k: v for k, v in props.items() if k not in SHARED_ONLY},
        )
        plan = plan_role(
            self, problems, valid, existing_role=existing_role, rejected=received.rejected
        )
        problems.raise_if_any()
        assert plan is not None  # no problems, so the plan exists

        self.instance_profile: iam.InstanceProfile | None = None
        """The EC2 instance profile, or ``None`` (no EC2 principal, or an existing role)."""
        if existing_role is not None:
            self.role: iam.IRole = existing_role
            """The role that receives the grants: the created ``Role`` or ``existing_role``."""
        else:
            self.role = self._create(plan, valid)
        self.policy: iam.ManagedPolicy | None = None
        """The managed policy with every statement the library writes and nothing else
        (``Permissions``), or ``None`` when nothing is granted."""
        self._grantee = _LibraryPrincipal(self.role, self._library_policy)
        self._grant(plan, valid)
        export_prefix = valid.get("export_prefix")
        if export_prefix is not None:
            self._export(export_prefix)
        acknowledge_after_resolution(self, self._inherent_wildcard_findings)

    def _create(self, plan: RolePlan, props: AppRoleProps) -> iam.Role:
        role = iam.Role(
            self,
            ROLE_CONSTRUCT_ID,
            assumed_by=iam.CompositePrincipal(*(iam.ServicePrincipal(s) for s in plan.services)),
            role_name=plan.role_name,
            description=props.get("description")
            or f"Least-privilege application role for {', '.join(plan.services)}",
            max_session_duration=props.get("max_session_duration"),
            permissions_boundary=props.get("permissions_boundary"),
        )
        if EC2 in plan.services and props.get("instance_profile") is not False:
            self.instance_profile = iam.InstanceProfile(self, "InstanceProfile", role=role)
        return role

    def _library_policy(self) -> iam.ManagedPolicy:
        if self.policy is None:
            self.policy = iam.ManagedPolicy(
                self,
                POLICY_CONSTRUCT_ID,
                description="Grants that AppRole derives from the resources it was given",
                roles=[self.role],
                # One statement per action set, whatever the number of tables: a managed
                # policy holds at most 6,144 characters.
                document=iam.PolicyDocument(minimize=True),
            )
        return self.policy

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
        """Add a statement the role needs beyond its grants, to the role's own policy.

        Nothing is acknowledged there: a wildcard in ``statement`` is reported by cdk-nag.
        """
        return self.role.add_to_principal_policy(statement)

    # -- grants ----------------------------------------------------------------------------
    def _grant(self, plan: RolePlan, props: AppRoleProps) -> None:
        tables = [as_table(t) for t in props.get("tables") or ()]
        buckets = [as_bucket(b) for b in props.get("buckets") or ()]
        access = plan.data_access
        self._inherent: list[_InherentWildcards] = []
        grantee = self._grantee
        table_actions = [a for choice in access for a in TABLE_ACTIONS[choice]]
        for table in tables:
            if table_actions:
                grant = table.grant(grantee, *table_actions)
                self._inherent.append(_InherentWildcards(grant, _TABLE_REASON))
        for bucket in buckets:
            self._grant_bucket(bucket, access)
        # Customer-managed keys of the granted tables and buckets: their own ARNs only.
        keys = [t.encryption_key for t in tables] + [b.encryption_key for b in buckets]
        self._keys: list[kms.IKey] = [key for key in keys if key is not None]
        writes = bool({"write", "delete"} & set(access))
        for key in self._keys:
            iam.Grant.add_to_principal(
                grantee=grantee,
                actions=[*_KMS_READ, *(_KMS_WRITE if writes else ())],
                resource_arns=[key.key_arn],
            )
        for pool in props.get("user_pools") or ():
            as_user_pool(pool).grant(grantee, *COGNITO_READ_ACTIONS)
        if props.get("send_email") is not False:
            self._grant_send_email(props.get("ses_identity_arns"), props.get("from_address"))
        if plan.log_group_prefixes or plan.log_groups:
            grant = self._grant_logs(plan.log_groups, plan.log_group_prefixes)
            self._inherent.append(_InherentWildcards(grant, _LOGS_REASON))

    def _grant_bucket(self, bucket: s3.IBucket, access: Sequence[DataAccess]) -> None:
        object_actions = [a for choice in access for a in BUCKET_ACTIONS[choice]]
        if "read" in access:
            iam.Grant.add_to_principal(
                grantee=self._grantee, actions=["s3:ListBucket"], resource_arns=[bucket.bucket_arn]
            )
        if object_actions:
            grant = iam.Grant.add_to_principal(
                grantee=self._grantee,
                actions=object_actions,
                resource_arns=[bucket.arn_for_objects("*")],
            )
            self._inherent.append(_InherentWildcards(grant, _BUCKET_REASON))

    def _grant_send_email(
        self, identity_arns: Sequence[str] | None, from_address: str | None
    ) -> None:
        conditions = None
        if from_address is not None:
            operator = "StringLike" if "*" in from_address else "StringEquals"
            conditions = {operator: {"ses:FromAddress": from_address}}
        any_identity = Stack.of(self).format_arn(
            service="ses",
            resource="identity",
            resource_name="*",
            arn_format=ArnFormat.SLASH_RESOURCE_NAME,
        )
        grant = iam.Grant.add_to_principal(
            grantee=self._grantee,
            actions=list(SES_SEND_ACTIONS),
            resource_arns=list(identity_arns) if identity_arns is not None else [any_identity],
            conditions=conditions,
        )
        if identity_arns is None:
            self._inherent.append(_InherentWildcards(grant, _SES_REASON))

    def _grant_logs(self, names: Sequence[str], prefixes: Sequence[str]) -> iam.Grant:
        stack = Stack.of(self)

        def log_group(name: str) -> str:
            return stack.format_arn(
                service="logs",
                resource="log-group",
                resource_name=name,
                arn_format=ArnFormat.COLON_RESOURCE_NAME,
            )

        arns = [arn for name in names for arn in (log_group(name), log_group(f"{name}:*"))]
        arns += [log_group(f"{prefix}*") for prefix in prefixes]
        return iam.Grant.add_to_principal(
            grantee=self._grantee, actions=list(LOG_WRITE_ACTIONS), resource_arns=arns
        )

    def _export(self, prefix: str) -> None:
        attributes = {"RoleArn": self.role.role_arn, "RoleName": self.role.role_name}
        if self.instance_profile is not None:
            attributes["InstanceProfileArn"] = self.instance_profile.instance_profile_arn
            attributes["InstanceProfileName"] = self.instance_profile.instance_profile_name
        self.outputs.update(add_exports(self, prefix, attributes))

    # -- compliance ------------------------------------------------------------------------
    def _inherent_wildcard_findings(self) -> Iterator[Finding]:
        """The IAM5 findings that this role's grants make inherently, on the library's policy.

        Called after cross-stack references are resolved, so a finding id names the same
        ``Fn::ImportValue`` that cdk-nag reads. The KMS data-key wildcards count only on
        statements that name nothing but the granted resources' own keys.
        """
        policy = self.policy.node.default_child if self.policy is not None else None
        if isinstance(policy, iam.CfnManagedPolicy):
            stack = Stack.of(policy)
            reasons: dict[str, str] = {}
            for inherent in self._inherent:
                for finding in wildcard_findings(stack, inherent.grant.principal_statements):
                    reasons.setdefault(f"AwsSolutions-IAM5[{finding}]", inherent.reason)
            if self._keys:
                key_arns = {flatten_cfn_reference(stack.resolve(k.key_arn)) for k in self._keys}
                statements = stack.resolve(policy.policy_document).get("Statement", [])
                for rule_id, reason in inherent_wildcard_findings(statements, key_arns).items():
                    if reason == KMS_DATA_KEY_REASON:
                        reasons.setdefault(rule_id, reason)
            for rule_id, reason in reasons.items():
                yield policy, rule_id, reason
