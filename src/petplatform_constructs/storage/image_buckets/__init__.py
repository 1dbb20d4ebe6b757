"""ImageBuckets: HomeForPup's image, upload and access-log buckets, and their props."""

from petplatform_constructs.storage.image_buckets.construct import ImageBuckets
from petplatform_constructs.storage.image_buckets.props import ImageBucketsProps

__all__ = ["ImageBuckets", "ImageBucketsProps"]
