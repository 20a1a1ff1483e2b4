"""Run the command line as ``python -m isoforce``."""

from isoforce.cli import main

raise SystemExit(main())
