"""petplatform-constructs: production-grade AWS CDK v2 L3 constructs for pet-care platforms."""

from .__about__ import __version__
from .compliance import DataProtectionCheck, NagPack, acknowledge, enable_compliance, mark_stateful
from .errors import PropError
from .naming import Naming, ResourceKind, use_naming, validate_name
from .platform import PlatformConfig, configure_platform
from .stage import Stage, StageProfile, use_stage_profile
from .tagging import apply_standard_tags

__all__ = [
    "DataProtectionCheck",
    "NagPack",
    "Naming",
    "PlatformConfig",
    "PropError",
    "ResourceKind",
    "Stage",
    "StageProfile",
    "__version__",
    "acknowledge",
    "apply_standard_tags",
    "configure_platform",
    "enable_compliance",
    "mark_stateful",
    "use_naming",
    "use_stage_profile",
    "validate_name",
]
