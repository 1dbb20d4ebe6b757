"""Code that runs inside Lambda handlers, not at synth time.

``ServerlessApi`` ships this package to every Python function in a Lambda layer, as the package
``petplatform_runtime`` (``from petplatform_runtime.auth import require_route_group``): handlers
use it without copying a file or installing this library. Every module here is therefore
standard-library only and imports nothing from the rest of ``petplatform_constructs`` (nor
``aws_cdk``), so it works under either name.
"""
