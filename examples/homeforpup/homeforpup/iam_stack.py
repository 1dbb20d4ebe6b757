"""IAM stack: the application role, least privilege over the other stacks' resources (000#43-49)."""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import Stack
from constructs import Construct

from petplatform_constructs import AppRole, AuthPool, DataTable, Naming, SecureBucket
from petplatform_constructs.platform.tagging import apply_standard_tags

from .config import HomeForPupConfig
from .monitoring import monitor


class IamStack(Stack):
    """Depends on the DynamoDB, S3 and Cognito stacks through the ARNs it imports (000#2)."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        tables: Mapping[str, DataTable],
        buckets: Mapping[str, SecureBucket],
        auth: AuthPool,
        config: HomeForPupConfig,
    ) -> None:
        super().__init__(scope, id, description="HomeForPup application role (IAM)")
        apply_standard_tags(self, service="iam")
        naming = Naming.of(self)
        # What the seed asks for, each explicitly: Lambda and EC2 (000#43), read, write and
        # delete on every table and both buckets, Scan (000#44-45), and the app's own log
        # groups (000#48): its API function and its instances' application log.
        self.app_role = AppRole(
            self,
            "AppRole",
            name="homeforpup-app",
            description="HomeForPup services (Lambda, EC2): tables, buckets, users, email, logs",
            principals=["lambda.amazonaws.com", "ec2.amazonaws.com"],
            tables=list(tables.values()),
            buckets=list(buckets.values()),
            data_access=["read", "write", "delete", "scan"],
            user_pools=[auth],
            log_groups=[
                f"/aws/lambda/{naming.name('homeforpup-api')}",
                f"/homeforpup/{naming.name('app')}",
            ],
            export_prefix=self.stack_name,
        )
        # Access-denied alerts need a CloudTrail trail delivered to CloudWatch Logs (000#62,
        # conflict 39); without one there is nothing to watch.
        if config.cloudtrail_log_group:
            self.monitoring = monitor(
                self, "iam", config, access_denied_log_group=config.cloudtrail_log_group
            )
