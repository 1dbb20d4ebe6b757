"""The existing-resource rule: a construct wraps an existing resource *or* creates one.

Every construct that accepts ``existing_*`` applies :func:`check_existing`: with an existing
resource, no creation prop may be given (it would be silently ignored otherwise). Nothing is
warned about and ignored; a conflict is a synth-time error naming every offending prop.
"""

from __future__ import annotations

from collections.abc import Mapping

from petplatform_constructs.core.errors import Problems

__all__ = ["check_existing", "describe"]


def describe(value: object) -> str:
    """``"Type at path"`` for a construct, ``repr`` for anything else (for error messages)."""
    node = getattr(value, "node", None)
    path = getattr(node, "path", None)
    return f"{type(value).__name__} at {path}" if path else repr(value)


def check_existing(
    problems: Problems,
    existing_prop: str,
    existing: object | None,
    creation_props: Mapping[str, object],
) -> bool:
    """Record a problem when ``existing`` comes with creation props; return whether it wraps.

    ``creation_props`` maps each creation prop to its value; a prop counts as given unless its
    value is ``None``, so an explicit ``False`` or ``()`` is refused too: it would be ignored.
    """
    if existing is None:
        return False
    given = sorted(prop for prop, value in creation_props.items() if value is not None)
    problems.check(
        not given,
        existing_prop,
        describe(existing),
        f"an existing resource takes no creation props; remove {', '.join(given)} or "
        f"drop {existing_prop}",
    )
    return True
