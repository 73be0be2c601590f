"""The spike detector on synthetic series: a known spike alerts once (then cools down), a known
quiet period — noisy, but without a spike — never alerts."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from herald.listening import spikes


def _replay(series: list[int], signal: str = "volume") -> list[int]:
    """Hours (indexes into ``series``) at which the detector alerts, judging each hour against
    the 7×24 before it, with the cool-down carried along."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    last: datetime | None = None
    alerts = []
    for hour in range(spikes.BASELINE_HOURS, len(series)):
        now = start + timedelta(hours=hour)
        verdict = spikes.judge(signal, series[hour - spikes.BASELINE_HOURS:hour], series[hour], last, now)
        if verdict.alert:
            alerts.append(hour)
            last = now
    return alerts


def _daily_pattern(days: int, seed: int) -> list[int]:
    rng = random.Random(seed)
    out = []
    for hour in range(days * 24):
        base = 30 if 8 <= hour % 24 <= 20 else 8  # busier by day
        out.append(max(0, int(rng.gauss(base, base ** 0.5))))
    return out


def test_a_known_spike_alerts_once():
    series = _daily_pattern(10, seed=1)
    spike_at = 9 * 24 + 14
    for offset in range(3):  # three hours of a storm
        series[spike_at + offset] = 260
    assert _replay(series) == [spike_at]


def test_a_quiet_period_never_alerts():
    for seed in range(5):
        assert _replay(_daily_pattern(12, seed=seed)) == [], seed


def test_a_rise_below_the_minimum_count_does_not_alert():
    series = [0] * (spikes.BASELINE_HOURS + 1)
    series[-1] = spikes.MIN_COUNT["volume"] - 1
    assert _replay(series) == []
    series[-1] = spikes.MIN_COUNT["volume"]
    assert _replay(series) == [spikes.BASELINE_HOURS]


def test_the_cool_down_lets_a_second_spike_alert_once_it_has_passed():
    series = [5] * (spikes.BASELINE_HOURS + 30)
    first, second = spikes.BASELINE_HOURS + 2, spikes.BASELINE_HOURS + 2 + int(spikes.COOL_DOWN / timedelta(hours=1))
    series[first] = series[first + 1] = series[second] = 200
    assert _replay(series) == [first, second]


def test_the_negative_signal_has_its_own_minimum():
    series = [1] * spikes.BASELINE_HOURS + [spikes.MIN_COUNT["negative"]]
    assert _replay(series, "negative") == [spikes.BASELINE_HOURS]
    verdict = spikes.judge("negative", series[:-1], 9, None, datetime(2026, 1, 1, tzinfo=UTC))
    assert verdict.z >= spikes.Z_THRESHOLD and not verdict.alert
