"""``python -m tests.benchmarks``: run every benchmark and print the ratios."""

import sys

from tests.benchmarks.run import main

sys.exit(main())
