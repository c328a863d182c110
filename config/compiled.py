"""Querysets compiled once and run many times (the hot reads of an approval; no business rules).

Building and compiling an ORM query costs more Python than running it: on these machines about
1 ms of CPU against 0.2 ms for the same statement on a cursor (bench/README.md, issue 19). A
statement here is the SQL Django compiles for a queryset built with stand-in values (ints or
strings that no real value takes) in place of those that vary per call; each call runs that SQL
with the real values and builds the objects as Django's ``ModelIterable`` does: the same columns,
converters, related objects (``select_related``) and annotations.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connections, router
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]
from django.db.models.sql.compiler import SQLCompiler


@dataclass(frozen=True)
class Compiled:
    """A queryset compiled once: its SQL, its parameters with the stand-ins, and what turns its rows
    into model instances."""

    sql: str
    params: tuple[object, ...]
    compiler: SQLCompiler
    converters: dict[int, tuple[list[Any], Any]]
    model: type[Model]
    init_list: list[str]
    model_slice: slice
    populators: list[Any]  # django.db.models.query.RelatedPopulator
    annotations: dict[str, int]

    @classmethod
    def of(cls, queryset: QuerySet[Any], alias: str, marks: tuple[object, ...]) -> Compiled:
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        for mark in marks:
            assert mark in params, "each stand-in is a parameter of the statement"
        info = compiler.klass_info
        assert info is not None
        fields = info["select_fields"]
        model_slice = slice(fields[0], fields[-1] + 1)
        return cls(
            sql=sql, params=tuple(params), compiler=compiler,
            converters=compiler.get_converters([s[0] for s in compiler.select[: compiler.col_count]]),
            model=info["model"], init_list=[f[0].target.attname for f in compiler.select[model_slice]],
            model_slice=model_slice, populators=get_related_populators(info, compiler.select, alias),
            annotations=dict(compiler.annotation_col_map or {}),
        )  # fmt: skip

    def run(self, alias: str, values: dict[Any, object]) -> list[Any]:
        """The statement's objects, with ``values`` (by stand-in) in place of the stand-ins."""
        params: list[Any] = [values.get(p, p) if type(p) in (int, str) else p for p in self.params]
        with connections[alias].cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        if rows and self.converters:
            rows = list(self.compiler.apply_converters(rows, self.converters))
        found = []
        for row in rows:
            obj = self.model.from_db(alias, self.init_list, row[self.model_slice])
            for populator in self.populators:
                populator.populate(row, obj)
            for name, position in self.annotations.items():
                setattr(obj, name, row[position])
            found.append(obj)
        return found


_statements: dict[tuple[str, str], Compiled] = {}


def run_compiled(
    name: str, build: Callable[[], QuerySet[Any]], model: type[Model], values: dict[Any, object]
) -> list[Any]:
    """Run the statement called ``name`` that ``build()`` compiles (once per database and process)
    with ``values`` for its stand-ins; ``build`` must give the same statement shape every time."""
    alias = router.db_for_write(model)
    statement = _statements.get((name, alias))
    if statement is None:
        statement = _statements[(name, alias)] = Compiled.of(build(), alias, tuple(values))
    return statement.run(alias, values)
