from django import template

register = template.Library()


@register.simple_tag
def milestone_status(milestone, today) -> str:
    return milestone.status(today)


@register.filter
def phase_progress(phase, today) -> int:
    return round(phase.progress(today) * 100)
