"""The benchmark engine: servers, the sandbox, strategies, the verified runner, sweeps."""
