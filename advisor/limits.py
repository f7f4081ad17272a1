"""Upper bounds on what one command may ask for, in one place (listed in README.md, "Limits").

Each bound is far above any sensible use and far below what would run until killed or fill
the memory: a value beyond it is a typo, refused with one line (exit 2) before any work,
whether it comes from an option, a profile or the app.
"""

MAX_BENCH_ROWS = 10_000_000  # rows per benchmark run, a sweep's top volume included
MAX_WORKLOAD_ROWS = 10**12  # rows per run that `recommend` estimates for (nothing is run)
MAX_REPEAT = 100  # timed runs per strategy
MAX_WARMUP = 100  # untimed runs per strategy
MAX_SWEEP_POINTS = 12  # volumes in a sweep, each a whole benchmark
MAX_BATCH_ROWS = 1_000_000  # rows a strategy is handed at once (a profile's batch_rows)
MAX_RUN_S = 7 * 86_400.0  # one run's time: a budget, or a measured run in a bench file
# A round trip, answered or simulated: beyond a satellite link is a typo rather than a
# network, and a benchmark at that distance would take hours.
MAX_RTT_MS = 1000.0
MAX_INPUT_BYTES = 10 * 2**20  # a profile or a bench JSON file; real ones are a few kB
SEED_RANGE = (-(2**63), 2**63 - 1)  # TOML's integers: a seed must survive a profile
