from django.apps import AppConfig


class RectificationConfig(AppConfig):
    name = "dutyeval.rectification"
    verbose_name = "问题整改"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # the ledger's figures reach the scoring of later cycles (catalogue.yaml `derived`)
        from dutyeval.evaluation.recompute import DERIVED_SOURCES

        from .ledger import ledger_figures

        if ledger_figures not in DERIVED_SOURCES:
            DERIVED_SOURCES.append(ledger_figures)
