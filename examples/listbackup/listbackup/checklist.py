"""Checklist items of seed 002 that no synthesized template can show, and why.

Every other item of section 002 is asserted by tests/examples/test_listbackup.py (the templates)
and tests/examples/listbackup/test_local_scenario.py (the handlers on the local cloud), see their
``checklist`` markers.
"""

from __future__ import annotations

SEED = "002"

DEPLOY_TIME: dict[str, str] = {
    "002#13": (
        "process: memory is a per-function prop (FunctionSpec.memory_mb, 1 GB by default here); "
        "tune it with Lambda Power Tuning against production traffic"
    ),
    "002#33": (
        "S3 Select is closed to new customers (conflict 16): clients read ranges with byte-range "
        "GETs, and analytics use Athena over the data bucket"
    ),
    "002#50": (
        "AWS Shield Standard protects CloudFront and Route 53 automatically and has no resource; "
        "Shield Advanced needs a paid subscription, so it is not built (conflict 17)"
    ),
    "002#64": (
        "cold standby: nothing runs in us-east-1 until needed; then the same stacks are deployed "
        "there with `-c primary_region=us-east-1 -c dr_region=us-west-2` (README 'Failing over')"
    ),
    "002#78": "S3 storage is unlimited and scales by itself: nothing to configure",
    "002#80": (
        "informational: the seed's cost split (Lambda 20%, DynamoDB 25%, S3 30%, API Gateway "
        "10%, CloudFront 10%, other 5%)"
    ),
}
