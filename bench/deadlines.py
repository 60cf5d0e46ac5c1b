"""How many deadlines the policy engine computes per second on one core.

Run from the project root: `python bench/deadlines.py [--seconds N]`. It uses the project's
config/service_policy.toml and a second calendar with split shifts in another time zone, a mix
of targets (service time in seconds, minutes and hours, "0s", working days, calendar days) and
starts spread over two years, given in several time zones. Prints throughput, then the p50 and
p99 latency of single calls.
"""

import argparse
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from helpdesk.policy import load_policy_file, parse_duration, parse_policy  # noqa: E402

SPLIT_SHIFTS = """
[document]
title = "Split shifts"
company = "Bench"
version = "1"
effective = 2026-01-01
approved_by = "bench"

[calendar]
timezone = "America/New_York"
working_days = ["mon", "tue", "wed", "thu", "fri"]
holidays = ["2026-07-03", "2026-11-26", "2026-12-25", "2027-01-01"]

[calendar.hours]
mon = ["07:30-12:00", "13:00-17:30", "19:00-22:00"]
tue = ["07:30-12:00", "13:00-17:30", "19:00-22:00"]
wed = ["07:30-12:00", "13:00-17:30", "19:00-22:00"]
thu = ["07:30-12:00", "13:00-17:30", "19:00-22:00"]
fri = ["07:30-12:00", "13:00-17:00"]
sat = ["10:00-14:00"]
"""

TARGETS = ["60s", "20s", "3m", "30m", "45m", "2h", "8h", "0s", "2wd", "5wd", "10wd", "7d"]
STARTS = 5_000


def workload(seed: int = 2026):
    """(calendar, duration, start) triples: every target on both calendars, random starts."""
    calendars = [
        load_policy_file(ROOT / "config" / "service_policy.toml").calendar,
        parse_policy(SPLIT_SHIFTS).calendar,
    ]
    durations = [parse_duration(t) for t in TARGETS]
    zones = [UTC, ZoneInfo("Europe/London"), ZoneInfo("America/New_York"), ZoneInfo("Asia/Tokyo")]
    rng = random.Random(seed)
    base = datetime(2026, 1, 1, tzinfo=UTC)
    starts = [
        (base + timedelta(seconds=rng.randrange(2 * 365 * 86_400))).astimezone(rng.choice(zones))
        for _ in range(STARTS)
    ]
    calls = [(c, d, s) for s in starts for c in calendars for d in durations]
    rng.shuffle(calls)
    return calls


def throughput(calls, seconds: float) -> float:
    done, began = 0, time.perf_counter()
    while True:
        for calendar, duration, start in calls:
            calendar.due(duration, start)
        done += len(calls)
        elapsed = time.perf_counter() - began
        if elapsed >= seconds:
            return done / elapsed


def latencies_us(calls, count: int) -> list[float]:
    clock = time.perf_counter_ns
    found = []
    for calendar, duration, start in calls[:count]:
        began = clock()
        calendar.due(duration, start)
        found.append((clock() - began) / 1000)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="time to run (default 3)")
    args = parser.parse_args()
    calls = workload()
    began = time.perf_counter()
    for calendar, duration, start in calls:  # the first pass fills the per-day caches
        calendar.due(duration, start)
    cold = len(calls) / (time.perf_counter() - began)
    rate = throughput(calls, args.seconds)
    lat = sorted(latencies_us(calls, 100_000))
    p50 = statistics.median(lat)
    p99 = lat[int(len(lat) * 0.99)]
    mix = f"mix of {len(TARGETS)} targets, {STARTS:,} starts, 2 calendars"
    print(f"deadlines: {rate:,.0f}/s ({mix})")
    print(f"first pass, filling the caches: {cold:,.0f}/s")
    print(f"latency per call: p50 {p50:.1f} µs, p99 {p99:.1f} µs")
    policy = load_policy_file(ROOT / "config" / "service_policy.toml")
    named = [(policy, name, start) for _, _, start in calls[:20_000] for name in policy.targets()]
    began = time.perf_counter()
    for policy, name, start in named:
        policy.deadline(name, start)
    by_name = len(named) / (time.perf_counter() - began)
    print(f"policy.deadline(name, start), every target of the reference: {by_name:,.0f}/s")
    year = [parse_duration(t) for t in ("2000h", "260wd", "365d")]
    long_calls = [(c, d, s) for c, _, s in calls[:3_000] for d in year]
    began = time.perf_counter()
    for calendar, duration, start in long_calls:
        calendar.due(duration, start)
    long_rate = len(long_calls) / (time.perf_counter() - began)
    print(f"year-long targets (2000h, 260wd, 365d): {long_rate:,.0f}/s")


if __name__ == "__main__":
    main()
