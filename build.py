#!/usr/bin/env python3
"""Build the Marginalia site: `python build.py [build|serve|check] [options]`.

The pipeline lives in the marginalia package; this file is only the entry point.
"""

import sys

from marginalia.cli import main

if __name__ == "__main__":
    sys.exit(main())
