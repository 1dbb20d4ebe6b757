"""Every rule a SecureBucket's props must meet, checked together before anything is created.

:func:`plan_bucket` turns the props into the arguments of ``s3.Bucket`` (and of the ``Cdn``, with
``cdn``) and records every problem in one :class:`~petplatform_constructs.core.errors.Problems`,
so a user sees all their mistakes in one synth.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_s3 as s3
from constructs import IConstruct

from petplatform_constructs.core.errors import Problems
from petplatform_constructs.core.names import ResourceKind, physical_name
from petplatform_constructs.core.props import check_props
from petplatform_constructs.core.resources import as_bucket
from petplatform_constructs.core.rules import check_cors_origins, check_header_names
from petplatform_constructs.edge.cdn import (
    CdnOptions,
    CdnProps,
    accepts_acls,
    access_logs_supported,
    plan_cdn,
)
from petplatform_constructs.platform.naming import Naming
from petplatform_constructs.platform.stage import StageProfile
from petplatform_constructs.storage.secure_bucket.props import (
    CDN_SHORTHANDS,
    DEFAULT_ACCESS_LOG_PREFIX,
    BucketLifecycleRule,
    CorsPolicy,
    SecureBucketProps,
    StorageTransition,
)

__all__ = ["BucketPlan", "check_days", "check_transition_days", "plan_bucket"]

_INFREQUENT_ACCESS_CLASSES = frozenset({"STANDARD_IA", "ONEZONE_IA"})
_INFREQUENT_ACCESS_MIN_DAYS = 30
_LOG_DESTINATION_RULE = (
    "an access-log destination must stay private and SSE-S3 encrypted "
    "(S3 cannot deliver server access logs to SSE-KMS buckets)"
)


@dataclass(frozen=True)
class BucketPlan:
    """The checked arguments of the ``s3.Bucket`` (and ``Cdn``) to create."""

    physical_name: str | None
    versioned: bool
    cors_rules: list[s3.CorsRule]
    lifecycle_rules: list[s3.LifecycleRule]
    removal_policy: RemovalPolicy
    auto_delete_objects: bool
    log_bucket: s3.IBucket | None
    log_prefix: str | None
    cdn: CdnProps | None
    """The Cdn's props, checked; ``None`` without ``cdn``."""


def check_transition_days(
    problems: Problems, prop: str, storage_class: s3.StorageClass, days: object
) -> bool:
    """Record a problem unless S3 accepts a transition to ``storage_class`` after ``days``."""
    if not problems.check_type(prop, days, int, "a whole number of days") or days is None:
        return False
    assert isinstance(days, int)
    if not problems.check(days >= 0, prop, days, "days must be >= 0"):
        return False
    return problems.check(
        storage_class.value not in _INFREQUENT_ACCESS_CLASSES
        or days >= _INFREQUENT_ACCESS_MIN_DAYS,
        prop,
        days,
        f"S3 moves objects to {storage_class.value} only after at least "
        f"{_INFREQUENT_ACCESS_MIN_DAYS} days",
    )


def check_days(problems: Problems, prop: str, days: object) -> bool:
    """Record a problem unless ``days`` is None or a whole number of at least 1."""
    if not problems.check_type(prop, days, int, "a whole number of days") or days is None:
        return days is None
    return problems.check(days >= 1, prop, days, "days must be >= 1")  # type: ignore[operator]


def plan_bucket(
    scope: IConstruct,
    problems: Problems,
    props: SecureBucketProps,
    profile: StageProfile,
    rejected: frozenset[str] = frozenset(),
) -> BucketPlan | None:
    """Check ``props`` and resolve them; ``None`` when a problem was recorded.

    ``rejected`` names props already reported (wrong type), so no rule reports them again.
    """
    name = physical_name(
        scope,
        problems,
        ResourceKind.S3_BUCKET,
        name=props.get("name"),
        literal=props.get("bucket_name"),
        literal_prop="bucket_name",
        strategy=lambda: Naming.of(scope, props.get("naming")),
        account_region_suffix=True,
    )
    _check_exposure(problems, props)
    log_bucket, log_prefix = _access_logs(problems, props)
    cors = props.get("cors") or ()
    policies = [cors] if isinstance(cors, CorsPolicy) else list(cors)
    cors_rules = [_cors_rule(problems, f"cors[{i}]", p) for i, p in enumerate(policies)]
    explicit_versioning = props.get("versioned")
    versioned = profile.bucket_versioning if explicit_versioning is None else explicit_versioning
    lifecycle_rules = [
        _lifecycle_rule(problems, f"lifecycle_rules[{i}]", rule, versioned, explicit_versioning)
        for i, rule in enumerate(props.get("lifecycle_rules") or ())
    ]
    removal = props.get("removal_policy") or profile.removal_policy
    auto_delete = props.get("auto_delete_objects")
    if auto_delete is None:
        auto_delete = profile.auto_delete_objects and removal == RemovalPolicy.DESTROY
    problems.check(
        not auto_delete or removal == RemovalPolicy.DESTROY,
        "auto_delete_objects",
        auto_delete,
        "auto-delete empties the bucket on deletion, which needs RemovalPolicy.DESTROY "
        f"(removal policy in force: {removal})",
    )
    # The Cdn logs to the same bucket where it can; elsewhere to a bucket of its own.
    cdn_logs = log_bucket is not None and (access_logs_supported(scope) or accepts_acls(log_bucket))
    cdn = None
    if "cdn" not in rejected:
        cdn = _cdn_props(scope, problems, props, log_bucket if cdn_logs else None, bool(policies))
    if problems:
        return None
    return BucketPlan(
        physical_name=name,
        versioned=versioned,
        cors_rules=[rule for rule in cors_rules if rule is not None],
        lifecycle_rules=[rule for rule in lifecycle_rules if rule is not None],
        removal_policy=removal,
        auto_delete_objects=auto_delete,
        log_bucket=log_bucket,
        log_prefix=(log_prefix or DEFAULT_ACCESS_LOG_PREFIX) if log_bucket else None,
        cdn=cdn,
    )


