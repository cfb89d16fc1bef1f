"""Bulk writes through PostgreSQL's COPY and array parameters, for imports of thousands of rows.

Django's bulk_create and bulk_update build one statement with a parameter per value (a
1,000-row batch of packages is 45,000 parameters, each quoted into the text by the client) and
bulk_update a CASE per field. COPY streams the rows instead, and an UPDATE joined to unnest()
takes one array per column: the same writes in a fraction of the time.
"""

from django.db import connections, models, router
from psycopg.types.json import Jsonb

# Fields whose database value is the Python value itself when it is None or a plain str, int
# or bool: COPY skips Django's per-value preparation for them (a third of an import's time).
PLAIN_FIELDS = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.ForeignKey,
)
PLAIN_TYPES = (type(None), str, int, bool)


def _preparer(field, connection):
    if isinstance(field, PLAIN_FIELDS) and not field.primary_key:

        def prepare(obj):
            value = field.pre_save(obj, add=True)
            if type(value) in PLAIN_TYPES:
                return value
            return field.get_db_prep_save(value, connection)

    else:

        def prepare(obj):
            return field.get_db_prep_save(field.pre_save(obj, add=True), connection)

    return prepare


def copy_insert(objs, *, using=None, table=None):
    """Insert unsaved model instances (all of one model) with COPY.

    Instances whose primary key is set keep it; otherwise the database assigns it and the
    instances are left without one. Defaults, `auto_now(_add)` and other pre-save values are
    applied as `save()` would; no signals are sent (as with bulk_create). `table`: another
    table with the same columns (a staging table) instead of the model's.
    """
    objs = list(objs)
    if not objs:
        return
    model = type(objs[0])
    opts = model._meta
    alias = using or router.db_for_write(model)
    connection = connections[alias]
    with_pk = getattr(objs[0], opts.pk.attname) is not None
    fields = [f for f in opts.concrete_fields if with_pk or not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(table or opts.db_table)
    preparers = [_preparer(field, connection) for field in fields]
    statement = f"COPY {table} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for obj in objs:
            copy.write_row([prepare(obj) for prepare in preparers])


def copy_values(model, columns, rows, *, using=None):
    """Insert plain rows with COPY: `rows` are tuples of Python values in the order of
    `columns` (field names of `model`), as the database takes them (ints, text, dates, lists);
    JSON fields' values are wrapped here. For the biggest writes, where building a model
    instance per row would cost more than the write."""
    rows = iter(rows)
    opts = model._meta
    connection = connections[using or router.db_for_write(model)]
    fields = [opts.get_field(name) for name in columns]
    json = [index for index, field in enumerate(fields) if isinstance(field, models.JSONField)]
    names = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    statement = f"COPY {connection.ops.quote_name(opts.db_table)} ({names}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            if json:
                row = list(row)
                for index in json:
                    row[index] = Jsonb(row[index])
            copy.write_row(row)


def copy_upsert(objs, *, unique_fields, update_fields, using=None):
    """Insert unsaved instances (of one model, without primary keys) with COPY into a
    temporary table, then into the model's table; a row that clashes on `unique_fields` (the
    names of a unique constraint) updates `update_fields` instead."""
    objs = list(objs)
    if not objs:
        return
    model = type(objs[0])
    opts = model._meta
    connection = connections[using or router.db_for_write(model)]
    quote = connection.ops.quote_name
    table = quote(opts.db_table)
    staging = quote(f"staging_{opts.db_table}")
    columns = ", ".join(quote(f.column) for f in opts.concrete_fields if not f.primary_key)
    conflict = ", ".join(quote(opts.get_field(name).column) for name in unique_fields)
    updates = ", ".join(
        f"{quote(opts.get_field(name).column)} = EXCLUDED.{quote(opts.get_field(name).column)}"
        for name in update_fields
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {staging} ON COMMIT DROP AS "  # noqa: S608
            f"SELECT {columns} FROM {table} WITH NO DATA"
        )
    copy_insert(objs, using=using, table=f"staging_{opts.db_table}")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {staging} "  # noqa: S608
            f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}"
        )
        cursor.execute(f"DROP TABLE {staging}")


def update_columns(model, rows, columns, *, using=None):
    """Set `columns` of many rows in one statement: rows are (pk, value, value...) tuples in
    the order of `columns` (field names of `model`; no array fields: an array of arrays must
    be rectangular)."""
    rows = list(rows)
    if not rows:
        return
    opts = model._meta
    connection = connections[using or router.db_for_write(model)]
    quote = connection.ops.quote_name
    fields = [opts.pk, *(opts.get_field(name) for name in columns)]
    names = [f"c{index}" for index in range(len(fields))]
    arrays = ", ".join(f"%s::{field.db_type(connection)}[]" for field in fields)
    assignments = ", ".join(
        f"{quote(field.column)} = v.{name}"
        for field, name in zip(fields[1:], names[1:], strict=True)
    )
    table = quote(opts.db_table)
    # Names are the model's own, quoted; every value is a parameter.
    target = f"{table}.{quote(opts.pk.column)}"
    sql = f"UPDATE {table} SET {assignments} FROM unnest({arrays}) AS v({', '.join(names)}) "  # noqa: S608
    sql += f"WHERE {target} = v.c0"
    values = [
        [field.get_db_prep_save(row[index], connection) for row in rows]
        for index, field in enumerate(fields)
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
