"""Layer rules import-linter cannot check: app.py is a module, not a package."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_app_py_imports_only_chalice_and_the_blueprints():
    tree = ast.parse((ROOT / "app.py").read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module)
    assert imported, "app.py imports nothing?"
    for module in imported:
        assert module in ("chalice", "chalicelib.logs") or module.startswith("chalicelib.routes"), (
            module
        )
