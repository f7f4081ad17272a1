"""pg-insert-advisor: choose how to insert rows into PostgreSQL, then prove it."""

__version__ = "0.1.0"
