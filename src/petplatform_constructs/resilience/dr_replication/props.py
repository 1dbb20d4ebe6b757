"""DrReplication's props, declared once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypedDict

from aws_cdk import Duration, Stack
from aws_cdk import aws_dynamodb as dynamodb  # noqa: F401 (see below)
from aws_cdk import aws_route53 as route53
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

__all__ = ["DnsFailover", "DrReplicationProps"]


@dataclass(frozen=True)
class DnsFailover:
    """Route 53 routing between the primary region and the DR region (``dns_failover``).

    ``record_name`` fails over from ``primary`` (health-checked) to ``secondary``; with
    ``latency``, it first routes each client to the closer healthy region. Both targets are alias
    targets (A records: a load balancer, an API Gateway domain, CloudFront) or both domain names
    (CNAME records, so not at the zone apex).
    """

    zone: route53.IHostedZone
    """The public hosted zone, imported with its name and id
    (``HostedZone.from_hosted_zone_attributes``): records go in both regions' stacks."""
    record_name: str
    """The name clients resolve, e.g. ``"api"`` or ``"api.example.com"``."""
    primary: route53.RecordTarget | str
    """The endpoint in the primary region: ``RecordTarget.from_alias(...)`` or a domain name."""
    secondary: route53.RecordTarget | str
    """The standby endpoint in the DR region, created in the DR stack (or a domain name)."""
    health_check_path: str = "/health"
    """Path the HTTPS (port 443) health check requests on each health-checked endpoint's own
    DNS name. Default ``"/health"``."""
    latency: bool = False
    """Latency records per region in front of one failover pair per region (both regions
    serve, each fails over to the other). Default False: the DR region is a standby."""


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
    replication_metrics: bool
    """S3 Replication metrics (failed operations, latency, pending bytes and operations, billed
    as CloudWatch custom metrics), which the failed-replication alarm reads. Default True."""
    replication_time_control: bool
    """S3 Replication Time Control: 99.99 % of objects within 15 minutes (needs
    ``replication_metrics``), and a latency alarm at 15 minutes. Default False."""
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
    dns_failover: DnsFailover
    """Route 53 failover records (and latency records) between the primary and the DR region,
    for multi-region production. Default: none."""
    export_prefix: str
    """Export ``{prefix}-BackupVaultArn`` and ``{prefix}-BackupPlanId``. Default: no exports."""
