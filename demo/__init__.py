"""The demo: the programme's first three promotions, promotion 3 replayed through its lifecycle.

Its data is in `demo/data/` (YAML); `demo.loader` plays it through the domain's functions only.
"""
