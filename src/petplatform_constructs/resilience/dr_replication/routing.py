"""DrReplication's Route 53 routing: failover between the primary and the DR region, optionally
behind latency records.

Each record lives in the stack of the region it points to, so an alias target (a load balancer,
an API domain) is referenced in its own stack and no cross-region reference is needed; the
hosted zone is global and referred to by id.

* Failover only: ``{name}`` PRIMARY (the primary target, with an HTTPS health check) in the
  primary stack, ``{name}`` SECONDARY (the DR target) in the DR stack.
* With latency: each region gets a failover pair ``{region}.{name}`` whose PRIMARY is its own
  target (health-checked) and whose SECONDARY is the other region's, and ``{name}`` holds one
  latency record per region, an alias to its pair. Route 53 answers with the closest healthy
  region, and fails over when one is down.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import jsii
from aws_cdk import IStableStringProducer, Lazy
from aws_cdk import aws_route53 as route53
from constructs import Construct

from petplatform_constructs.resilience.dr_replication.props import DnsFailover

Failover = route53.Failover
HealthCheck = route53.HealthCheck

__all__ = ["RoutingParts", "build_routing"]


@dataclass(frozen=True)
class RoutingParts:
    """What :func:`build_routing` creates."""

    records: tuple[route53.RecordSet, ...]
    health_checks: tuple[HealthCheck, ...]
    latency_records: tuple[route53.RecordSet, ...]


@jsii.implements(route53.IAliasRecordTarget)
class _RecordInZone:
    """An alias to a record of the same zone, by name: the record may be in another stack."""

    def __init__(self, fqdn: str, zone_id: str) -> None:
        self._fqdn, self._zone_id = fqdn, zone_id

    def bind(
        self,
        record: route53.IRecordSet,
        zone: route53.IHostedZone | None = None,
    ) -> route53.AliasRecordTargetConfig:
        return route53.AliasRecordTargetConfig(
            dns_name=self._fqdn, hosted_zone_id=self._zone_id, evaluate_target_health=True
        )


@jsii.implements(route53.IAliasRecordTarget)
class _Evaluated:
    """An alias target whose health Route 53 evaluates, as a failover alias record must."""

    def __init__(self, target: route53.IAliasRecordTarget) -> None:
        self.target = target

    def bind(
        self, record: route53.IRecordSet, zone: route53.IHostedZone | None = None
    ) -> route53.AliasRecordTargetConfig:
        bound = self.target.bind(record, zone)
        return route53.AliasRecordTargetConfig(
            dns_name=bound.dns_name,
            hosted_zone_id=bound.hosted_zone_id,
            evaluate_target_health=True,
        )


def _camel(region: str) -> str:
    return region.title().replace("-", "")


@dataclass(frozen=True)
class _Side:
    scope: Construct
    region: str
    target: route53.RecordTarget | str


def fqdn(routing: DnsFailover) -> str:
    """The record's full name: ``record_name`` as given when it ends in the zone's name, else
    ``{record_name}.{zone name}`` (as Route 53 constructs read it)."""
    zone = routing.zone.zone_name.rstrip(".")
    name = routing.record_name.rstrip(".")
    return name if name == zone or name.endswith(f".{zone}") else f"{name}.{zone}"


@jsii.implements(IStableStringProducer)
class _AliasDnsName:
    """The DNS name an alias target binds to, once its record exists (at synth)."""

    def __init__(self, target: route53.RecordTarget, zone: route53.IHostedZone) -> None:
        self.target, self.zone = target, zone
        self.record: route53.IRecordSet | None = None

    def produce(self) -> str | None:
        alias = self.target.alias_target
        assert alias is not None and self.record is not None
        return alias.bind(self.record, self.zone).dns_name


def _record(
    side: _Side, id: str, routing: DnsFailover, name: str, failover: route53.Failover
) -> route53.RecordSet:
    """A failover record; a PRIMARY one with an HTTPS health check (port 443) of its target's own
    DNS name, so that Route 53 fails over when the path stops answering 2xx/3xx."""
    bound: _AliasDnsName | None = None
    if isinstance(side.target, str):
        domain = side.target
    else:  # the alias target's own name, known once it is bound to the record below
        bound = _AliasDnsName(side.target, routing.zone)
        domain = Lazy.string(bound)
    check = (
        route53.HealthCheck(
            side.scope,
            f"{id}HealthCheck",
            type=route53.HealthCheckType.HTTPS,
            fqdn=domain,
            port=443,
            resource_path=routing.health_check_path,
            enable_sni=True,
        )
        if failover == Failover.PRIMARY
        else None
    )
    identifier = f"{failover.value.lower()}-{side.region}"
    if isinstance(side.target, str):
        return route53.CnameRecord(
            side.scope, id, zone=routing.zone, record_name=name, domain_name=side.target,
            failover=failover, set_identifier=identifier, health_check=check,
        )  # fmt: skip
    alias = side.target.alias_target
    assert alias is not None and bound is not None  # validation accepts alias targets only
    target = route53.RecordTarget.from_alias(cast(route53.IAliasRecordTarget, _Evaluated(alias)))
    record = route53.ARecord(
        side.scope, id, zone=routing.zone, record_name=name, target=target,
        failover=failover, set_identifier=identifier, health_check=check,
    )  # fmt: skip
    bound.record = record
    return record


def build_routing(
    primary: Construct,
    dr: Construct,
    routing: DnsFailover,
    *,
    primary_region: str,
    dr_region: str,
) -> RoutingParts:
    """The failover records (and their health checks), and with ``routing.latency`` the latency
    records in front of one failover pair per region."""
    name = fqdn(routing)
    ours = _Side(primary, primary_region, routing.primary)
    theirs = _Side(dr, dr_region, routing.secondary)
    records: list[route53.RecordSet] = []
    checks: list[HealthCheck] = []
    pairs = ((ours, theirs), (theirs, ours)) if routing.latency else ((ours, theirs),)
    for home, other in pairs:
        pair_name = f"{home.region}.{name}" if routing.latency else name
        suffix = _camel(home.region) if routing.latency else ""
        first = _record(home, f"FailoverPrimary{suffix}", routing, pair_name, Failover.PRIMARY)
        checks.append(cast(HealthCheck, home.scope.node.find_child(f"{first.node.id}HealthCheck")))
        records.append(first)
        records.append(
            _record(other, f"FailoverSecondary{suffix}", routing, pair_name, Failover.SECONDARY)
        )
    latency: list[route53.RecordSet] = []
    if routing.latency:
        record_type = (
            route53.RecordType.CNAME if isinstance(routing.primary, str) else route53.RecordType.A
        )
        for region in (primary_region, dr_region):
            record = route53.RecordSet(
                primary,
                f"Latency{_camel(region)}",
                zone=routing.zone,
                record_name=name,
                record_type=record_type,
                region=region,
                set_identifier=f"latency-{region}",
                target=route53.RecordTarget.from_alias(
                    cast(
                        route53.IAliasRecordTarget,
                        _RecordInZone(f"{region}.{name}", routing.zone.hosted_zone_id),
                    )
                ),
            )
            for pair_record in records:  # Route 53 needs an alias's target record to exist
                if pair_record.stack is record.stack:
                    record.node.add_dependency(pair_record)
            latency.append(record)
    return RoutingParts(tuple(records), tuple(checks), tuple(latency))
