from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "dutyeval.accounts"
    default_auto_field = "django.db.models.BigAutoField"
