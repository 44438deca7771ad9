from django.core.management.base import BaseCommand

from dutyeval.collection.services import sync_catalogue


class Command(BaseCommand):
    help = "Create or update data elements from core/catalogue.yaml (also runs after migrate)."

    def handle(self, *args, **opts):
        self.stdout.write(f"data elements: {sync_catalogue()}")
