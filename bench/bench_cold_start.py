"""Cold start: the import time of `app` in a fresh interpreter, against a bare Chalice
app with one route (whole process, median of 15). Target: at most 1.5x. Also the size
of the deployment zip (`make package STAGE=prod` first).
Run: `.venv/bin/python bench/bench_cold_start.py`."""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BARE = """from chalice import Chalice
app = Chalice(app_name="bare")
@app.route("/")
def index():
    return {"hello": "world"}
"""


def median_ms(cwd: Path, runs: int = 15) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import app"], cwd=cwd, check=True)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    with tempfile.TemporaryDirectory() as bare:
        (Path(bare) / "app.py").write_text(BARE)
        median_ms(Path(bare), 3)  # warm the file cache
        bare_ms = median_ms(Path(bare))
    median_ms(ROOT, 3)
    app_ms = median_ms(ROOT)
    print(f"import app (whole process): {app_ms:.0f} ms; bare Chalice app: {bare_ms:.0f} ms;"
          f" ratio {app_ms / bare_ms:.2f} (target <= 1.5)")  # fmt: skip
    zip_path = ROOT / "build" / "prod" / "deployment.zip"
    if zip_path.exists():
        print(f"deployment.zip: {zip_path.stat().st_size / 1e6:.1f} MB (target < 10 MB)")


if __name__ == "__main__":
    main()
