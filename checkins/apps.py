from django.apps import AppConfig


class CheckinsConfig(AppConfig):
    name = "checkins"
    verbose_name = "Check-ins"

    def ready(self) -> None:
        from checkins import services
        from checkins.panels import checkins_panel
        from labs import hooks
        from labs.panels import register_panel

        hooks.on_timeline_changed(services.plan_on_timeline_changed)
        hooks.on_participation_changed(services.plan_on_participation_changed)
        register_panel(checkins_panel)
