"""S3 stack: image and upload buckets, plus the access-log bucket (000#23-32, 57, 60)."""

from __future__ import annotations

from aws_cdk import Stack
from constructs import Construct

from petplatform_constructs import ImageBuckets, SecureBucket
from petplatform_constructs.platform.tagging import apply_standard_tags

from .config import HomeForPupConfig
from .monitoring import monitor


class S3Stack(Stack):
    """Images are private behind CloudFront (OAC) by default, or public-read on request
    (conflict 1); uploads are private and expire after 7 days."""

    def __init__(self, scope: Construct, id: str, *, config: HomeForPupConfig) -> None:
        super().__init__(scope, id, description="HomeForPup file storage (S3)")
        apply_standard_tags(self, service="s3")
        self.storage = ImageBuckets(
            self,
            "Storage",
            # Bucket names are global (conflict 7): CDK generates unique ones.
            image_name=None,
            upload_name=None,
            log_name=None,
            cors_origins=(config.web_origin,),
            cdn=config.image_access == "cdn",
            public_read=config.image_access == "public",
            export_prefix=self.stack_name,
        )
        # Bucket metrics (request metrics and access logs are on the buckets, 000#60).
        self.monitoring = monitor(self, "s3", config, self.storage)
        self.buckets: dict[str, SecureBucket] = {
            "images": self.storage.image_bucket,
            "uploads": self.storage.upload_bucket,
        }
