"""monitor: watches Arabic news for the coalition's withdrawal from Iraq."""

__version__ = "0.1.0"
