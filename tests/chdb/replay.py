"""Replays the statements an end-to-end run issued against ClickHouse 18.16 on a current
engine (chDB, ClickHouse 26 in-process), to prove the project's SQL works on both.

usage: replay.py WORKDIR DATABASE STATEMENTS.jsonl DATA_DIR

- STATEMENTS.jsonl: one JSON string per line, in the order the run issued them;
- DATA_DIR: `<table>.jsonl` samples of the raw tables (JSONEachRow), loaded after the
  schema is created, so the queries run over rows and not only over empty tables.

An `INSERT … FORMAT RowBinary` arrives without its rows (the log keeps no data): it is
replayed as a `SELECT` of the same columns, which fails on 26 exactly when the insert
would (a missing table or column). Prints a JSON summary on stdout:
{"engine", "replayed", "skipped", "failed": [{"query", "error"}]}.
"""

import json
import os
import re
import sys

from chdb import session

# An insert whose rows travelled in the request body, which the log does not keep:
# `INSERT INTO t(a, b) FORMAT RowBinary`, `INSERT INTO t VALUES`.
INSERT_ROWS = re.compile(
    r"^\s*INSERT\s+INTO\s+(?P<table>[\w.`\"]+)\s*(\((?P<columns>[^)]*)\))?\s*"
    r"(FORMAT\s+\w+|VALUES)\s*$",
    re.IGNORECASE | re.DOTALL,
)
# The schema: created (and altered) before any row is loaded.
DDL = re.compile(r"^\s*(CREATE\s|ALTER\s+TABLE\s+\S+\s+ADD\s+COLUMN)", re.IGNORECASE)
# Server-level statements that mean nothing in-process.
SKIP = re.compile(r"^\s*(SYSTEM\s|KILL\s|SET\s)", re.IGNORECASE)


def main():
    workdir, database, statements_path, data_dir = sys.argv[1:5]
    with open(statements_path, encoding="utf-8") as f:
        # Each distinct statement once, in the order first issued (the migrations come
        # first in the file and again in the log).
        statements = list(dict.fromkeys(json.loads(line) for line in f if line.strip()))
    s = session.Session(workdir)
    engine = s.query("SELECT version()", "CSV").data().strip().strip('"')
    s.query(f"CREATE DATABASE IF NOT EXISTS {database}")
    s.query(f"USE {database}")
    failed, replayed, skipped = [], 0, 0

    def run(sql):
        nonlocal replayed
        try:
            s.query(sql, "Null")
            replayed += 1
        except Exception as error:  # chDB raises its server's exception text
            failed.append({"query": sql, "error": str(error).strip().splitlines()[0][:500]})

    # The schema first, in the order the migrations created it.
    for sql in statements:
        if DDL.match(sql):
            run(sql)
    for name in sorted(os.listdir(data_dir)):
        table = name.removesuffix(".jsonl")
        with open(os.path.join(data_dir, name), encoding="utf-8") as f:
            rows = f.read().strip()
        if rows:
            run(f"INSERT INTO {table} FORMAT JSONEachRow\n{rows}")
    for sql in statements:
        if DDL.match(sql):
            continue
        if SKIP.match(sql):
            skipped += 1
            continue
        insert = INSERT_ROWS.match(sql)
        if insert:
            run(f"SELECT {insert['columns'] or '*'} FROM {insert['table']} LIMIT 0")
        else:
            run(sql)
    print(json.dumps({"engine": engine, "replayed": replayed, "skipped": skipped, "failed": failed}))


if __name__ == "__main__":
    main()
