"""Operator commands and the daemon: the scheduler, status, logs, `monitor analyze` and `monitor eval`."""
