"""Checklist items of seed 001 that no synthesized template can show, and why.

Every other item of section 001 is asserted by tests/examples/test_dogcare.py (the stack) and
tests/examples/dogcare/test_handlers.py (the handlers' behaviour).
"""

from __future__ import annotations

SEED = "001"

DEPLOY_TIME: dict[str, str] = {
    "001#43": (
        "informational: the seed's monthly cost estimate (~$25-50); the $50/$100 budgets "
        "(001#49) alert when reality disagrees"
    ),
}
