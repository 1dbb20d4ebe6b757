"""Resilience: DrReplication (a second region that holds the data, and AWS Backup)."""

from petplatform_constructs.resilience.dr_replication import (
    DR_STACK_SUFFIX,
    DnsFailover,
    DrReplication,
    DrReplicationProps,
)

__all__ = ["DR_STACK_SUFFIX", "DnsFailover", "DrReplication", "DrReplicationProps"]
