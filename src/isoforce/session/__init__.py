"""Sessions: the record types (pure), the SQLite store, the recorder, import/export and history.

Pure modules (``model``, ``history``, ``results``, ``blob``) sit in the centre; ``store``,
``lock`` and ``exchange`` touch the disk; ``recorder`` is a runner sink. This package's
``__init__`` imports nothing so that importing a pure module loads no I/O code.
"""
