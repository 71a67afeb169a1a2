"""The house keeps its shape: layers that point down, few top-level modules, small modules.

The layer contract itself is import-linter's (``[tool.importlinter]`` in
pyproject.toml, run by ``.ci/run`` too); imports inside functions count, type-only
imports under ``if TYPE_CHECKING:`` do not.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

PACKAGE = ROOT / "tracker"
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"  # installed with tracker[test]


def test_the_layer_contract_is_kept():
    run = subprocess.run(
        [LINT_IMPORTS, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stdout[-3000:]
    assert "0 broken" in run.stdout


def test_at_most_eight_modules_sit_at_the_top():
    top = sorted(
        p.name for p in PACKAGE.glob("*.py") if p.name not in ("__init__.py", "__main__.py")
    )
    assert len(top) <= 8, top


def test_every_module_stays_small():
    sizes = {
        str(p.relative_to(PACKAGE)): len(p.read_text("utf-8").splitlines())
        for p in PACKAGE.rglob("*.py")
    }
    assert {name: n for name, n in sizes.items() if n > 400} == {}
