"""Create the benchmark database afresh on whichever PostgreSQL the settings point at."""

from __future__ import annotations

import os

import psycopg
from psycopg import sql


def _admin_connection() -> psycopg.Connection:
    url = os.environ.get("DATABASE_URL")
    if url:
        return psycopg.connect(url, dbname="postgres", autocommit=True)
    from config import embedded

    return psycopg.connect(host=os.environ[embedded.PG_HOST_ENV], user="postgres", dbname="postgres", autocommit=True)


def recreate_database(name: str) -> None:
    with _admin_connection() as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
