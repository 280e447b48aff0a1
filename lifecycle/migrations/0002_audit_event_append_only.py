"""On PostgreSQL, the database itself refuses to change or delete an audit event.

TRUNCATE is left to the table's owner (test databases are emptied that way).
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION lifecycle_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'lifecycle_auditevent is append-only: %% refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER lifecycle_auditevent_append_only
    BEFORE UPDATE OR DELETE ON lifecycle_auditevent
    FOR EACH ROW EXECUTE FUNCTION lifecycle_auditevent_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS lifecycle_auditevent_append_only ON lifecycle_auditevent;
DROP FUNCTION IF EXISTS lifecycle_auditevent_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("lifecycle", "0001_initial")]
    operations = [migrations.RunPython(forward, backward, elidable=False)]
