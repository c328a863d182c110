"""Make seals append-only: the audit trail's trigger refuses UPDATE and DELETE on them too.

The function ``sealflow_refuse_audit_change()`` comes from 0002_audit_append_only. A database
superuser can still disable the trigger; what they change is then found by
``approvals.seals.verify_seal_chain`` (hash chain, signatures, the audit trail's seal events).
"""

from django.db import migrations

TABLE = "approvals_seal"

forward = [
    f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
    f"FOR EACH ROW EXECUTE FUNCTION sealflow_refuse_audit_change();"
]
backward = [f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE};"]


class Migration(migrations.Migration):
    dependencies = [("approvals", "0005_seal_key_seal")]

    operations = [migrations.RunSQL(sql=forward, reverse_sql=backward)]
