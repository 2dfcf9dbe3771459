from django.db import migrations
from django.utils.text import slugify

VOCABULARY = [
    "LGBTQIA+ technologists",
    "Women in tech",
    "Latina women",
    "Latinx and Hispanic technologists",
    "Black technologists",
    "Indigenous technologists",
    "Asian American and Pacific Islander technologists",
    "People with disabilities",
    "Neurodivergent people",
    "Veterans",
    "First-generation college students",
    "Immigrants and refugees",
    "Career changers",
    "Youth and students",
    "Technologists over 50",
    "Formerly incarcerated people",
    "Low-income communities",
    "Rural communities",
]


def add_vocabulary(apps, schema_editor):
    ClientGroup = apps.get_model("participants", "ClientGroup")
    for position, name in enumerate(VOCABULARY, start=1):
        ClientGroup.objects.update_or_create(
            slug=slugify(name), defaults={"name": name, "position": position}
        )


def remove_vocabulary(apps, schema_editor):
    ClientGroup = apps.get_model("participants", "ClientGroup")
    ClientGroup.objects.filter(slug__in=[slugify(n) for n in VOCABULARY]).delete()


class Migration(migrations.Migration):
    dependencies = [("participants", "0001_initial")]

    operations = [migrations.RunPython(add_vocabulary, remove_vocabulary)]
