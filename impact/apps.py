from django.apps import AppConfig


class ImpactConfig(AppConfig):
    name = "impact"
    verbose_name = "Impact reports"

    def ready(self) -> None:
        from impact.panels import impact_panel
        from labs.panels import register_panel

        register_panel(impact_panel)
