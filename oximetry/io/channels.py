"""Channel roles: which channel is SpO2, which is pulse rate, which is oximeter status.

Labels are compared after normalisation (case, spaces, ``%``, ``_``, ``-``, ``.`` and brackets
removed), so ``SpO2 (%)``, ``SPO2`` and ``spo2_%`` are the same label (SPEC §2.1). A label alone never
makes a channel SpO2 when its unit is clearly not a percentage (a ``uV`` channel labelled ``SaO2`` is
an EEG-style input, not an oximeter).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "ChannelChoice",
    "classify",
    "normalise_label",
    "other_device",
    "pick_channels",
]

_STRIP = re.compile(r"[\s%_\-.()\[\]/:]+")

#: SpO2 aliases (normalised). A trailing device number is allowed (``SpO2 1`` ... ``SpO2 5``).
SPO2_ALIASES = frozenset(
    {
        "spo2",
        "sao2",
        "spo21s",
        "osat",
        "sat",
        "sats",
        "spo2sat",
        "oxygensaturation",
        "oxygenlevel",
        "o2sat",
        "o2saturation",
        "saturation",
        "pulseoximetry",
        "oxisat",
    }
)
#: Label prefixes that mark a channel as SpO2-like even with a suffix (``SpO2 finger``, ``SaO2 X9``).
_SPO2_PREFIXES = ("spo2", "sao2", "oxygensat", "oxygenlevel")
PULSE_ALIASES = frozenset(
    {
        "pr",
        "pulse",
        "pulse1s",
        "pulserate",
        "pulseratebpm",
        "prbpm",
        "pulsebpm",
        "hr",
        "hrate",
        "heartrate",
        "rate",
        "spo2pr",
        "spo2pulse",
        "spo2hr",
        "pulseoxhr",
    }
)
#: Pulse-rate labels an oximeter gives its own pulse (not ``HR``, ``heart rate`` or ``rate``,
#: which a monitor gives its ECG's heart rate too): preferred when a file holds several.
OXIMETER_PULSE_ALIASES = PULSE_ALIASES - {"hr", "hrate", "heartrate", "rate"}
STATUS_ALIASES = frozenset(
    {"oxstat", "oxstatus", "oxstat1s", "oximeterstatus", "spo2status", "oxistatus", "excfault"}
)
#: Suffixes naming a figure derived from the saturation (a running minimum, a mean, a baseline):
#: beside the trace such a column would otherwise be analysed as if it were the trace.
_DERIVED_WORDS = ("min", "max", "avg", "average", "mean", "nadir", "baseline", "median", "trend")
#: Suffixes that make an SpO2-prefixed label something else (an alarm setting, a quality index ...).
_NOT_SPO2_WORDS = (
    "reminder",
    "alarm",
    "alert",
    "limit",
    "high",
    "low",
    "quality",
    "signal",
    "stat",
    "pulse",
    "rate",
    "bpm",
    "hr",
    "pr",
    "pi",
    "perf",
    "event",
    "desat",
    "mode",
    "threshold",
    "tone",
    "drop",
    "index",
    "count",
    *_DERIVED_WORDS,
)
_PLETH_WORDS = ("pleth", "ppg", "pulsewave", "waveform")
#: Channels of a polysomnogram or home sleep test, never of a stand-alone oximeter (normalised
#: label prefixes, then exact labels): a file that holds one is a sleep test, whose oximetry
#: Medicare does not count as overnight oximetry (LCD L33797; docs/criteria.md).
_SLEEP_TEST_PREFIXES = (
    ("eeg", "EEG"),
    ("eog", "EOG"),
    ("emg", "EMG"),
    ("airflow", "airflow"),
    ("nasalpress", "airflow"),
    ("thermistor", "airflow"),
    ("thorax", "respiratory effort"),
    ("thoracic", "respiratory effort"),
    ("abdomen", "respiratory effort"),
    ("abdominal", "respiratory effort"),
    ("snor", "snore"),
    ("chin", "EMG"),
    ("cpap", "PAP"),
    ("ipap", "PAP"),
    ("epap", "PAP"),
)
_SLEEP_TEST_LABELS = {
    "flow": "airflow",
    "pflow": "airflow",
    "nasal": "airflow",
    "therm": "airflow",
    "thor": "respiratory effort",
    "thorres": "respiratory effort",
    "abdo": "respiratory effort",
    "abdores": "respiratory effort",
    "abd": "respiratory effort",
    "lleg": "EMG",
    "rleg": "EMG",
    "loc": "EOG",
    "roc": "EOG",
}
SNORE, BODY_POSITION, ACTIGRAPHY = "snore", "body position", "actigraphy"
#: Sleep-test channels that alone make no sleep test: an oximeter with a position or motion
#: sensor, a microphone or an alarm's sound is still a stand-alone oximeter. They count beside
#: a channel of airflow, effort, EEG, EOG, EMG, PAP or arterial tone (a WatchPAT's position and
#: actigraphy beside its PAT); alone, a "Position" column of an oximeter's export made
#: Medicare deny a qualifying stand-alone night as a home sleep test.
LONE_KINDS = frozenset({SNORE, BODY_POSITION, ACTIGRAPHY})
_SLEEP_TEST_NOTE = ": a sleep-test channel"
#: Words of a label (split at anything not a letter or digit) that name a sleep-test channel
#: whatever their place in it: a montage's own labels ("Flow Patient", "Effort THO", "A-Flow",
#: "FVP/A-Effort", "Cannula Flow", "RIP Thor", "LOC-A2") were no sleep-test channel, and a home
#: sleep test's oximetry qualified as stand-alone overnight oximetry (Medicare A16).
_SLEEP_TEST_WORDS = {
    word: kind
    for kind, words in (
        (
            "airflow",
            "flow airflow xflow cannula nasal oronasal ptaf pflow npress pnasal therm "
            "thermistor thermocouple",
        ),
        (
            "respiratory effort",
            "effort thor tho thorax thoracic chest abd abdo abdomen abdominal abdoeffort rip "
            "ripsum",
        ),
        (SNORE, "snore snoring sound audio mic tracheal"),
        # a PAT home sleep test (WatchPAT) records no airflow or effort: its arterial tone, body
        # position and actigraphy name it
        ("peripheral arterial tone", "pat"),
        (BODY_POSITION, "position"),
        (ACTIGRAPHY, "actigraph actigraphy"),
        ("EEG", "eeg"),
        ("EOG", "eog loc roc"),
        ("EMG", "emg chin leg legs lleg rleg lat rat tib tibialis"),
        ("PAP", "cpap ipap epap mask"),
    )
    for word in words.split()
}
#: Words that make a label another quantity than a sleep test's signal: oxygen given ("O2 Flow",
#: "HFNC Flow", "Flow Setting"), a flow rate, the oximeter's own figures ("Pulse Leg", "Leg
#: SpO2", "PI Leg"), an exercise scale ("Borg Effort", "RPE Effort", "Effort Score"), a
#: symptom ("Chest Pain"), the oximeter's site ("Sensor Site Leg", "Site: Chest") or the patient
#: ("Pat ID", "Pat Name"). Each of them outvotes a sleep-test word, so none may be a word sleep
#: tests use: "sensor" ("Flow Sensor", "Effort Sensor"), "finger" ("Finger PAT") and "min"
#: ("Nasal Flow (L/min)") made a home sleep test's flow and effort no sleep-test channels, and
#: Medicare qualified its oximetry. A doubtful label is left a sleep-test channel: that errs
#: towards a denial, never towards a wrong qualification.
_NOT_SLEEP_TEST_WORDS = frozenset(
    "o2 oxygen fio2 hfnc supplemental high setting rate peak insp exp lpm spo2 sao2 pulse pr pi "
    "perf perfusion hr bpm accel borg rpe score pain fatigue site id name".split()
)
#: Words of a breathing sensor beside which a temperature is a thermistor's ("Nasal Temp"),
#: not the skin's ("Chest Temp").
_AIRFLOW_WORDS = frozenset({"flow", "airflow", "nasal", "oral", "oronasal", "therm", "thermistor"})
#: EEG derivations between two scalp electrodes (``Cz-Oz``, ``Fpz-Cz``).
_BIPOLAR = re.compile(
    r"^(fp|af|f|fc|c|cp|p|po|o|t|tp|ft)[1-9z](fp|af|f|fc|c|cp|p|po|o|t|tp|ft)[1-9z]$"
)
#: EEG and EOG derivations against a mastoid or ear reference (``C3-M2``, ``O1-A2``, ``E1-M2``).
_DERIVATION = re.compile(r"^(fp|af|f|fc|c|cp|p|o|t|e)[1-9z](m|a)[12]$")
_PERCENT_UNITS = frozenset({"%", "", "percent", "pct", "%sat", "%spo2", "%sao2", "sat%", "spo2%"})
_VOLTAGE = re.compile(r"^(u|µ|μ|m|n|k)?v$", re.IGNORECASE)
_DEVICE_NUMBER = re.compile(r"^(.*?\S)[\s_#-]+(\d{1,2})$")
#: A label that ends in its unit in brackets (``HR (bpm)``, ``SpO2 2 [%]``).
_LABEL_UNIT = re.compile(r"^(.*?\S)\s*[(\[]([^()\[\]]*)[)\]]$")
#: Units of a pulse rate (spaces removed, lower case), as a label may carry them.
_RATE_UNITS = frozenset({"bpm", "/min", "1/min", "min-1", "beats/min", "beat/min", "b/min"})


def normalise_label(label: str) -> str:
    """Return a label lower-cased with spaces, ``%``, ``_``, ``-``, ``.`` and brackets removed.

    Parameters
    ----------
    label : str
        A channel label or column header.

    Returns
    -------
    str
        The normalised label (``"SpO2 (%)"`` -> ``"spo2"``).
    """
    return _STRIP.sub("", label).casefold()


def _without_unit(label: str) -> str:
    """Return a label without the rate or percent unit in brackets it ends in (``HR (bpm)``).

    Only ``%`` is removed by :func:`normalise_label`: ``HR (bpm)``, ``Heart Rate (bpm)`` and
    ``PR (/min)`` were no pulse-rate channel (``hrbpm`` is no alias), so a pulse of 0 beside
    10 min of SpO2 read by a displaced probe invalidated nothing (SPEC §4 rule 4b) and the
    night qualified, where the same file headed ``Pulse (bpm)`` did not. Any other word in
    brackets (``SpO2 (mean)``) stays part of the label.
    """
    m = _LABEL_UNIT.match(label.strip())
    if m and (m.group(2).replace(" ", "").casefold() in _RATE_UNITS or unit_is_percent(m.group(2))):
        return m.group(1)
    return label


def _strip_device_number(label: str) -> tuple[str, str]:
    """Split ``"SpO2 3"`` into (``"spo2"``, ``"3"``); the number must follow a separator.

    A unit in brackets at the end (:func:`_without_unit`) is left out first.
    """
    label = _without_unit(label)
    m = _DEVICE_NUMBER.match(label.strip())
    if m:
        return normalise_label(m.group(1)), m.group(2)
    return normalise_label(label), ""


def unit_is_percent(unit: str) -> bool:
    """Return True when ``unit`` is a percentage or empty (SPEC §2.2)."""
    return unit.strip().casefold().replace(" ", "") in _PERCENT_UNITS


def classify(label: str, unit: str) -> tuple[str, str]:
    """Return the role of a channel and a short note saying why.

    Parameters
    ----------
    label : str
        Channel label as the file gives it.
    unit : str
        Physical dimension as the file gives it.

    Returns
    -------
    role : str
        ``spo2``, ``pulse``, ``status``, ``pleth``, ``sleep_test`` (an EEG, EOG, EMG, airflow,
        effort, snore, PAP, arterial-tone, body-position or actigraphy channel: the file is a
        polysomnogram or home sleep test) or ``other``.
    note : str
        Why, in a few words (empty for plain ``other`` channels).

    Examples
    --------
    >>> classify("SpO2", "%")
    ('spo2', 'SpO2 by label and unit %')
    >>> classify("EEG C3-M2", "uV")
    ('sleep_test', 'EEG: a sleep-test channel')
    >>> classify("PAP", "mmHg")  # pulmonary artery pressure on an ICU monitor
    ('other', '')
    """
    norm = normalise_label(label)
    base, _ = _strip_device_number(label)
    if any(word in norm for word in _PLETH_WORDS):
        return "pleth", "plethysmogram, never SpO2"
    if norm in STATUS_ALIASES or base in STATUS_ALIASES:
        return "status", "oximeter status"
    if norm in PULSE_ALIASES or base in PULSE_ALIASES:
        if _VOLTAGE.match(unit.strip()):
            return "other", f"labelled like pulse rate but unit {unit.strip()!r} is a voltage"
        return "pulse", "pulse rate"
    prefix = next((p for p in _SPO2_PREFIXES if norm.startswith(p)), None)
    spo2_like = norm in SPO2_ALIASES or base in SPO2_ALIASES
    if not spo2_like and prefix is not None:
        rest = norm[len(prefix) :]
        spo2_like = not any(word in rest for word in _NOT_SPO2_WORDS)
        derived = next((w for w in _DERIVED_WORDS if w in rest), None)
        if derived is not None:
            return "other", f"a derived SpO2 figure ({derived!r}), not the saturation trace"
    if spo2_like:
        if not unit_is_percent(unit):
            return (
                "other",
                f"labelled like SpO2 but unit {unit.strip()!r} is not a percentage, so not SpO2",
            )
        return "spo2", "SpO2 by label" + (" and unit %" if unit.strip() == "%" else "")
    kind = _sleep_test_kind(norm) or _sleep_test_word(label)
    if kind is not None:
        return "sleep_test", kind + _SLEEP_TEST_NOTE
    return "other", ""


def classify_all(labels: Sequence[str], units: Sequence[str]) -> list[tuple[str, str]]:
    """Return :func:`classify` of every channel of one file, lone weak sleep-test ones ``other``.

    Parameters
    ----------
    labels, units : sequence of str
        The file's channel labels and units, in order.

    Returns
    -------
    list of (role, note)
        As :func:`classify`; a body-position, actigraphy or snore channel (:data:`LONE_KINDS`)
        is a sleep-test channel only beside another kind of sleep-test channel.

    Examples
    --------
    >>> classify_all(["SpO2", "Position"], ["%", ""])[1]
    ('other', 'body position, beside no airflow, effort, EEG or PAT channel: no sleep test')
    >>> classify_all(["SpO2", "PAT", "Position"], ["%", "", ""])[2][0]
    'sleep_test'
    """
    out = [classify(label, unit) for label, unit in zip(labels, units, strict=True)]
    kinds = [note.removesuffix(_SLEEP_TEST_NOTE) for role, note in out if role == "sleep_test"]
    if kinds and all(kind in LONE_KINDS for kind in kinds):
        return [
            (
                "other",
                note.removesuffix(_SLEEP_TEST_NOTE)
                + ", beside no airflow, effort, EEG or PAT channel: no sleep test",
            )
            if role == "sleep_test"
            else (role, note)
            for role, note in out
        ]
    return out


def _sleep_test_word(label: str) -> str | None:
    """Return what a label records when one of its words names a sleep-test channel."""
    words = re.split(r"[^0-9a-z]+", label.strip().casefold())
    if _NOT_SLEEP_TEST_WORDS.intersection(words):
        return None
    if ("temp" in words or "temperature" in words) and not _AIRFLOW_WORDS.intersection(words):
        return None  # a skin or body temperature
    return next((_SLEEP_TEST_WORDS[w] for w in words if w in _SLEEP_TEST_WORDS), None)


def _sleep_test_kind(norm: str) -> str | None:
    """Return what a normalised label records when it is a sleep-test channel, else None."""
    for prefix, kind in _SLEEP_TEST_PREFIXES:
        if norm.startswith(prefix):
            return kind
    if _DERIVATION.match(norm):
        return "EOG" if norm.startswith("e") else "EEG"
    if _BIPOLAR.match(norm):
        return "EEG"
    if norm in ("e1", "e2"):
        return "EOG"
    return _SLEEP_TEST_LABELS.get(norm)


@dataclass(frozen=True)
class ChannelChoice:
    """Which channels the analysis uses.

    Parameters
    ----------
    spo2 : int
        Index of the SpO2 channel.
    pulse, status : int or None
        Index of the pulse-rate and status channels, when there are any.
    why : str
        Why the SpO2 channel was chosen.
    """

    spo2: int
    pulse: int | None
    status: int | None
    why: str


def _rank(label: str, unit: str) -> tuple[int, int]:
    """Sort key: exact alias over prefix match, then unit ``%`` first (lower is better).

    The label decides first: a prefix match (``SpO2 finger``) may carry a suffix this module
    does not know, so a unit ``%`` on it must not outrank the plain ``SpO2`` beside it.
    """
    norm = normalise_label(label)
    base, _ = _strip_device_number(label)
    exact = norm in SPO2_ALIASES or base in SPO2_ALIASES
    return (0 if exact else 1, 0 if unit.strip() == "%" else 1)


def pick_channels(
    labels: Sequence[str],
    units: Sequence[str],
    roles: Sequence[str],
    channel: str | None,
) -> ChannelChoice:
    """Choose the SpO2, pulse and status channels.

    Parameters
    ----------
    labels, units, roles : sequence of str
        One entry per channel (roles from :func:`classify`).
    channel : str or None
        The user's ``--channel`` label; matched exactly first, then by normalised label.

    Returns
    -------
    ChannelChoice
        The chosen indices and why.

    Raises
    ------
    LookupError
        With a one-line reason when no channel or several channels could be SpO2, or the
        requested channel does not exist or is not an SpO2 channel (the caller turns it into
        :class:`~oximetry.errors.ChannelNotFoundError` naming the file).
    """
    if channel is not None:
        idx = _find_label(labels, channel)
        if roles[idx] in ("pulse", "status", "pleth"):
            raise LookupError(
                f"--channel {channel!r} is a {roles[idx]} channel, not SpO2; "
                f"SpO2 candidates: {_candidates(labels, roles)}"
            )
        if roles[idx] != "spo2" and not unit_is_percent(units[idx]):
            raise LookupError(
                f"--channel {channel!r} has unit {units[idx].strip()!r}, which is not a "
                "percentage, so it cannot be SpO2"
            )
        spo2, why = idx, f"chosen with --channel {channel!r}"
    else:
        cands = [i for i, r in enumerate(roles) if r == "spo2"]
        if not cands:
            passed = [
                f"{labels[i]!r} ({units[i].strip() or 'no unit'})"
                for i in range(len(labels))
                if "labelled like SpO2" in classify(labels[i], units[i])[1]
            ]
            extra = (
                f"; passed over: {', '.join(passed)} (unit is not a percentage)" if passed else ""
            )
            shown = ", ".join(repr(x) for x in labels[:12]) + (" ..." if len(labels) > 12 else "")
            raise LookupError(f"no SpO2 channel found among [{shown}]{extra}")
        best = min(_rank(labels[i], units[i]) for i in cands)
        top = [i for i in cands if _rank(labels[i], units[i]) == best]
        if len(top) > 1:
            raise LookupError(
                f"several SpO2 channels ({_candidates(labels, roles)}); choose one with --channel"
            )
        spo2 = top[0]
        why = (
            "only SpO2 channel"
            if len(cands) == 1
            else f"preferred among {len(cands)} SpO2-like channels (exact alias, then unit %)"
        )
        why = f"{why}: label {labels[spo2]!r}" + (
            ", unit %" if units[spo2].strip() == "%" else ", no unit"
        )
    return ChannelChoice(
        spo2=spo2,
        pulse=_companion(labels, roles, spo2, "pulse"),
        status=_companion(labels, roles, spo2, "status"),
        why=why,
    )


def _candidates(labels: Sequence[str], roles: Sequence[str]) -> str:
    return ", ".join(repr(labels[i]) for i, r in enumerate(roles) if r == "spo2") or "none"


def _find_label(labels: Sequence[str], channel: str) -> int:
    exact = [i for i, lab in enumerate(labels) if lab.strip() == channel.strip()]
    if len(exact) == 1:
        return exact[0]
    norm = normalise_label(channel)
    loose = [i for i, lab in enumerate(labels) if normalise_label(lab) == norm]
    if len(loose) == 1:
        return loose[0]
    shown = ", ".join(repr(x) for x in labels)
    if len(loose) > 1 or len(exact) > 1:
        raise LookupError(f"--channel {channel!r} matches several channels among [{shown}]")
    raise LookupError(f"no channel labelled {channel!r}; channels: [{shown}]")


def other_device(spo2_label: str, label: str) -> bool:
    """Return True when two labels carry different device numbers (``SpO2 2``, ``Pulse 1``).

    Parameters
    ----------
    spo2_label, label : str
        The SpO2 channel's label and another channel's.

    Returns
    -------
    bool
        False when either carries no device number: nothing says they differ.

    Examples
    --------
    >>> other_device("SpO2 2", "Pulse 1"), other_device("SpO2 2", "Pulse 2")
    (True, False)
    >>> other_device("SpO2 2", "Pulse")
    False
    """
    a, b = _strip_device_number(spo2_label)[1], _strip_device_number(label)[1]
    return bool(a and b and a != b)


def _companion(labels: Sequence[str], roles: Sequence[str], spo2: int, role: str) -> int | None:
    """Pick the pulse/status channel that belongs to the SpO2 channel's device."""
    cands = [i for i, r in enumerate(roles) if r == role]
    # Another device's channel is never this one's: 'Pulse 1', alone beside 'SpO2 1' and
    # 'SpO2 2', was taken as the pulse of 'SpO2 2', whose figures it gave, and its zeros
    # (device 1's probe off) invalidated device 2's readings.
    cands = [i for i in cands if not other_device(labels[spo2], labels[i])]
    _, number = _strip_device_number(labels[spo2])
    if not cands:
        return None
    if len(cands) == 1:
        return cands[0]
    if number:
        same = [i for i in cands if _strip_device_number(labels[i])[1] == number]
        if len(same) == 1:
            return same[0]
    if role == "pulse":
        # a monitor's PULSE (from the oximeter) beside its HR (from the ECG): neither was used,
        # and rule 4b (pulse outside 25-250 bpm) was skipped without a word
        own = [
            i for i in cands if normalise_label(_without_unit(labels[i])) in OXIMETER_PULSE_ALIASES
        ]
        if len(own) == 1:
            return own[0]
    return None
