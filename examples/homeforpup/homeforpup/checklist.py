"""Checklist items of seed 000 that no synthesized template can show, and why.

Every other item of section 000 is asserted by tests/examples/test_homeforpup.py (see the
``checklist`` markers there). `make demo` prints the resulting coverage.
"""

from __future__ import annotations

SEED = "000"

DEPLOY_TIME: dict[str, str] = {
    "000#51": (
        "out of scope: the seed's API App (API Gateway + Lambda) is a separate project; the role "
        "it would use is AppRole (000#43), and ServerlessApi covers the pattern in examples/dogcare"
    ),
    "000#66": (
        "runbook: restore DynamoDB to a point in time, restore S3 object versions; Cognito has no "
        "backup (conflict 3) - see README 'Disaster recovery'"
    ),
    "000#68": "optional future enhancement (Route 53): not built by the seed's stacks",
    "000#69": "optional future enhancement (ACM): certificates are passed in (000#41)",
    "000#70": "optional future enhancement (VPC): 000#58 asserts there is none today",
    "000#71": "optional future enhancement (enhanced CloudWatch monitoring)",
    "000#72": "optional future enhancement (AWS Backup plans): DrReplication will offer it",
}
