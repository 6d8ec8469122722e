"""Operator commands beside the daemon: what a user runs to check the product (``monitor eval``)."""
