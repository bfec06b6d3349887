"""`python -m mock serve ...` (the same as `enode-mock`)."""

from __future__ import annotations

import sys

from .cli import main

sys.exit(main())
