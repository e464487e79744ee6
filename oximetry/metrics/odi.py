"""Oxygen-desaturation events (ODI3, ODI4) after Luna's ``DESAT``, exact at any sampling rate.

SPEC §7: the pre-event baseline is the median of the rounded values ``r = floor(x + 0.5)`` of the
valid samples in the preceding 120 s that are not inside a counted event (at least 30 s of them,
else no event can start). An event starts at sample ``i`` when ``r[i] <= baseline - k``, ends at
the first later sample ``j`` where ``x[j] >= baseline - k/2`` or the data become invalid (or the
recording ends), and counts when ``(j - i) / fs >= 10 s``. Scanning resumes at ``j``.

How it stays linear in time
---------------------------
Values are whole percents, so the baseline window is a histogram of at most 255 bins. When an
eighth of the baseline window holds at least 256 samples (from about 17 Hz), the detector walks
the recording in blocks of that size, keeping the histogram of the window before the block. From
that histogram and the samples entering and leaving during the block it bounds the median for
every window ending in the block; only when a sample in the block lies ``k`` points below that
bound (the onset of a dip) are exact medians computed, for the few values the median can take,
with cumulative counts (numpy, no per-sample Python). At lower rates the exact computation simply
runs over 256 samples at a time. Counted events are removed from the histogram as they are found,
which is what makes the detector sequential; the Python loop runs per block and per dip, never
per sample.

Before that walk, one vectorised pass over the whole recording (:class:`_Grid`, block counts of
the codes before any event is removed) bounds the median of every window ending in each block of
an eighth of the window, and marks the blocks where no sample is ``k`` points below that bound.
The walk jumps over runs of such blocks without looking at them: directly where no counted event
lies in the windows, and within a window's length after an event with the bound loosened by the
event's samples. On a quiet night, and on oximeter readings held at a PSG channel's rate, most
blocks are skipped this way; the blocks that are not are scanned as before, so the events are
those of the block-by-block scan.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..errors import OximetryError
from ..results import Event
from ..settings import OdiSettings
from .runs import check_fs, samples_at_least

__all__ = ["detect_desaturations", "detect_desaturations_at"]

#: Histogram code of a sample that does not count (invalid, or inside a counted event).
_IGNORE = 255
_NBINS = 256
_NVALUES = 255  # codes 0 .. 254 are whole percents
#: Samples per screening block below which the detector computes exactly without screening.
_MIN_SCREEN_BLOCK = 256
#: At most this many blocks in the whole-recording screen (its table is blocks x 255 counts).
_MAX_GRID_BLOCKS = 16384
#: Samples per eighth of the baseline window from which the whole-recording screen is used
#: (from about 4.3 Hz; below, the exact computation over 256 samples at a time is cheaper).
_MIN_GRID_BLOCK = 64


def _event_type(drop_pts: float) -> str:
    k = float(drop_pts)
    return f"odi{int(k)}" if k.is_integer() else f"odi{k:g}"


def detect_desaturations(
    x: ArrayLike,
    valid: ArrayLike,
    fs: float,
    drop_pts: float,
    settings: OdiSettings,
) -> tuple[Event, ...]:
    """Detect oxygen-desaturation events over a whole recording (SPEC §7).

    Parameters
    ----------
    x : array_like of float
        SpO2 in percent, one value per sample, NaN where missing.
    valid : array_like of bool
        The artifact mask (True = usable); same length as ``x``.
    fs : float
        Sampling rate in Hz (any positive rate; nothing assumes 1 Hz).
    drop_pts : float
        ``k``: an event needs a fall to ``baseline - k`` or lower (3 for ODI3, 4 for ODI4).
    settings : OdiSettings
        Baseline window (120 s), minimum baseline data (30 s), minimum event length (10 s).

    Returns
    -------
    tuple of Event
        Every counted event in time order, type ``odi3`` / ``odi4``, with ``start_s``, ``end_s``
        (exclusive), ``nadir_pct``, ``nadir_s``, ``baseline_pct`` (the pre-event median, possibly
        a half percent) and ``drop_pct = baseline_pct - nadir_pct``; ``window`` is None (the
        caller assigns events to windows by their start).

    Notes
    -----
    After Luna's ``DESAT`` (Purcell et al., NSRR/Luna). Differences from Luna: the threshold is
    "at least ``k`` points below" (Luna's "3 %" is a fall of more than 3 points), baselines use
    rounded values, and each detector (ODI3, ODI4) excludes only its own counted events from
    its baselines. Durations compare sample counts: an event counts when it spans at least
    ``ceil(10 × fs)`` samples; the baseline needs at least ``ceil(30 × fs)`` samples in the
    last ``floor(120 × fs)``. There is no cap on the number of events.
    """
    return detect_desaturations_at(x, valid, fs, (drop_pts,), settings)[0]


def detect_desaturations_at(
    x: ArrayLike,
    valid: ArrayLike,
    fs: float,
    drops_pts: Sequence[float],
    settings: OdiSettings,
) -> tuple[tuple[Event, ...], ...]:
    """Detect desaturation events for several depths at once (ODI3 and ODI4 in one call).

    Parameters
    ----------
    x, valid, fs, settings
        As in :func:`detect_desaturations`.
    drops_pts : sequence of float
        The depths ``k`` (e.g. ``(3, 4)``).

    Returns
    -------
    tuple of tuple of Event
        One result per depth, each equal to ``detect_desaturations`` at that depth; the
        rounded values are computed once and shared.
    """
    fs = check_fs(fs)
    xs = np.asarray(x, dtype=np.float64)
    ok = np.asarray(valid, dtype=bool)
    if xs.ndim != 1 or ok.shape != xs.shape:
        raise OximetryError(
            f"x and valid must be one-dimensional and of equal length, got shapes "
            f"{xs.shape} and {ok.shape}"
        )
    ks = [float(d) for d in drops_pts]
    for d, k in zip(drops_pts, ks, strict=True):
        if not k > 0:
            raise OximetryError(f"Invalid desaturation depth {d!r}; it must be > 0 points")
    n = xs.shape[0]
    win = max(int(np.floor(settings.baseline_window_s * fs + 1e-9)), 1)
    min_base = max(samples_at_least(settings.min_baseline_s, fs), 1)
    min_event = max(samples_at_least(settings.min_event_s, fs), 1)
    codes = _codes(xs, ok, win)
    if n == 0 or int(codes.min()) == _IGNORE:
        return tuple(() for _ in ks)
    # built from the codes before any event is removed, shared by every depth
    grid = _Grid(codes, n, win) if win // 8 >= _MIN_GRID_BLOCK else None
    out = []
    for j, k in enumerate(ks):
        # each detector removes its own counted events from its copy of the codes
        mine = codes if j == len(ks) - 1 else codes.copy()
        det = _Detector(mine, xs, n, win, k, min_base, min_event, fs, grid)
        out.append(det.run(_event_type(k)))
    return tuple(out)


def _codes(x: NDArray[np.float64], valid: NDArray[np.bool_], win: int) -> NDArray[np.uint8]:
    """Return ``win`` padding codes then, per sample, its whole percent (0..254) or _IGNORE.

    Worked in cache-sized chunks: the five passes then stay in cache (a 22-million-sample night
    otherwise spends more time here than in the scan).
    """
    n = x.shape[0]
    codes = np.full(n + win, _IGNORE, dtype=np.uint8)
    chunk = 1 << 16
    for s in range(0, n, chunk):
        e = min(n, s + chunk)
        seg = x[s:e] + 0.5
        bad = ~(valid[s:e] & np.isfinite(seg))
        np.floor(seg, out=seg)
        np.clip(seg, 0, _NVALUES - 1, out=seg)
        if bad.any():
            seg[bad] = _IGNORE
        np.copyto(codes[win + s : win + e], seg, casting="unsafe")
    return codes


class _Grid:
    """Per-block bounds over the whole recording, for skipping blocks where no event can start.

    The recording is cut into blocks of ``size`` samples (an eighth of the baseline window, or
    more on very long recordings). For block ``g`` covering samples ``[a, b)``, every baseline
    window ending at ``t`` in ``[a, b)`` contains the *core* ``[b - win, a)`` and lies inside
    the *outer* span ``[a - win, b)``; cores are narrowed and outer spans widened to whole
    blocks, which only loosens what follows. If counted events have taken ``e`` samples out of
    the core (any number elsewhere), such a window holds at most ``n_outer - e`` valid samples
    and at least ``count(core <= v) - e`` of them are ``<= v``, so its upper median is at most
    ``bound``, the smallest ``v`` with ``count(core <= v) >= (n_outer - e) // 2 + 1 + e``.
    An event can start at ``t`` only if ``r[t] + k <= median <= bound`` and the window holds at
    least the minimum baseline, so a block whose lowest value is above ``bound - k``, or with
    ``n_outer - e`` below that minimum, holds no event start. The counts are built once from
    the codes before any event is removed (numpy over blocks, no Python per block).
    """

    def __init__(self, codes: NDArray[np.uint8], n: int, win: int) -> None:
        size = max(win // 8, 1, -(-n // _MAX_GRID_BLOCKS))
        nb = -(-n // size)
        dtype = np.int32 if n < 2**31 - 1 else np.int64
        hist = np.empty((nb, _NBINS), dtype=dtype)
        per = max(1, (1 << 17) // size)  # blocks per bincount
        pattern = np.repeat(np.arange(min(per, nb), dtype=np.intp) * _NBINS, size)
        for g0 in range(0, nb, per):
            g1 = min(nb, g0 + per)
            seg = codes[win + g0 * size : win + min(n, g1 * size)]
            counts = np.bincount(pattern[: seg.size] + seg, minlength=(g1 - g0) * _NBINS)
            hist[g0:g1] = counts.reshape(g1 - g0, _NBINS)
        self.size, self.nb, self.core_blocks = size, nb, max(win // size - 1, 0)
        #: lowest code in each block (_IGNORE when none is valid)
        self.block_min = np.argmax(hist > 0, axis=1)
        # core of block g: whole blocks g - (c - 1) .. g - 1, with c = floor(win / size)
        # (numpy's cumulative sum over blocks is slow along that axis: add shifted slices)
        c = win // size
        core = np.zeros((nb, _NVALUES), dtype=dtype)
        for d in range(1, min(c, nb)):
            core[d:] += hist[: nb - d, :_NVALUES]
        #: core_cum[g, v]: valid samples with code <= v in block g's core
        self.core_cum = np.cumsum(core, axis=1, out=core)
        # outer span of block g: whole blocks g - ceil(win / size) .. g
        totals = np.zeros(nb + 1, dtype=np.int64)
        np.cumsum(hist[:, :_NVALUES].sum(axis=1), out=totals[1:])
        g = np.arange(nb, dtype=np.int64)
        #: n_out[g]: valid samples in block g's outer span
        self.n_out = totals[g + 1] - totals[np.maximum(g - (-(-win // size)), 0)]

    def next_check(
        self,
        k: float,
        min_base: int,
        first: int,
        stop: int,
        removed: NDArray[np.int64] | int = 0,
    ) -> NDArray[np.int64]:
        """For each block ``first .. stop - 1``, the first block from it that may hold a start.

        ``removed`` is, per block, the number of samples counted events took out of its core.
        The value is ``stop`` when no block from there on can hold a start.
        """
        n_out = self.n_out[first:stop] - removed
        need = n_out // 2 + 1 + removed
        bound = np.count_nonzero(self.core_cum[first:stop] < need[:, None], axis=1)
        skip = (n_out < min_base) | (self.block_min[first:stop] + k > bound)
        idx = np.where(skip, stop, np.arange(first, stop, dtype=np.int64))
        out: NDArray[np.int64] = np.minimum.accumulate(idx[::-1])[::-1]
        return out


class _Detector:
    """State of one sequential scan: position ``p`` and the histogram of ``[p - win, p)``."""

    def __init__(
        self,
        codes: NDArray[np.uint8],
        x: NDArray[np.float64],
        n: int,
        win: int,
        k: float,
        min_base: int,
        min_event: int,
        fs: float,
        grid: _Grid | None,
    ) -> None:
        self.codes = codes
        self.x = x
        self.n = n
        self.win = win
        self.k = k
        self.min_base = min_base
        self.min_event = min_event
        self.fs = fs
        # Screening pays only when a block holds many samples; at low rates the exact
        # computation over a few hundred samples is cheaper than several small screens.
        self.block = win // 8 if win // 8 >= _MIN_SCREEN_BLOCK else 0
        self.exact_span = max(_MIN_SCREEN_BLOCK, int(4 * fs))
        self.p = 0
        self.hist = np.zeros(_NBINS, dtype=np.int64)
        self.hist[_IGNORE] = win
        self.grid = grid
        # Before any event is counted, the windows are those the grid was built from.
        self.next_clean = np.zeros(0, dtype=np.int64)
        if grid is not None:
            self.next_clean = grid.next_check(k, min_base, 0, grid.nb, 0)
        #: from this sample on, no baseline window holds a counted event
        self.clean_from = 0
        # After an event: the blocks up to clean_from, and the first from each that may hold
        # a start given the samples counted events may have taken out of their windows.
        self.dirty_first = self.dirty_stop = 0
        self.next_dirty = self.next_clean
        self.recent: list[tuple[int, int]] = []  # counted events that may be in a window

    def _skip(self) -> None:
        """Jump over whole blocks in which no event can start (see :class:`_Grid`)."""
        if self.grid is None:
            return
        p, size = self.p, self.grid.size
        g = p // size
        if g >= self.grid.nb:
            return
        if p >= self.clean_from:
            g2 = int(self.next_clean[g])
        elif self.dirty_first <= g < self.dirty_stop:
            g2 = int(self.next_dirty[g - self.dirty_first])
        else:
            return
        if g2 > g:
            self._advance(min(g2 * size, self.n))

    def _counted(self, i: int, j: int) -> None:
        """Note a counted event ``[i, j)``: windows ending before ``j + win`` may hold it."""
        w, grid = self.win, self.grid
        if grid is None:
            return
        # events ending at or before j - win are in no window ending at or after j
        self.recent = [(a, b) for a, b in self.recent if b > j - w]
        self.recent.append((i, j))
        self.clean_from = j + w
        self.dirty_first = j // grid.size
        self.dirty_stop = min(grid.nb, (j + w) // grid.size + 1)
        if self.dirty_first < self.dirty_stop:
            # samples of counted events inside each block's core
            hi = np.arange(self.dirty_first, self.dirty_stop, dtype=np.int64) * grid.size
            lo = np.maximum(hi - grid.core_blocks * grid.size, 0)
            ev = np.array(self.recent, dtype=np.int64)
            overlap = np.minimum(ev[:, 1], hi[:, None]) - np.maximum(ev[:, 0], lo[:, None])
            removed = np.maximum(overlap, 0).sum(axis=1)
            self.next_dirty = grid.next_check(
                self.k, self.min_base, self.dirty_first, self.dirty_stop, removed
            )

    def _advance(self, to: int) -> None:
        """Move the window end from ``p`` to ``to``, updating the histogram."""
        p, w = self.p, self.win
        if to <= p:
            return
        if to - p >= w:
            self.hist = np.bincount(self.codes[to : to + w], minlength=_NBINS)
        else:
            self.hist += np.bincount(self.codes[p + w : to + w], minlength=_NBINS)
            self.hist -= np.bincount(self.codes[p:to], minlength=_NBINS)
        self.p = to

    def _screen(self) -> bool:
        """Skip ahead to the next sample that may start an event; False at the end."""
        n, w, k, codes = self.n, self.win, self.k, self.codes
        while self.p < n:
            self._skip()
            p = self.p
            if p >= n:
                break
            q = min(p + self.block, n)
            enter = codes[p + w : q + w]
            low = int(enter.min())
            if low + k > _NVALUES - 1:
                self._advance(q)
                continue
            cum = np.cumsum(self.hist[:_NVALUES])
            n_now = int(cum[-1])
            m = q - p
            # Every window ending in [p, q) holds the window before p minus at most m leaving
            # samples, and at most n_now + m samples: its upper median is at most `rough`.
            rough = int(np.searchsorted(cum, (n_now + m) // 2 + 1 + m))
            if low + k > rough:
                self._advance(q)
                continue
            leave_hist = np.bincount(codes[p:q], minlength=_NBINS)
            n_enter = int(np.count_nonzero(enter != _IGNORE))
            b_max = (n_now + n_enter) // 2 + 1
            bound = int(np.searchsorted(cum - np.cumsum(leave_hist[:_NVALUES]), b_max))
            cand = np.flatnonzero(enter.astype(np.float64) + k <= bound)
            if cand.size == 0:
                self.hist += np.bincount(enter, minlength=_NBINS)
                self.hist -= leave_hist
                self.p = q
                continue
            self._advance(p + int(cand[0]))
            return True
        return False

    def run(self, kind: str) -> tuple[Event, ...]:
        """Scan the whole recording; return the counted events."""
        events: list[Event] = []
        n, w, k = self.n, self.win, self.k
        while self.p < n:
            self._skip()
            if self.p >= n:
                break
            found = None
            if self.block:
                if not self._screen():
                    break
                # The screen stops at the first sample that may start an event; it almost
                # always does, and the histogram at hand decides that in a few operations.
                found = self._start_here()
            p = self.p
            q = min(p + self.exact_span, n)
            if found is None:
                found = self._exact(p, q)
            if found is None:
                self._advance(q)
                continue
            i, baseline = found
            self._advance(i)
            j = self._end(i, baseline - k / 2.0)
            if j - i >= self.min_event:
                self.codes[i + w : j + w] = _IGNORE
                events.append(self._make_event(kind, i, j, baseline))
                self._counted(i, j)
            self._advance(j)
        return tuple(events)

    def _start_here(self) -> tuple[int, float] | None:
        """Return ``(p, baseline)`` when an event starts at ``p`` itself, else None."""
        r = int(self.codes[self.p + self.win])
        cum = np.cumsum(self.hist[:_NVALUES])
        n_now = int(cum[-1])
        if r == _IGNORE or n_now < self.min_base:
            return None
        lower = int(np.searchsorted(cum, (n_now + 1) // 2))
        upper = int(np.searchsorted(cum, n_now // 2 + 1))
        if 2.0 * r + 2.0 * self.k <= lower + upper:
            return self.p, (lower + upper) / 2.0
        return None

    def _exact(self, p: int, q: int) -> tuple[int, float] | None:
        """Return the first event start in ``[p, q)`` and its baseline, computed exactly."""
        w, codes = self.win, self.codes
        enter = codes[p + w : q + w]
        leave = codes[p:q]
        m = q - p
        # n(t): valid samples in the window ending at p + t (exclusive cumulative counts).
        d_n = np.zeros(m, dtype=np.int64)
        if m > 1:
            np.cumsum(
                (enter[:-1] != _IGNORE).astype(np.int64) - (leave[:-1] != _IGNORE), out=d_n[1:]
            )
        cum = np.cumsum(self.hist[:_NVALUES])
        n_t = int(cum[-1]) + d_n
        lo_rank = (n_t + 1) // 2  # 1-based ranks of the two middle values
        hi_rank = n_t // 2 + 1
        enter_hist = np.bincount(enter[:-1], minlength=_NBINS)[:_NVALUES]
        leave_hist = np.bincount(leave[:-1], minlength=_NBINS)[:_NVALUES]
        present = np.flatnonzero(self.hist[:_NVALUES] + enter_hist)
        if present.size == 0:
            return None
        # Values below v_lo are below the lower middle in every window; from v_hi on, every
        # window has at least hi_rank values <= v: only v in [v_lo, v_hi) need exact counts.
        v_lo = int(np.searchsorted(cum + np.cumsum(enter_hist), int(lo_rank.min())))
        v_hi = int(np.searchsorted(cum - np.cumsum(leave_hist), int(hi_rank.max())))
        v_lo = max(v_lo, int(present[0]))
        v_hi = max(min(v_hi, int(present[-1])), v_lo)
        lower = np.full(m, v_lo, dtype=np.int64)
        upper = np.full(m, v_lo, dtype=np.int64)
        if v_hi > v_lo:
            values = np.arange(v_lo, v_hi, dtype=np.int32)[:, None]
            step = np.zeros((values.shape[0], m), dtype=np.int32)
            if m > 1:
                step[:, 1:] = enter[None, :-1] <= values
                step[:, 1:] -= leave[None, :-1] <= values
            counts = np.cumsum(step, axis=1, out=step)
            counts += cum[v_lo:v_hi, None].astype(np.int32)
            lower += np.count_nonzero(counts < lo_rank, axis=0)
            upper += np.count_nonzero(counts < hi_rank, axis=0)
        starts = (
            (enter != _IGNORE)
            & (n_t >= self.min_base)
            & (2.0 * enter.astype(np.float64) + 2.0 * self.k <= (lower + upper))
        )
        hit = np.flatnonzero(starts)
        if hit.size == 0:
            return None
        t = int(hit[0])
        return p + t, float(lower[t] + upper[t]) / 2.0

    def _end(self, i: int, threshold: float) -> int:
        """Return the first sample after ``i`` at or above ``threshold`` or invalid (else n)."""
        n, w = self.n, self.win
        m = i + 1
        chunk = max(int(64 * self.fs), 64)
        while m < n:
            stop = min(n, m + chunk)
            hit = np.flatnonzero(
                (self.codes[m + w : stop + w] == _IGNORE) | (self.x[m:stop] >= threshold)
            )
            if hit.size:
                return m + int(hit[0])
            m = stop
            chunk *= 2
        return n

    def _make_event(self, kind: str, i: int, j: int, baseline: float) -> Event:
        seg = self.x[i:j]
        t = int(np.argmin(seg))
        nadir = float(seg[t])
        return Event(
            type=kind,
            start_s=i / self.fs,
            end_s=j / self.fs,
            nadir_pct=nadir,
            nadir_s=(i + t) / self.fs,
            baseline_pct=baseline,
            drop_pct=baseline - nadir,
        )
