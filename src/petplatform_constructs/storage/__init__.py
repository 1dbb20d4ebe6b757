"""Storage constructs: S3 buckets (``SecureBucket``, ``ImageBuckets``)."""
