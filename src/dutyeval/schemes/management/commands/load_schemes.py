from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dutyeval.core.schemefile import SchemeFileError, library_paths
from dutyeval.schemes.services import import_scheme_file


class Command(BaseCommand):
    help = "Load scheme YAML files (default: the shipped library). A frozen scheme that changed becomes a new version."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*")

    def handle(self, *args, paths, **opts):
        files = [Path(p) for p in paths] or library_paths()
        for path in files:
            try:
                scheme, outcome = import_scheme_file(path)
            except SchemeFileError as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(f"{path.name}: {scheme.code} v{scheme.version} {outcome}")
