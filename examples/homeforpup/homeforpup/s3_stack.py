"""S3 stack: image and upload buckets, plus the access-log bucket (000#23-32, 57, 60)."""

from __future__ import annotations

from aws_cdk import Stack
from constructs import Construct

from petplatform_constructs import CdnOptions, ImageBuckets, SecureBucket
from petplatform_constructs.platform.tagging import apply_standard_tags

from .config import HomeForPupConfig
from .monitoring import monitor

IMAGES_ON_THE_DEFAULT_CERTIFICATE = (
    "HomeForPup has no image domain yet (000#28 asks only that one can be added): pet photos "
    "are public content served read-only from the *.cloudfront.net name, with HTTPS enforced "
    "and no cookies or credentials sent; add custom_domain and a us-east-1 certificate to get "
    "TLSv1.2_2021."
)


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
            # No image domain in the seed (000#28 is "ready", not bought): the default
            # *.cloudfront.net certificate is accepted explicitly, so CFR4 says why.
            cdn=CdnOptions(default_certificate_reason=IMAGES_ON_THE_DEFAULT_CERTIFICATE)
            if config.image_access == "cdn"
            else False,
            public_read=config.image_access == "public",
            export_prefix=self.stack_name,
        )
        # Bucket metrics (request metrics and access logs are on the buckets, 000#60).
        self.monitoring = monitor(self, "s3", config, self.storage)
        self.buckets: dict[str, SecureBucket] = {
            "images": self.storage.image_bucket,
            "uploads": self.storage.upload_bucket,
        }
