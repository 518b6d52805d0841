"""CPEC Watch: follows CPEC Phase II in Pakistani news and says what changed.

One installed name, the stages kept as top-level folders of the repository (``pyproject.toml`` maps them):
``cpec_watch.cli`` → ``cpec_watch.flows`` → ``cpec_watch.storage`` and ``cpec_watch.alerts`` →
``cpec_watch.parsers`` and ``cpec_watch.config``. Imports point down only (``tests/test_layout.py``).
"""
