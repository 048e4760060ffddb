"""Units of counted objects, through pint with the definitions in `data/units.txt`.

Public surface: `canonical(name)` gives the canonical singular unit name (`people` -> `person`,
`tons` -> `tonne`) or None for an unknown unit.
"""

from __future__ import annotations

from functools import cache, lru_cache
from importlib import resources

import pint


@lru_cache(maxsize=1)
def registry() -> pint.UnitRegistry:  # type: ignore[type-arg]
    reg: pint.UnitRegistry = pint.UnitRegistry(None)  # type: ignore[type-arg]
    path = resources.files("ledger").joinpath("data/units.txt")
    with resources.as_file(path) as real_path:
        reg.load_definitions(str(real_path))
    return reg


@cache
def canonical(name: str) -> str | None:
    """The unit's canonical name, or None when pint does not know it."""
    try:
        parsed = registry().parse_unit_name(name.strip().lower().replace(" ", "_"))
    except (pint.errors.UndefinedUnitError, ValueError):
        return None
    for prefix, unit, _suffix in parsed:
        if not prefix:
            return str(unit)
    return None
