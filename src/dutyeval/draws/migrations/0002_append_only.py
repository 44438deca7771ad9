# The draw record and the public inputs are append-only. The models refuse changes; on PostgreSQL a
# trigger refuses UPDATE and DELETE from every client (the admin, psql), as for the audit log.

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION draws_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only (% refused)', TG_TABLE_NAME, TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER draws_drawrecord_append_only BEFORE UPDATE OR DELETE ON draws_drawrecord
    FOR EACH ROW EXECUTE FUNCTION draws_append_only();
CREATE TRIGGER draws_publicinput_append_only BEFORE UPDATE OR DELETE ON draws_publicinput
    FOR EACH ROW EXECUTE FUNCTION draws_append_only();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS draws_drawrecord_append_only ON draws_drawrecord;
DROP TRIGGER IF EXISTS draws_publicinput_append_only ON draws_publicinput;
DROP FUNCTION IF EXISTS draws_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_FORWARD, params=None)  # the % in RAISE are not placeholders


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD, params=None)


class Migration(migrations.Migration):

    dependencies = [("draws", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
