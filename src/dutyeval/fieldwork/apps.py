from django.apps import AppConfig


class FieldworkConfig(AppConfig):
    name = "dutyeval.fieldwork"
    verbose_name = "实地核查"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # field verification adjusts the manual scores at every compute (evaluation.recompute)
        from dutyeval.evaluation.recompute import MANUAL_ADJUSTERS

        from .hooks import apply_field_verification

        if apply_field_verification not in MANUAL_ADJUSTERS:
            MANUAL_ADJUSTERS.append(apply_field_verification)
