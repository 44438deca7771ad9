from django.dispatch import Signal

# sent after figures of one region and year changed: sender=None, region=Region, year=int
values_changed = Signal()
