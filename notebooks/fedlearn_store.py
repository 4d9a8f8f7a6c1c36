"""Read-only access to a FedLearn coordinator's PostgreSQL store for the notebooks.

Every notebook reads its settings from the environment, so the same notebook runs by hand and in scripts/test.sh:

- FEDLEARN_NOTEBOOK_DB: the connection to the coordinator's database, as a libpq string ("host=… dbname=…") or in the
  coordinator's own Npgsql form ("Host=…;Port=…;Database=…;Username=…;Password=…"). Use a read-only role
  (notebooks/README.md shows how to make one); nothing here writes.
- FEDLEARN_SESSION: the session to show (default: the most recently created one).
- FEDLEARN_NOTEBOOK_OUT: where figures and summary.json files go (default: notebooks/out).

The queries name their columns, so a notebook fails loudly when the schema changes rather than plotting the wrong thing.
"""

import json
import os

import pandas as pd
import psycopg2

_NPGSQL_KEYS = {"host": "host", "server": "host", "port": "port", "database": "dbname", "username": "user",
                "user id": "user", "userid": "user", "password": "password", "ssl mode": "sslmode", "sslmode": "sslmode"}


def libpq_dsn(connection_string):
    """The libpq form of a connection string given in either libpq or Npgsql ("Key=Value;…") form."""
    if ";" not in connection_string and "=" in connection_string and " " in connection_string.strip():
        return connection_string
    parts = []
    for item in connection_string.split(";"):
        if not item.strip():
            continue
        key, _, value = item.partition("=")
        keyword = _NPGSQL_KEYS.get(key.strip().lower())
        if keyword is None:
            continue  # Npgsql-only settings (pooling, timeouts) mean nothing to libpq.
        parts.append("%s='%s'" % (keyword, value.strip().replace("\\", "\\\\").replace("'", "\\'")))
    return " ".join(parts)


def connect():
    """A read-only connection to the store named by FEDLEARN_NOTEBOOK_DB."""
    dsn = os.environ.get("FEDLEARN_NOTEBOOK_DB")
    if not dsn:
        raise RuntimeError("Set FEDLEARN_NOTEBOOK_DB to the coordinator's database (a read-only role); see notebooks/README.md.")
    connection = psycopg2.connect(libpq_dsn(dsn))
    connection.set_session(readonly=True, autocommit=True)
    return connection


def output_directory():
    path = os.environ.get("FEDLEARN_NOTEBOOK_OUT") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "out")
    os.makedirs(path, exist_ok=True)
    return path


def query(connection, sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        columns = [c.name for c in cursor.description]
        return pd.DataFrame(cursor.fetchall(), columns=columns)


def sessions(connection):
    """Every session: id, name, state, rounds committed, whether it is private, and when it was created."""
    return query(connection, """
        SELECT session_id, name, state, completed_rounds, privacy IS NOT NULL AS private,
               (definition ->> 'rounds')::int AS rounds_planned, created_at, updated_at
        FROM sessions ORDER BY created_at""")


def chosen_session(connection, private=False):
    """FEDLEARN_SESSION, or the most recently created session (with private=True: the most recent private one)."""
    wanted = os.environ.get("FEDLEARN_SESSION")
    table = sessions(connection)
    if private:
        table = table[table.private]
    if table.empty:
        raise RuntimeError("The store holds no %ssession yet." % ("private " if private else ""))
    if wanted:
        if wanted not in set(table.session_id):
            raise RuntimeError("No %ssession %r in the store." % ("private " if private else "", wanted))
        return wanted
    return table.session_id.iloc[-1]


def committed_rounds(connection, session_id):
    """One row per committed round: the cohort, the losses and the test accuracy after it."""
    return query(connection, """
        SELECT round, attempt, participants_selected, participants_aggregated, train_loss, test_loss, test_accuracy,
               started_at, completed_at
        FROM rounds WHERE session_id = %s AND outcome = 'committed' ORDER BY round""", (session_id,))


def attempts(connection, session_id):
    """Every attempt ever opened, with how it ended: committed, aborted (and why), or lost in a coordinator crash."""
    return query(connection, """
        SELECT a.round, a.attempt, a.opened_at, a.participants_selected,
               COALESCE(r.outcome, 'lost') AS outcome, r.participants_aggregated, r.abort_reason,
               a.charged_noise_multiplier
        FROM round_attempts a
        LEFT JOIN rounds r USING (session_id, round, attempt)
        WHERE a.session_id = %s ORDER BY a.round, a.attempt""", (session_id,))


def ledger_header(connection, session_id):
    table = query(connection, """
        SELECT epsilon_budget, delta, accountant, neighbouring_relation, epsilon_against, against_coordinator,
               example_epsilon_budget, example_delta
        FROM ledger_headers WHERE session_id = %s""", (session_id,))
    return None if table.empty else table.iloc[0]


def ledger_entries(connection, session_id):
    """The privacy ledger's entries: the cumulative ε after each committed round under each accountant."""
    return query(connection, """
        SELECT sequence, round, mechanism, sampling_rate, noise_multiplier, clip_norm, participants_selected,
               participants_aggregated, epsilon_rdp, epsilon_pld, epsilon_against_coordinator_rdp,
               epsilon_against_coordinator_pld, example_epsilon_max, model_sha256, entry_hash
        FROM ledger_entries WHERE session_id = %s ORDER BY sequence""", (session_id,))


def write_summary(name, summary):
    """Writes what a notebook showed as JSON beside its figures, so a test (or a person) can check the figures' data."""
    path = os.path.join(output_directory(), name)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(summary, f, indent=2, sort_keys=True, default=float)
    return path
