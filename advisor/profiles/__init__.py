"""Decision profiles: TOML save, load and strict validation."""
