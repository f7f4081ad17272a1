"""pg-insert-advisor tests: a package, so helpers are imported as `tests.<module>`."""
