from django.db import migrations

from hackney_portal.users.roles import EMPLOYERS, JOBS_MODERATORS, grant

# The search vector follows the row in the database, weighted title (A) over employer and sector (B)
# over the summary and text (C), so bulk loads and every write path are indexed the same way.
SQL = """
CREATE OR REPLACE FUNCTION employment_opportunity_search_vector() RETURNS trigger AS $$
BEGIN
  NEW.search_vector :=
    setweight(to_tsvector('english', coalesce(NEW.title, '')), 'A') ||
    setweight(to_tsvector('english', coalesce(NEW.employer_name, '') || ' ' || coalesce(NEW.sector, '')), 'B') ||
    setweight(to_tsvector('english', coalesce(NEW.summary, '') || ' ' ||
      regexp_replace(coalesce(NEW.description_html, ''), '<[^>]+>', ' ', 'g')), 'C');
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER employment_opportunity_search_vector BEFORE INSERT OR UPDATE ON employment_opportunity
  FOR EACH ROW EXECUTE FUNCTION employment_opportunity_search_vector();
"""
REVERSE = """
DROP TRIGGER IF EXISTS employment_opportunity_search_vector ON employment_opportunity;
DROP FUNCTION IF EXISTS employment_opportunity_search_vector();
"""


def grant_groups(apps, schema_editor):
    grant(apps, JOBS_MODERATORS, "employment", ["view_opportunity", "change_opportunity", "add_opportunity",
                                                "view_synonym", "add_synonym", "change_synonym", "delete_synonym"])
    grant(apps, EMPLOYERS, "employment", ["add_opportunity"])


class Migration(migrations.Migration):
    dependencies = [("employment", "0001_initial"), ("users", "0002_staff_groups")]
    operations = [migrations.RunSQL(SQL, REVERSE), migrations.RunPython(grant_groups, migrations.RunPython.noop)]
