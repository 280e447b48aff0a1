"""The django-q2 entry point of the mentor assignment."""

from mentoring import services


def sweep():
    return services.sweep()
