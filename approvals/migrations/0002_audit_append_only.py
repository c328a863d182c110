"""Make the audit tables append-only: a trigger refuses UPDATE and DELETE (design.md).

A database superuser can still disable the trigger; what they change is then found by
``verify_audit`` (hash chains) and by the signed anchors (a cut-off tail).
"""

from django.db import migrations

TABLES = ["approvals_auditevent", "approvals_auditanchor", "approvals_auditanchorhead"]

FUNCTION = """
CREATE OR REPLACE FUNCTION sealflow_refuse_audit_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit records are append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""

forward = [FUNCTION] + [
    f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
    f"FOR EACH ROW EXECUTE FUNCTION sealflow_refuse_audit_change();"
    for table in TABLES
]
backward = [f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};" for table in TABLES] + [
    "DROP FUNCTION IF EXISTS sealflow_refuse_audit_change();"
]


class Migration(migrations.Migration):
    dependencies = [("approvals", "0001_initial")]

    operations = [migrations.RunSQL(sql=forward, reverse_sql=backward)]
