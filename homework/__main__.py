"""``python -m homework release|grade ...`` (see homework/hw.py)."""

import sys

from homework.hw import main

sys.exit(main())
