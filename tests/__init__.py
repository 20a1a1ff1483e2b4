"""isoforce's tests, a package: helpers import as ``tests.<folder>.<module>`` from the repo root.

pytest's default ("prepend") import mode puts the first folder above the outermost
``__init__.py`` — the repo root — on ``sys.path``, so ``tests`` is importable in every run from
a checkout; subprocesses that run a helper get the root on ``PYTHONPATH`` (see
:func:`tests.paths.python_env`).
"""
