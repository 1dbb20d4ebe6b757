"""DrReplication: S3 cross-region replication, DynamoDB replicas and AWS Backup to a DR region."""

from petplatform_constructs.resilience.dr_replication.construct import (
    BACKUP_PLAN_CONSTRUCT_ID,
    BACKUP_VAULT_CONSTRUCT_ID,
    DR_STACK_SUFFIX,
    DR_VAULT_CONSTRUCT_ID,
    DrReplication,
)
from petplatform_constructs.resilience.dr_replication.props import DnsFailover, DrReplicationProps

__all__ = [
    "BACKUP_PLAN_CONSTRUCT_ID",
    "BACKUP_VAULT_CONSTRUCT_ID",
    "DR_STACK_SUFFIX",
    "DR_VAULT_CONSTRUCT_ID",
    "DnsFailover",
    "DrReplication",
    "DrReplicationProps",
]