def _check_exposure(problems: Problems, props: SecureBucketProps) -> None:
    public_read, cdn, key = props.get("public_read"), props.get("cdn"), props.get("encryption_key")
    if public_read:
        problems.check(
            not cdn,
            "public_read",
            public_read,
            "public_read and cdn contradict each other: cdn serves the bucket privately "
            "through CloudFront (Origin Access Control), public_read opens the bucket itself; "
            "choose one",
        )
        problems.check(
            key is None,
            "public_read",
            public_read,
            "anonymous readers cannot decrypt SSE-KMS objects; drop encryption_key (SSE-S3) "
            "or serve the bucket with cdn=True",
        )
    if props.get("cloudfront_log_destination"):
        problems.check(
            bool(props.get("access_log_destination")),
            "cloudfront_log_destination",
            True,
            "needs access_log_destination=True: only a private, SSE-S3 log bucket may accept "
            "the ACLs CloudFront standard logging writes with",
        )
    if props.get("access_log_destination"):
        for prop, value in (("encryption_key", key), ("public_read", public_read), ("cdn", cdn)):
            problems.check(not value, prop, value, _LOG_DESTINATION_RULE)


def _access_logs(
    problems: Problems, props: SecureBucketProps
) -> tuple[s3.IBucket | None, str | None]:
    given, prefix = props.get("server_access_logs_bucket"), props.get("server_access_logs_prefix")
    problems.check(
        prefix is None or given is not None,
        "server_access_logs_prefix",
        prefix,
        "needs server_access_logs_bucket (without it the CDK would log the bucket into "
        "itself, an endless loop of log objects)",
    )
    if given is None:
        return None, prefix
    log_bucket = as_bucket(given)
    problems.check(
        log_bucket.encryption_key is None,
        "server_access_logs_bucket",
        log_bucket.node.path,
        "S3 delivers server access logs only to SSE-S3 buckets; use a bucket without a "
        "KMS key, e.g. SecureBucket(access_log_destination=True)",
    )
    return log_bucket, prefix


def _cors_rule(problems: Problems, prop: str, policy: CorsPolicy) -> s3.CorsRule | None:
    before = len(problems.errors)
    origins, methods = policy.allowed_origins, policy.allowed_methods
    if problems.check_sequence(f"{prop}.allowed_origins", origins, str, "origin strings"):
        problems.check(
            bool(origins),
            f"{prop}.allowed_origins",
            list(origins),
            "at least one origin, e.g. ['https://app.example.com'] or ['*']",
        )
        check_cors_origins(problems, f"{prop}.allowed_origins", origins, wildcard_subdomains=True)
    if problems.check_sequence(f"{prop}.allowed_methods", methods, s3.HttpMethods, "HttpMethods"):
        problems.check(
            bool(methods),
            f"{prop}.allowed_methods",
            list(methods),
            "at least one of GET, PUT, POST, DELETE, HEAD",
        )
    for field_name in ("allowed_headers", "exposed_headers"):
        check_header_names(problems, f"{prop}.{field_name}", getattr(policy, field_name))
    allowed_headers = policy.allowed_headers
    for header in allowed_headers if isinstance(allowed_headers, list | tuple) else ():
        problems.check(
            not isinstance(header, str) or header.count("*") <= 1,
            f"{prop}.allowed_headers",
            header,
            "at most one '*' each",
        )
    max_age = policy.max_age
    problems.check_type(f"{prop}.max_age", max_age, Duration, "a Duration")  # never negative
    if len(problems.errors) > before:
        return None
    return s3.CorsRule(
        allowed_origins=list(origins),
        allowed_methods=list(methods),
        allowed_headers=list(policy.allowed_headers) or None,
        exposed_headers=list(policy.exposed_headers) or None,
        max_age=max_age.to_seconds(),
    )


