from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "Meetings"

    def ready(self) -> None:
        from labs.panels import register_panel
        from meetings.panels import meetings_panel

        register_panel(meetings_panel)
