"""ledger: a humanitarian figures ledger. Extract the figures in news, live feeds and
situation reports, reconcile them over time, and report each one with its source."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("ledger")
except PackageNotFoundError:  # running from a checkout without installation
    __version__ = "0.1.0"
