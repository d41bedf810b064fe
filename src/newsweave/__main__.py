"""``python -m newsweave`` runs the command line."""

import sys

from newsweave.cli import main

sys.exit(main())
