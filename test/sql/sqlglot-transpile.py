"""Parses one SQL statement (stdin) in the dialect given as the argument with sqlglot and prints it
transpiled to DuckDB. A parse error, or a construct sqlglot cannot write in DuckDB, exits with status 1."""
import sys

import sqlglot
from sqlglot.errors import ErrorLevel

dialect = sys.argv[1]
sql = sys.stdin.read()
try:
    statements = sqlglot.parse(sql, read=dialect, error_level=ErrorLevel.RAISE)
    if len(statements) != 1:
        raise ValueError(f"expected one statement, parsed {len(statements)}")
    print(statements[0].sql(dialect="duckdb", unsupported_level=ErrorLevel.RAISE))
except Exception as error:  # a parse or generation error: the message goes to the test
    print(f"sqlglot {sqlglot.__version__} ({dialect}): {type(error).__name__}: {error}", file=sys.stderr)
    sys.exit(1)
