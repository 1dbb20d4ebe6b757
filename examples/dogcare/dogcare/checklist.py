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


# The seed's 15 methods (001#9-23), literally, and the two admin routes proposed for 001#41: what
# tests expect, kept apart from the stack's own route table so the two can disagree.
SEED_ROUTES: frozenset[tuple[str, str]] = frozenset({
    ("GET", "/dogs"), ("POST", "/dogs"), ("GET", "/dogs/{id}"), ("PUT", "/dogs/{id}"),
    ("DELETE", "/dogs/{id}"), ("GET", "/owners/profile"), ("PUT", "/owners/profile"),
    ("POST", "/owners/register"), ("GET", "/bookings"), ("POST", "/bookings"),
    ("GET", "/bookings/{id}"), ("PUT", "/bookings/{id}"), ("DELETE", "/bookings/{id}"),
    ("POST", "/payments"), ("GET", "/payments/{id}"),
})  # fmt: skip
ADMIN_ROUTES: frozenset[tuple[str, str]] = frozenset(
    {("GET", "/admin/owners"), ("GET", "/admin/bookings")}
)
