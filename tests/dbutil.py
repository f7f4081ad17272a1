"""Small queries tests use to check what is (not) left in the server."""

from advisor.bench.server import SANDBOX_SCHEMA, Target
from tests.waiting import wait_until


def sandbox_exists(target: Target) -> bool:
    with target.connect(autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_namespace WHERE nspname = %s", (SANDBOX_SCHEMA,)
        ).fetchone()
        return bool(row and row[0])


def user_objects(target: Target) -> set[str]:
    """Every relation, type and schema outside the system catalogs."""
    with target.connect(autocommit=True) as conn:
        rels = conn.execute(
            "SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'"
        ).fetchall()
        schemas = conn.execute(
            "SELECT 'schema ' || nspname FROM pg_namespace"
            " WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'public') AND nspname NOT LIKE 'pg_%'"
        ).fetchall()
    return {str(r[0]) for r in rels + schemas}


def advisor_connections(target: Target) -> list[str]:
    """Open connections of ours, other than the one asking: what each is doing, and since."""
    with target.connect(autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid, state, backend_start, left(query, 60) FROM pg_stat_activity"
            " WHERE application_name = 'pg-insert-advisor' AND pid <> pg_backend_pid()"
        ).fetchall()
    return [" ".join(map(str, row)) for row in rows]


def wait_for_no_connections(target: Target) -> None:
    """Closed connections leave pg_stat_activity when their backends have gone: wait for
    that, and name the connections still open if it never happens."""
    wait_until(
        lambda: not advisor_connections(target),
        "our connections to close",
        detail=lambda: advisor_connections(target),
    )


def dsn_with_password(target: Target, password: str) -> str:
    """The server's DSN with `password` in it, checked: the password is there to be masked,
    and the server (trusting local connections) accepts it, so a run can go on."""
    dsn = target.dsn.replace("postgres:@", f"postgres:{password}@", 1)
    assert password in dsn, f"no password slot in {target.dsn!r}"
    with Target(dsn).connect() as conn:
        conn.execute("SELECT 1")
    return dsn
