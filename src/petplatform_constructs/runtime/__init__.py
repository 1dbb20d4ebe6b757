"""Code that runs inside Lambda handlers, not at synth time.

Every module here is standard-library only and self-contained, so a handler can vendor it (copy
the file next to its code) without installing this library, the CDK or anything else in the
function package. Nothing here imports from the rest of ``petplatform_constructs``.
"""
