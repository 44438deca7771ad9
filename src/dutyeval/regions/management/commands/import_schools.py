from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dutyeval.regions.services import import_schools


class Command(BaseCommand):
    help = "Import schools from CSV or Excel (columns: code, name, type 小学/初中/九年一贯制/完全中学/幼儿园, county_code)."

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path, **opts):
        p = Path(path)
        if not p.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            result = import_schools(p.read_bytes(), p.name)
        except ValueError as exc:
            raise CommandError(f"{path}: {exc}") from None
        if result.errors:
            for e in result.errors:
                self.stderr.write(f"{path}: row {e['row']}: {e['field']}: {e['reason']}")
            raise CommandError(f"{path}: {result.error_count} errors, nothing imported")
        self.stdout.write(f"schools: {result.created} created, {result.updated} updated")
