"""Lambda triggers the library deploys itself, one standard-library file each.

A construct zips this directory as the function's code, so a trigger imports nothing but the
standard library. They are not part of the runtime layer.
"""

from pathlib import Path

TRIGGERS_DIRECTORY = Path(__file__).parent
"""The directory a trigger function's code asset is made from."""
