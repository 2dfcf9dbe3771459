from django.apps import AppConfig


class FundingConfig(AppConfig):
    name = "funding"
    verbose_name = "Funding"

    def ready(self) -> None:
        from funding.panels import funding_panel
        from funding.panels_initiatives import initiatives_panel
        from funding.services import awarded_total
        from labs.hooks import on_pool_committed
        from labs.panels import register_panel

        register_panel(funding_panel)
        register_panel(initiatives_panel)
        on_pool_committed(awarded_total)
