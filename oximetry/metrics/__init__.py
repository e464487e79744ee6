"""SPEC §7 metrics: pure functions of arrays and a sampling rate."""
