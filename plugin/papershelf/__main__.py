"""`python -m papershelf` runs the command line."""

import sys

from papershelf.cli import main

sys.exit(main())
