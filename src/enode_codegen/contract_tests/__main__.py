"""`python -m enode_codegen.contract_tests [options]` (the same as `enode-codegen contract`)."""

from __future__ import annotations

from .run import main

raise SystemExit(main())
