"""Where the built-in rule library and report templates are: inside the wheel
(`ledger/_builtin/`), or the repository's top-level folders in a checkout."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def builtin_dir(name: str) -> Path:
    """`rules` or `reports`, from the installed package or the source checkout."""
    packaged = Path(str(resources.files("ledger"))) / "_builtin" / name
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / name
