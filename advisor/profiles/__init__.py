"""Decision profiles: TOML save, load and strict validation; comparing saved and new runs."""
