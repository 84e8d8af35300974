"""`python -m sample_data.generate`: build a sample county (see sample_data.generate)."""

import sys

from sample_data.generate.cli import main

sys.exit(main())
