"""The README's quick start, importable so that `make demo` and the tests synthesize it."""

from __future__ import annotations

from aws_cdk import App, Stack

from petplatform_constructs import ImageBuckets, Naming, ProfilesTable, configure_platform

STAGES = ("dev", "prod")


def build(app: App, stage: str) -> Stack:
    # One call: stage profile, naming, Project/Environment tags, cdk-nag and data protection.
    configure_platform(app, project="PetPals", stage=stage, naming=Naming.suffixed(stage))

    stack = Stack(app, f"PetPals-{stage}")
    ProfilesTable(stack, "Profiles")  # "profiles" / "profiles-prod", PITR in prod
    ImageBuckets(stack, "Images")  # private images + 7-day uploads + access logs
    return stack
