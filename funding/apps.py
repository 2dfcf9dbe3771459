from django.apps import AppConfig


class FundingConfig(AppConfig):
    name = "funding"
    verbose_name = "Funding"

    def ready(self) -> None:
        from funding.panels import funding_panel
        from funding.panels_initiatives import initiatives_panel
        from labs.panels import register_panel

        register_panel(funding_panel)
        register_panel(initiatives_panel)