def _lifecycle_rule(
    problems: Problems,
    prop: str,
    spec: BucketLifecycleRule,
    versioned: bool,
    explicit_versioning: bool | None,
) -> s3.LifecycleRule | None:
    before = len(problems.errors)
    for attr in (
        "expiration_days",
        "noncurrent_expiration_days",
        "abort_incomplete_multipart_days",
    ):
        check_days(problems, f"{prop}.{attr}", getattr(spec, attr))
    expiration = spec.expiration_days
    for attr in ("rule_id", "prefix"):
        problems.check_type(f"{prop}.{attr}", getattr(spec, attr), str, "a string")
    transitions: list[StorageTransition] = []
    if problems.check_sequence(
        f"{prop}.transitions", spec.transitions, StorageTransition, "StorageTransition"
    ):
        transitions = [
            t
            for i, t in enumerate(spec.transitions)
            if problems.check_type(
                f"{prop}.transitions[{i}].storage_class",
                t.storage_class,
                s3.StorageClass,
                "an s3.StorageClass",
            )
        ]
    classes = [t.storage_class.value for t in transitions]
    for storage_class in sorted({c for c in classes if classes.count(c) > 1}):
        problems.add(f"{prop}.transitions", storage_class, "each storage class at most once")
    for transition in transitions:
        storage_class, days = transition.storage_class.value, transition.after_days
        where = f"{prop}.transitions[{storage_class}].after_days"
        if check_transition_days(problems, where, transition.storage_class, days):
            problems.check(
                not isinstance(expiration, int) or expiration > days,
                f"{prop}.expiration_days",
                expiration,
                f"expiration must come after every transition ({storage_class} at day {days}); "
                "otherwise the transition is pointless or S3 rejects the rule",
            )
    noncurrent = spec.noncurrent_expiration_days
    if noncurrent is not None and not versioned:
        problems.check(
            explicit_versioning is None,
            f"{prop}.noncurrent_expiration_days",
            noncurrent,
            "noncurrent versions exist only in versioned buckets, and versioned=False was "
            "given; enable versioning or drop the noncurrent expiration",
        )
        noncurrent = None  # versioning is off in this stage only: S3 would never act on it
    abort = spec.abort_incomplete_multipart_days
    problems.check(
        bool(spec.transitions)
        or any(d is not None for d in (expiration, spec.noncurrent_expiration_days, abort)),
        prop,
        spec,
        "a rule needs at least one action: transitions, expiration_days, "
        "noncurrent_expiration_days or abort_incomplete_multipart_days",
    )
    if len(problems.errors) > before or not any((transitions, expiration, noncurrent, abort)):
        return None  # a problem, or only a noncurrent action left out in an unversioned stage
    return s3.LifecycleRule(
        id=spec.rule_id,
        prefix=spec.prefix,
        transitions=[
            s3.Transition(
                storage_class=t.storage_class, transition_after=Duration.days(t.after_days)
            )
            for t in transitions
        ]
        or None,
        expiration=_days(expiration),
        noncurrent_version_expiration=_days(noncurrent),
        abort_incomplete_multipart_upload_after=_days(abort),
    )


def _cdn_props(
    scope: IConstruct,
    problems: Problems,
    props: SecureBucketProps,
    log_bucket: s3.IBucket | None,
    cors: bool,
) -> CdnProps | None:
    """The Cdn's props from ``cdn`` and its shorthands, checked by the Cdn's own rules."""
    cdn = props.get("cdn")
    shorthands = {p: props[p] for p in CDN_SHORTHANDS if props.get(p) is not None}  # type: ignore[literal-required]
    if not cdn:
        for prop, value in shorthands.items():
            problems.add(
                prop,
                value,
                "needs cdn=True: S3 cannot serve HTTPS on a custom domain by itself, and "
                "the other CloudFront settings would be ignored",
            )
        return None
    options: dict[str, object] = dict(cdn) if isinstance(cdn, Mapping) else {}
    report = Problems(problems.owner)
    rejected = check_props(report, CdnOptions, options)
    for error in report.errors:
        problems.add(f"cdn.{error.prop}", error.value, error.allowed)
    names = {key: f"cdn.{key}" for key in options}
    options = {k: v for k, v in options.items() if k not in rejected}
    for prop, value in shorthands.items():
        key = CDN_SHORTHANDS[prop]
        if problems.check(key not in names, prop, value, f"cdn.{key} is given too; give it once"):
            options[key], names[key] = value, prop
    # With logging turned off in cdn, or outside us-east-1, the Cdn decides (its own bucket).
    if log_bucket is not None and "access_logs_disabled_reason" not in options:
        options["access_logs_bucket"], names["access_logs_bucket"] = (
            log_bucket,
            "server_access_logs_bucket",
        )
    if cors:
        options["cors_cache_key"] = True
    plan_cdn(scope, problems, options, names=names)
    return options  # type: ignore[return-value] # checked against CdnProps by plan_cdn


def _days(days: int | None) -> Duration | None:
    return Duration.days(days) if days is not None else None
