"""Numbers in human units: every figure a person reads goes through here."""

from __future__ import annotations


def ms(value: float | None) -> str:
    """A latency in milliseconds: '0.8 ms', '350 ms', '1.25 s', '2.0 min'."""
    if value is None:
        return "n/a"
    if value < 10:
        return f"{value:.1f} ms"
    if value < 1000:
        return f"{value:.0f} ms"
    if value < 60_000:
        return f"{value / 1000:.2f} s"
    return f"{value / 60_000:.1f} min"


def pct(value: float | None, *, fraction: bool = False) -> str:
    """A percentage: pct(88.75) → '88.8 %'; pct(0.031, fraction=True) → '3.1 %'."""
    if value is None:
        return "n/a"
    return f"{value * 100 if fraction else value:.1f} %"


def per_min(value: float | None) -> str:
    """A rate per minute with thousands separators."""
    if value is None:
        return "n/a"
    return f"{value:,.0f}/min" if value >= 10 else f"{value:.1f}/min"


def ratio(value: float | None) -> str:
    """A multiplier: '2.6x'."""
    return "n/a" if value is None else f"{value:.1f}x"


def duration(seconds: float | None) -> str:
    """A span of time: '45 s', '12 min', '1 h 5 min', '3 d 2 h'."""
    if seconds is None:
        return "unknown"
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"
