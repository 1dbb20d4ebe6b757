"""Edge constructs: CloudFront in front of the platform's origins (``Cdn``)."""
