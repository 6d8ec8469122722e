"""All SQL lives in this package: one file per group of tables, one ``Store`` class.

``Store`` composes the table groups (mixins) over one SQLite connection (WAL, busy_timeout,
migrations in ``schema.py``). Methods take and return ``models`` records, never raw rows, so a
PostgreSQL backend for several daemons sharing one state can be added beside it later.
"""

from __future__ import annotations

from monitor.store.base import DB_NAME, BaseStore, db_error, from_db, to_db, utcnow
from monitor.store.feeds import FeedsMixin
from monitor.store.outbox import OutboxMixin, delivery_key
from monitor.store.pages import PagesMixin
from monitor.store.stories import StoriesMixin

__all__ = ["DB_NAME", "Store", "db_error", "delivery_key", "from_db", "to_db", "utcnow"]


class Store(FeedsMixin, OutboxMixin, StoriesMixin, PagesMixin, BaseStore):
    """The state database. Open with ``Store.open(state_dir)``, ``Store.memory()``, or
    ``Store.open_readonly(state_dir)`` beside a running daemon (the web pages)."""
