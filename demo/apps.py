from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data for `make run`: at the top of the app graph, so it may use every app."""

    name = "demo"
    verbose_name = "Demo data"
