"""``oxi verify SUMMARY REC``: recompute a submitted summary from its recording (SPEC §11).

The recording is read with the reading options recorded in the summary, analysed with its
settings, and qualified with its (de-identified) context and rule profile; the summary is then
built again, exactly as ``oxi analyze`` builds it, and compared field by field with the submitted
one. ``input.path`` (the file may have been renamed or moved) and the run's own metadata are
ignored; everything else — the recording's hash, every figure, every rule and the determination —
must match.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from oximetry.errors import OximetryError
from oximetry.report.summary import SCHEMA, dumps_summary
from oximetry.settings import AnalysisSettings

from .pipeline import AnalyzeRequest, analyze_file
from .qualify import context_from_dict

__all__ = ["IGNORED", "compare_summaries", "recompute_summary", "verify"]

#: Dotted keys that are not compared: where the file was, and the run's own metadata.
IGNORED = ("input.path", "run")
#: At most this many differences are listed one by one.
MAX_LISTED = 60


def _load_summary(path: str | Path) -> dict[str, Any]:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise OximetryError(f"cannot read the summary ({exc.strerror})", p) from None
    except UnicodeDecodeError:
        raise OximetryError("not a summary.json: the file is not UTF-8 text", p) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise OximetryError(
            f"not a summary.json: invalid JSON ({exc.msg} at line {exc.lineno})", p
        ) from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        got = data.get("schema") if isinstance(data, dict) else type(data).__name__
        raise OximetryError(f"not an oxi summary: schema is {got!r}, expected {SCHEMA!r}", p)
    for key in ("input", "settings"):
        if not isinstance(data.get(key), dict):
            raise OximetryError(f"not an oxi summary: '{key}' is missing or not an object", p)
    return data


def recompute_summary(summary: Mapping[str, Any], recording_path: str | Path) -> dict[str, Any]:
    """Analyse ``recording_path`` as ``summary`` says it was analysed; return the new summary.

    Parameters
    ----------
    summary : mapping
        A submitted ``summary.json``.
    recording_path : str or Path
        The recording it claims to describe.

    Returns
    -------
    dict
        The summary rebuilt from the recording, as it would be written (JSON round trip).

    Raises
    ------
    OximetryError
        The recording cannot be read, or the recorded settings or context are malformed.
    """
    opts = summary["input"].get("read_options") or {}
    q = summary.get("qualification")
    request = AnalyzeRequest(
        channel=opts.get("channel"),
        fs=opts.get("fs"),
        scale=opts.get("scale"),
        payer=q.get("profile") if isinstance(q, Mapping) else None,
        deidentify=bool(summary.get("deidentified", False)),
        report=False,
    )
    settings = AnalysisSettings.from_dict(summary["settings"])
    ctx = summary.get("context")
    context = None if ctx is None else context_from_dict(ctx, source="summary.json context")
    outcome = analyze_file(recording_path, request, settings=settings, context=context)
    rebuilt: dict[str, Any] = json.loads(dumps_summary(outcome.summary))
    return rebuilt


def _flatten(value: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, Mapping):
        if not value:
            yield prefix, {}
        for k, v in value.items():
            yield from _flatten(v, f"{prefix}.{k}" if prefix else str(k))
    elif isinstance(value, list):
        if not value:
            yield prefix, []
        ids = [v.get("id") for v in value if isinstance(v, Mapping)]
        keyed = len(ids) == len(value) and all(ids) and len(set(map(str, ids))) == len(ids)
        for i, v in enumerate(value):
            yield from _flatten(v, f"{prefix}[{v['id'] if keyed else i}]")
    else:
        yield prefix, value


def _ignored(key: str) -> bool:
    return any(key == k or key.startswith(k + ".") or key.startswith(k + "[") for k in IGNORED)


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if value is not _MISSING else "(absent)"
    return text if len(text) <= 80 else text[:77] + "..."


_MISSING = object()


def compare_summaries(submitted: Mapping[str, Any], recomputed: Mapping[str, Any]) -> list[str]:
    """Return the differences between a submitted and a recomputed summary, in words.

    Parameters
    ----------
    submitted, recomputed : mapping
        Two summaries (as read from JSON).

    Returns
    -------
    list of str
        One line per differing field (``key: summary says X, recomputed Y``), the hash first;
        empty when they agree. Keys in :data:`IGNORED` are skipped; ``software`` is reported
        only to explain other differences.
    """
    out: list[str] = []
    sha_a = (submitted.get("input") or {}).get("sha256")
    sha_b = (recomputed.get("input") or {}).get("sha256")
    if sha_a != sha_b:
        out.append(
            f"input.sha256: the summary was made from another file (summary says {sha_a}, "
            f"this recording is {sha_b})"
        )
    a = dict(_flatten(submitted))
    b = dict(_flatten(recomputed))
    keys = list(a) + [k for k in b if k not in a]
    for key in keys:
        if key == "input.sha256" or _ignored(key) or key.startswith("software"):
            continue
        va, vb = a.get(key, _MISSING), b.get(key, _MISSING)
        if va is _MISSING or vb is _MISSING or va != vb or type(va) is not type(vb):
            if isinstance(va, int | float) and isinstance(vb, int | float):
                if va == vb and not isinstance(va, bool) and not isinstance(vb, bool):
                    continue
            out.append(f"{key}: summary says {_show(va)}, recomputed {_show(vb)}")
    if out and submitted.get("software") != recomputed.get("software"):
        out.append(
            f"software: the summary was made with {_show(submitted.get('software'))}, "
            f"this is {_show(recomputed.get('software'))} (figures match only within one version)"
        )
    if len(out) > MAX_LISTED:
        out = [*out[:MAX_LISTED], f"... and {len(out) - MAX_LISTED} more differences"]
    return out


def verify(summary_path: str | Path, recording_path: str | Path) -> list[str]:
    """Recompute a summary from its recording and list every difference.

    Parameters
    ----------
    summary_path : str or Path
        The submitted ``summary.json``.
    recording_path : str or Path
        The recording it claims to describe.

    Returns
    -------
    list of str
        Human-readable differences; empty means verified (same hash, same figures, same rules
        and determination). When an ``events.csv`` lies beside the summary, it is checked too.

    Raises
    ------
    OximetryError
        The summary is not an oxi summary, or the recording cannot be read (CLI exit status 2).

    Notes
    -----
    SPEC §11: ``input.path`` and the run's own metadata are ignored; figures must match exactly
    for the same software version. The comparison is of the JSON text values, so rounding is the
    same on both sides.
    """
    submitted = _load_summary(summary_path)
    recomputed = recompute_summary(submitted, recording_path)
    out = compare_summaries(submitted, recomputed)
    table = Path(summary_path).with_name(str((submitted.get("events") or {}).get("table")))
    if table.name == "events.csv" and table.is_file():
        digest = hashlib.sha256(table.read_bytes()).hexdigest()
        want = (recomputed.get("events") or {}).get("table_sha256")
        if digest != want:
            out.append(
                f"{table.name} beside the summary differs from the events recomputed from the "
                "recording (edited or from another analysis)"
            )
    return out
