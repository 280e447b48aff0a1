"""The scheduling mechanism: dated jobs and periodic sweeps as django-q2 schedules.

Apps register what their data triggers (`triggers.registry`); this app knows no domain.
"""
