"""Opinions are kept forever: the audit trigger refuses UPDATE and DELETE on sign-offs too."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("approvals", "0007_signoff_nomination_process_nomination_round_and_more")]

    operations = [
        migrations.RunSQL(
            sql=(
                "CREATE TRIGGER approvals_signoff_append_only BEFORE UPDATE OR DELETE ON approvals_signoff "
                "FOR EACH ROW EXECUTE FUNCTION sealflow_refuse_audit_change();"
            ),
            reverse_sql="DROP TRIGGER IF EXISTS approvals_signoff_append_only ON approvals_signoff;",
        )
    ]
