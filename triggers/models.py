"""No model: the schedules are django-q2's. (The module makes Django send this app's post_migrate,
which installs the periodic sweeps.)"""
