"""Helpers shared by test modules (import as ``tests.support.<module>``)."""
