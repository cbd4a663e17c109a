"""Runs the migrations on a current ClickHouse (chDB, in-process) and describes tables,
so the e2e suite can check each row struct against its table's columns there too.

usage: describe.py WORKDIR STATEMENTS.jsonl TABLE...

- STATEMENTS.jsonl: one JSON string per line, the migrations' statements in order.

Prints JSON on stdout: {"engine": version, "tables": {table: [[name, default_kind], ...]}},
the columns in the table's order ('' when a column has no default).
"""

import json
import sys

from chdb import session


def main():
    workdir, statements_path, tables = sys.argv[1], sys.argv[2], sys.argv[3:]
    s = session.Session(workdir)
    engine = s.query("SELECT version()", "CSV").data().strip().strip('"')
    s.query("CREATE DATABASE IF NOT EXISTS rows_check")
    s.query("USE rows_check")
    with open(statements_path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                s.query(json.loads(line), "Null")
    described = {}
    for table in tables:
        rows = s.query(f"DESCRIBE TABLE {table}", "JSONEachRow").data()
        described[table] = [
            [row["name"], row["default_type"]]
            for row in map(json.loads, rows.splitlines())
            if row
        ]
    print(json.dumps({"engine": engine, "tables": described}))


if __name__ == "__main__":
    main()
