"""`import app` (a cold start) does not load pydantic for the API's models or forms:
the handlers that need them import them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Records which project module first imported pydantic, then lists what `import app` loaded.
PROBE = """
import json, sys, traceback

first = []

class Spy:
    def find_spec(self, name, path=None, target=None):
        if name == "pydantic" and not first:
            files = [f.filename for f in traceback.extract_stack()]
            first.extend(f for f in files if "/chalicelib/" in f)
        return None

sys.meta_path.insert(0, Spy())
import app

print(json.dumps({"modules": sorted(sys.modules), "pydantic_from": first}))
"""


def imported_by_app() -> dict:
    run = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return json.loads(run.stdout)


def test_import_app_loads_no_api_model_form_or_openapi_module():
    modules = imported_by_app()["modules"]
    for lazy in ("chalicelib.web.api_models", "chalicelib.web.forms", "chalicelib.web.openapi_doc"):
        assert lazy not in modules


def test_pydantic_if_loaded_at_all_comes_only_from_the_settings():
    # The settings are being made cheap elsewhere; the web layer must not be the reason.
    found = imported_by_app()
    if "pydantic" in found["modules"]:
        innermost = found["pydantic_from"][-1]
        assert innermost.endswith("chalicelib/settings.py"), found["pydantic_from"]
