"""``python -m oxi``: the ``oxi`` command."""

from __future__ import annotations

import sys

from oxi.cli import main

if __name__ == "__main__":
    sys.exit(main())
