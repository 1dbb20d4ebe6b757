"""DrReplication's props, declared once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypedDict

from aws_cdk import Duration, Stack
from aws_cdk import aws_dynamodb as dynamodb  # noqa: F401 (see below)
from aws_cdk import aws_s3 as s3  # noqa: F401
from aws_cdk import aws_sns as sns

# The resource aliases are forward references to these modules and protocols: check_props
# resolves the annotations below in this module's namespace, so they are imported at runtime.
from petplatform_constructs.core.resources import (  # noqa: F401
    BucketLike,
    HasBucket,
    HasTable,
    TableLike,
)
from petplatform_constructs.platform.naming import Naming
from petplatform_constructs.platform.stage import StageProfile

__all__ = ["DrReplicationProps"]


class DrReplicationProps(TypedDict, total=False):
    """Every prop of :class:`~petplatform_constructs.DrReplication`. Only ``dr_region`` is
    required."""

    dr_region: str
    """The DR region, e.g. ``"us-east-1"``; a known AWS region other than the primary stack's.
    Required."""
    dr_stack: Stack
    """The stack that holds the DR side (replica buckets, DR vault); its region must be
    ``dr_region``. Default: a stack ``{primary stack id}Dr`` created in the same app and account."""
    tables: Sequence[TableLike]
    """Tables to replicate (each a ``TableV2``, or a ``DataTable``): a replica in ``dr_region``
    is added, an in-place update of the global table. They are also backed up. Default: none."""
    buckets: Sequence[BucketLike]
    """Buckets of the primary stack to replicate (versioning on) to a replica bucket created in
    the DR stack. They are also backed up. Default: none."""
    name: str
    """Short name of the DR resources (replica buckets ``{name}-replica-{n}``, vaults
    ``{name}-vault`` and ``{name}-dr-vault``), through the naming strategy. Default: the
    construct id, lowercased."""
    naming: Naming
    """Naming strategy. Default: the app's (``configure_platform``)."""
    stage_profile: StageProfile
    """Retention of the replica buckets, vaults and keys. Default: the app's
    (``configure_platform``)."""
    replicate_deletes: bool
    """Replicate delete markers, so a delete in the primary hides the object in the replica too.
    Default True."""
    replication_time_control: bool
    """S3 Replication Time Control: 99.99 % of objects within 15 minutes, with replication
    metrics. Default False."""
    backup: bool
    """Create the AWS Backup vaults, plan and selections. Default True."""
    backup_schedule: str
    """Schedule of the daily backup rule. Default ``"cron(0 5 * * ? *)"`` (05:00 UTC daily)."""
    retention: Duration
    """How long recovery points are kept in the primary vault. Default 30 days."""
    copy_retention: Duration
    """How long the copies are kept in the DR vault; not longer than ``retention``. Default:
    ``retention``."""
    continuous_backup: bool
    """Continuous backup for point-in-time restore (retention at most 35 days). Default True."""
    vault_lock: Duration
    """Lock the vaults (governance mode) with this minimum retention; a recovery point cannot be
    deleted earlier. Default: no lock."""
    selection_tags: Mapping[str, str]
    """Also back up every resource carrying these tags (key: value). Default: none."""
    job_failure_topic: sns.ITopic
    """Topic that receives the EventBridge events of failed, aborted or expired backup and copy
    jobs. Default: the rule matches them with no target (``backup_failures.add_target``)."""
    rpo: Duration
    """Recovery point objective, recorded as an output; the backup schedule must meet it.
    Default 24 hours."""
    rto: Duration
    """Recovery time objective, recorded as an output (meeting it is a deploy-time drill).
    Default 1 hour."""
    export_prefix: str
    """Export ``{prefix}-BackupVaultArn`` and ``{prefix}-BackupPlanId``. Default: no exports."""
