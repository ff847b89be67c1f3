"""Runs the conformance kit: `python -m ai_conformance ADDRESS` (see ai_conformance.cli)."""

import sys

from ai_conformance.cli import main

if __name__ == "__main__":
    sys.exit(main())
