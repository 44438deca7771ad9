import time

from django.core.management.base import BaseCommand

from dutyeval.departments.demo import add_demo_tiers
from dutyeval.evaluation.demo import DEMO_PASSWORD, NoCounties, build_demo
from dutyeval.evaluation.models import Cycle
from dutyeval.rectification.demo import add_demo_rectification


class Command(BaseCommand):
    help = "Build the demo province (Shanxi by default) from real GB/T 2260 codes, with a fixed seed."

    def add_arguments(self, parser):
        parser.add_argument("--province", default="14")
        parser.add_argument("--seed", type=int, default=2021)
        parser.add_argument("--schools-per-city", type=int, default=300)

    def handle(self, *args, province, seed, schools_per_city, **opts):
        t0 = time.perf_counter()
        try:
            s = build_demo(province, seed, schools_per_city)
        except NoCounties as exc:  # skipped, not failed: a loop over every province goes on
            self.stderr.write(str(exc))
            return
        # the other tiers: national and city offices, and the walkthrough county's departments
        s.logins[-1:-1] = add_demo_tiers(s.cycle, DEMO_PASSWORD)
        # last year's problems and 泽州县's answer to them (the departments above carry its tasks)
        past = Cycle.objects.filter(root=s.province, year=s.cycle.year - 1).first()
        rect = add_demo_rectification(past) if past else {}
        self.stdout.write(
            f"demo: {s.province.name}, {s.counties} counties, {s.schools} schools, {s.values} values, "
            f"cycle “{s.cycle.name}”, last year's with {rect.get('plans', 0)} rectification plans "
            f"({time.perf_counter() - t0:.1f} s)"
        )
        self.stdout.write("logins (username / password / role):")
        for username, password, role in s.logins:
            self.stdout.write(f"  {username:<14} {password:<14} {role}")
