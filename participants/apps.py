from django.apps import AppConfig


class ParticipantsConfig(AppConfig):
    name = "participants"
    verbose_name = "Participants"

    def ready(self) -> None:
        from labs.panels import register_panel
        from participants.panels import participants_panel

        register_panel(participants_panel)
