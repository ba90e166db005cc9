"""Lambda images may have no /usr/share/zoneinfo: the code must run on the pinned
`tzdata` package alone (PYTHONTZPATH empty hides the system's files)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import zoneinfo
from datetime import UTC, date, datetime, time
from chalicelib.domain.models import Motif, PlageOuverture
from chalicelib.domain.slots import compute_slots
assert zoneinfo.TZPATH == (), zoneinfo.TZPATH
paris = zoneinfo.ZoneInfo("Europe/Paris")
motif = Motif(id="m", organisation_id="o", service_id="s", name="x", duration_minutes=30)
plage = PlageOuverture(id="p", agent_id="a", organisation_id="o", lieu_id="l", motif_ids=("m",),
                       first_day=date(2027, 3, 29), start_time=time(9), end_time=time(9, 30))
[slot] = compute_slots(motif=motif, lieu_id="l", plages=[plage], absences=[], busy=[],
                       start_day=date(2027, 3, 29), end_day=date(2027, 3, 29),
                       now=datetime(2027, 3, 1, tzinfo=UTC), tz=paris)
print(slot.starts_at.isoformat())
"""


def test_paris_time_works_without_the_system_time_zone_files():
    env = {**os.environ, "PYTHONTZPATH": "", "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "2027-03-29T07:00:00+00:00"  # summer time, UTC+2
