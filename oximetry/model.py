"""The data model: recordings in, results out.

Signals are numpy arrays with their own sampling rate. Arrays handed out are read-only. Everything
about the patient lives in :class:`PatientInfo`, apart from the signals, because it is protected
health information (SPEC §3, §10). Times inside a recording are seconds from its first sample;
``Recording.start`` is the local wall-clock time of that sample, naive (EDF and oximeter exports do
not say which time zone they were recorded in).
"""

from __future__ import annotations

import datetime as _dt
import itertools
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .annotations import SLEEP_TEST_EVENTS, is_pap_note, sleep_test_event

__all__ = [
    "Annotation",
    "ChannelInfo",
    "CompanionFile",
    "PatientInfo",
    "Recording",
    "Signal",
    "SourceInfo",
    "SourcePart",
    "flexible_pattern",
    "readonly",
    "redaction_pattern",
]

#: Roles a channel can play in an oximetry recording.
CHANNEL_ROLES = ("spo2", "pulse", "status", "pleth", "sleep_test", "other")


def readonly(values: ArrayLike, dtype: Any = np.float64) -> NDArray[Any]:
    """Return a read-only, C-contiguous copy of ``values`` as ``dtype``.

    Parameters
    ----------
    values : array_like
        The values to copy.
    dtype : numpy dtype, optional
        The dtype of the copy (float64 by default).

    Returns
    -------
    numpy.ndarray
        A new array whose ``flags.writeable`` is False.
    """
    arr = np.array(values, dtype=dtype, copy=True, order="C")
    arr.flags.writeable = False
    return arr


@dataclass(frozen=True)
class Signal:
    """One sampled channel.

    Parameters
    ----------
    label : str
        The channel's label as the file names it.
    unit : str
        Physical dimension as the file gives it (``"%"``, ``"bpm"``, ``""``).
    fs : float
        Sampling rate in Hz. Required; never defaulted.
    data : numpy.ndarray
        One value per sample, float, NaN where the value is missing. Stored as a read-only
        copy unless it is already a read-only float array owning its memory.
    """

    label: str
    unit: str
    fs: float
    data: NDArray[np.float64]

    def __post_init__(self) -> None:
        fs = float(self.fs)
        if not math.isfinite(fs) or fs <= 0:
            raise ValueError(
                f"Signal {self.label!r}: fs must be a positive number of Hz, got {self.fs!r}"
            )
        object.__setattr__(self, "fs", fs)
        data = self.data
        # Kept uncopied only when read-only and its own memory: a read-only view of a writable
        # array (pandas' Series.to_numpy()) changed under the frozen Recording, and under an
        # Analysis made from it, whenever the frame it viewed was edited.
        if not (
            isinstance(data, np.ndarray)
            and data.dtype == np.float64
            and not data.flags.writeable
            and data.base is None
        ):
            data = readonly(data)
        if data.ndim != 1:
            raise ValueError(
                f"Signal {self.label!r}: data must be one-dimensional, got shape {data.shape}"
            )
        object.__setattr__(self, "data", data)

    @property
    def n_samples(self) -> int:
        """Number of samples."""
        return int(self.data.shape[0])

    @property
    def duration_s(self) -> float:
        """Samples × 1/fs, in seconds."""
        return self.n_samples / self.fs

    def times_s(self) -> NDArray[np.float64]:
        """Return the time of each sample in seconds from the recording start."""
        return np.arange(self.n_samples, dtype=np.float64) / self.fs


@dataclass(frozen=True)
class Annotation:
    """A timed note from the file: a sleep stage, lights off, a test segment, a scored event.

    Parameters
    ----------
    onset_s : float
        Seconds from the recording start.
    duration_s : float
        Length in seconds; 0 when the file gives none.
    text : str
        The annotation's text as written in the file.
    nadir_pct, baseline_pct : float or None
        For a scored desaturation whose file gives them (NSRR/Profusion XML): the scorer's
        lowest SpO2 and the baseline it was measured from.
    """

    onset_s: float
    duration_s: float
    text: str
    nadir_pct: float | None = None
    baseline_pct: float | None = None

    def __post_init__(self) -> None:
        # Built by hand, Annotation(nan, 360, "exercise") made the whole recording the walk
        # (NaN compares false with every bound), and a NaN or negative duration a mark
        # without one; the readers refuse such values in a file.
        onset, duration = float(self.onset_s), float(self.duration_s)
        if not (math.isfinite(onset) and math.isfinite(duration) and duration >= 0):
            raise ValueError(
                "Annotation: onset_s and duration_s must be finite seconds and "
                f"duration_s at least 0, got onset_s={self.onset_s!r}, "
                f"duration_s={self.duration_s!r}"
            )
        object.__setattr__(self, "onset_s", onset)
        object.__setattr__(self, "duration_s", duration)


@dataclass(frozen=True)
class ChannelInfo:
    """What ``oxi info`` shows of one channel and why it was or was not chosen.

    Parameters
    ----------
    label, unit : str
        As given by the file.
    fs : float or None
        Sampling rate in Hz (None when the file gives no rate and none was supplied).
    n_samples : int
        Number of samples in the file.
    role : str
        One of ``spo2``, ``pulse``, ``status``, ``pleth``, ``sleep_test`` (EEG, EOG, EMG,
        airflow, effort, snore, PAP: the file is a sleep test), ``other``.
    selected : bool
        True when the analysis uses this channel.
    note : str
        Why the channel was chosen or passed over, in a few words.
    """

    label: str
    unit: str
    fs: float | None
    n_samples: int
    role: str
    selected: bool = False
    note: str = ""


#: The dashes a word processor puts for ``-``: hyphen, non-breaking hyphen, figure dash, en dash,
#: em dash, horizontal bar (U+2010-U+2015) and the minus sign (U+2212); and the soft hyphen
#: (U+00AD, put where a word may break), the hyphen bullet (U+2043), the two- and three-em dashes
#: (U+2E3A-U+2E3B), the small em dash and hyphen-minus (U+FE58, U+FE63), the full-width
#: hyphen-minus (U+FF0D, East Asian input) and the invisible zero-width space and word joiner
#: (U+200B, U+2060): "QZ\u00ad9988776" and "QZ\uff0d9988776" came through --deidentify whole
#: (review of hunt 12).
_DASHES = "\u2010-\u2015\u2212\u00ad\u2043\u2e3a\u2e3b\ufe58\ufe63\uff0d\u200b\u2060"

#: The apostrophes it puts for ``'``: single quotation marks (U+2018, U+2019) and the modifier
#: letter apostrophe (U+02BC).
_APOSTROPHES = "\u2018\u2019\u02bc"

#: What may stand between the parts of an identifier as a text spells it: "QZ 9988776" or
#: "QZ.9988776" for the member ID ``QZ-9988776``, "Doe, Jane" or "JaneDoe" for ``Jane Doe``,
#: "Jul. 13, 1949" for ``Jul 13 1949`` (the hunt-12 interpretation quoting them so was written
#: whole under --deidentify: only the exact form and the one without separators were matched).
#: The typographic dashes and apostrophes too: a word processor types "QZ–9988776" (en dash),
#: "1949–07–13" and "O’Brien" for ``QZ-9988776``, ``1949-07-13`` and ``O'Brien``, and they came
#: through --deidentify whole (hunt 12).
_SEPARATOR = rf"[\s.,:;/\\#'_\-{_DASHES}{_APOSTROPHES}]"

#: What may stand between two runs of digits: not ``:``, which makes a clock time. Born
#: 1949-07-13, "Lowest SpO2 at 13:07:49" and "recorded 2026-03-05 13:07:49" read the time (day,
#: month, 2-digit year) as the birth date and lost it to [redacted] (hunt 12 review).
_DIGIT_SEPARATOR = rf"[\s.,;/\\#'_\-{_DASHES}{_APOSTROPHES}]"

#: An identifier's alphanumeric parts: runs of letters (any script) or of digits. A change from
#: letters to digits is a part boundary, so ``MRN12345`` also matches "MRN 12345". The modifier
#: letter apostrophe (U+02BC) is a letter to Unicode but an apostrophe to whoever typed it: a name
#: written ``OʼBrien`` has the parts ``O`` and ``Brien``, as ``O'Brien`` has.
_PART = re.compile(r"[^\W\d_\u02bc]+|\d+")

#: A name's runs of letters (:data:`_PART` without the digits).
_LETTERS = re.compile(r"[^\W\d_\u02bc]+")


def flexible_pattern(identifier: str) -> str:
    r"""Return a regex source matching ``identifier`` whatever separators stand between its parts.

    The parts are its runs of letters and of digits; between two parts any of
    :data:`_SEPARATOR` (space, ``.``, ``,``, ``:``, ``;``, ``/``, ``\``, ``#``, ``'``, ``_``,
    ``-``, the typographic dashes and apostrophes such as ``–``, ``—``, ``’``; up to three) may
    stand, or the text the identifier itself has there, or nothing, except between two runs of
    digits, which a separator must keep apart (``7/13/49`` is not the number 71349) and ``:``
    does not (:data:`_DIGIT_SEPARATOR`: ``13:07:49`` is a time). An identifier of numbers of
    at most two digits each (``13/07/49``, ``12-34``) looks like other numbers: it is not
    matched with only spaces between its numbers ("SpO2 13 07 49" is three values) and, when it
    has two numbers, not with one ``.`` or ``,`` between them ("12.34 %" is a decimal number),
    unless the identifier itself is written so. The pattern is not anchored:
    :func:`redaction_pattern` adds the bounds.

    Parameters
    ----------
    identifier : str
        An identifier as written (``QZ-9988776``, ``Doe, Jane``).

    Returns
    -------
    str
        A regex source; the identifier escaped whole when it has no letter or digit.

    Examples
    --------
    >>> import re
    >>> bool(re.fullmatch(flexible_pattern("QZ-9988776"), "QZ 9988776"))
    True
    >>> bool(re.fullmatch(flexible_pattern("7/13/49"), "71349"))
    False
    >>> bool(re.fullmatch(flexible_pattern("7/13/49"), "7:13:49"))
    False
    >>> bool(re.fullmatch(flexible_pattern("12-34"), "12.34"))
    False
    """
    parts = list(_PART.finditer(identifier))
    if not parts:
        return re.escape(identifier)
    # numbers of one or two digits are also values, times and decimals: for member ID 12-34,
    # "at 12:34" and "12.34 %" were redacted; born 1949-07-13, "SpO2 13 07 49 values" was
    short = all(p.group().isdigit() and len(p.group()) <= 2 for p in parts)
    guard = r"(?!\s{1,3}[0-9])" if short else ""
    if short and len(parts) == 2:
        guard += r"(?![.,][0-9])"
    out = [re.escape(parts[0].group())]
    for before, part in itertools.pairwise(parts):
        gap = identifier[before.end() : part.start()]
        written = f"{re.escape(gap)}|" if gap else ""
        if before.group()[-1].isdigit() and part.group()[0].isdigit():
            out.append(f"(?:{written}{guard}{_DIGIT_SEPARATOR}{{1,3}})")
        else:
            out.append(f"(?:{written}{_SEPARATOR}{{0,3}})")
        out.append(re.escape(part.group()))
    return "".join(out)


#: A spelling made of numbers (a date, with or without its month's name; an all-digit ID).
_NUMBERS = re.compile(
    r"(?:\d+|st|nd|rd|th|of|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*"
    rf"|[\s/.,'\-{_DASHES}{_APOSTROPHES}])+",
    re.IGNORECASE,
)


def _bounded_number(pattern: str) -> str:
    """Return ``pattern`` not matched where a longer number or a time goes on around it.

    Born 2019-03-05, "2026-03-05 19:00" held "03-05 19" (month, day, 2-digit year) and
    "Mar 5 19:30" "Mar 5 19": the times were redacted. A number's digits after a digit and
    ``-`` (or a typographic dash, :data:`_DASHES`), ``/``, ``.`` or ``:``, or before one of
    those and a digit, are another number's.
    """
    return rf"(?<![0-9][-/.:{_DASHES}])(?:{pattern})(?![-/.:{_DASHES}][0-9])"


def redaction_pattern(
    strings: Iterable[str], flexible: Iterable[str] = ()
) -> re.Pattern[str] | None:
    """Return one pattern matching any of ``strings`` whole, case-insensitively; None if none.

    Whole: not inside a longer word or number, except that a number may stand before the ``T``
    of an ISO 8601 time ("1949-07-13T00:00:00"). Longer strings are tried first (equal ones in
    alphabetical order, so that a text is redacted the same on every run).

    Parameters
    ----------
    strings : iterable of str
        Strings to match as written (file names).
    flexible : iterable of str
        Identifiers to match whatever separators stand between their parts
        (:func:`flexible_pattern`): the patient's in every spelling
        (:meth:`PatientInfo.spellings`). A string in both is matched so.

    Returns
    -------
    re.Pattern or None
    """
    loose = set(flexible)
    found = sorted(set(strings) | loose, key=lambda s: (-len(s), s))
    if not found:
        return None
    alternatives = "|".join(
        (_bounded_number(flexible_pattern(s)) if _NUMBERS.fullmatch(s) else flexible_pattern(s))
        if s in loose
        else re.escape(s)
        for s in found
    )
    # the bounds once around them all (an alternative ending inside a word is still given up
    # for the next): they are tested at every character scrubbed, and 73 spellings of one
    # patient each testing its own took 3.9 s for 10000 event labels (0.6 s so; 2.6 s before).
    # A number may end before an ISO 8601 time's T: "DOB 1949-07-13T00:00:00" ends in a letter
    # after the date, and came through --deidentify whole (hunt 12 review)
    end = r"(?:(?![A-Za-z0-9])|(?<=[0-9])(?=T[0-9]))"
    return re.compile(rf"(?<![A-Za-z0-9])(?:{alternatives}){end}", re.IGNORECASE)


#: A name of more parts than this is matched in its written order and by pairs of its parts, not
#: in every order of them all (8 parts would be 40320 orders).
_MAX_NAME_PARTS = 4

#: English month names, not the locale's (``strftime("%B")`` follows it).
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _ordinal(day: int) -> str:
    """Return ``day`` with its English ordinal suffix: 1st, 2nd, 3rd, 11th, 13th, 22nd."""
    suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def _date_spellings(d: _dt.date) -> list[str]:
    """Return the spellings of a date that :meth:`PatientInfo.spellings` lists."""
    years = (f"{d.year}", f"{d.year % 100:02d}")
    days = tuple(dict.fromkeys((f"{d.day}", f"{d.day:02d}")))
    months = tuple(dict.fromkeys((f"{d.month}", f"{d.month:02d}")))
    out: list[str] = []
    for year in years:
        for day in days:
            for month in months:
                out += [
                    f"{day}/{month}/{year}",
                    f"{month}/{day}/{year}",
                    f"{year}/{month}/{day}",
                    f"{year}/{day}/{month}",
                ]
        # a run of digits matches only itself: without separators, zero-padded forms only
        dd, mm = f"{d.day:02d}", f"{d.month:02d}"
        out += [f"{dd}{mm}{year}", f"{mm}{dd}{year}", f"{year}{mm}{dd}"]
    name = _MONTHS[d.month - 1]
    names = tuple(dict.fromkeys((name, name[:3], "Sept" if d.month == 9 else name)))
    for year in years:
        for month in names:
            for day in (*days, _ordinal(d.day)):
                out += [
                    f"{month} {day} {year}",
                    f"{day} {month} {year}",
                    f"{day} of {month} {year}",
                    f"{year} {month} {day}",
                ]
    return out


@dataclass(frozen=True)
class PatientInfo:
    """Patient identifiers as found in the file. Protected health information: never logged.

    Parameters
    ----------
    name, code, sex : str or None
        As the file gives them.
    birth_date : datetime.date or None
        Date of birth, when the file gives it.
    more_name : str or None
        Words the file's name field holds after the name that may be more of it (an EDF+ name
        typed with spaces, ``Zebulon Quackenbush``, or subfields after it): redacted as the
        name is (:meth:`spellings`), never compared as the name is, since a subfield
        (``Roe Ward_Jones``) would then share a word with another person's name.
    """

    name: str | None = None
    code: str | None = None
    sex: str | None = None
    birth_date: _dt.date | None = None
    more_name: str | None = None

    def identifiers(self) -> tuple[str, ...]:
        """Return every identifying string (for de-identification checks)."""
        out = [v for v in (self.name, self.code) if v]
        if self.birth_date is not None:
            out.append(self.birth_date.isoformat())
        return tuple(out)

    def spellings(self) -> tuple[str, ...]:
        """Return the identifiers in every spelling a text may quote them, for redaction.

        Each is matched whatever separators stand between its parts (:func:`flexible_pattern`):
        ``QZ-9988776`` also as "QZ 9988776", "QZ.9988776", "QZ9988776"; ``MRN12345`` as
        "MRN 12345". The name as written, its parts in every order (``Doe, Jane`` as "Jane Doe",
        "JaneDoe", "DOE JANE"), any two parts of two or more letters ("Jane Doe" for
        ``Doe, Jane Q``), and each part of three or more letters alone (a part of two, ``Li``,
        only beside another: alone it is a word, "Li" for lithium, and is left). The runs of
        letters of a hyphenated or apostrophised part are parts too: ``Smith-Jones, Mary`` as
        "Smith", "Jones", "Mary Smith"; ``O'Brien`` as "Brien". The code also
        without its separators (``123-4567`` as "1234567": two runs of digits are otherwise kept
        apart). The birth date in English only: day, month and year as numbers in the orders
        day-month-year, month-day-year, year-month-day and year-day-month, with or without
        leading zeros, 2- or 4-digit years ("13.7.49", "1949-07-13"), and with no separator
        when zero-padded ("13071949", "490713"); and with the month's name or abbreviation
        ("July 13th, 1949", "Jul. 13 '49", "13JUL1949", "the 13th of July 1949", "1949 Jul 13").
        Strings of one character are left out.
        """
        items: list[str] = [*self.identifiers()]
        name = " ".join(v for v in (self.name, self.more_name) if v)
        if name:
            parts = [part for part in re.split(r"[\s_,^]+", name) if part]
            # a written part's runs of letters are parts too: for ``Smith-Jones, Mary`` the
            # texts "Mrs Smith" and "Jones" came through --deidentify (hunt 12 review)
            runs = [m.group() for part in parts for m in _LETTERS.finditer(part)]
            items += [part for part in (*parts, *runs) if len(part) >= 3]
            if len(parts) <= _MAX_NAME_PARTS:
                items += [" ".join(order) for order in itertools.permutations(parts)]
            words = [part for part in dict.fromkeys((*parts, *runs)) if len(part) >= 2]
            items += [" ".join(pair) for pair in itertools.permutations(words, 2)]
        if self.code:
            items.append(re.sub(_SEPARATOR, "", self.code))
        if self.birth_date is not None:
            items += _date_spellings(self.birth_date)
        return tuple(dict.fromkeys(s for s in items if len(s.strip()) > 1))

    def redact(self, text: str, replacement: str = "[redacted]") -> str:
        """Return ``text`` with every spelling of the identifiers (matched whole, any case) replaced.

        Whole: not inside a longer word or number; the spellings are those of :meth:`spellings`,
        whatever separators stand between their parts.

        Parameters
        ----------
        text : str
            Free text from the file (a device or equipment field, say).
        replacement : str, optional
            What each identifier becomes.

        Returns
        -------
        str

        Examples
        --------
        >>> PatientInfo(name="Quackenbush_Zebulon").redact("Nonin Zebulon")
        'Nonin [redacted]'
        >>> PatientInfo(name="Doe, Jane", code="QZ-9988776").redact("JaneDoe, QZ 9988776")
        '[redacted], [redacted]'
        """
        pattern = redaction_pattern((), flexible=self.spellings())
        return text if pattern is None or not text else pattern.sub(replacement, text)


@dataclass(frozen=True)
class CompanionFile:
    """A file read with the one given, whose bytes the result depends on.

    A WFDB record is a header (``NAME.hea``: rate, gain, start date) and its signal files
    (``.dat``: the samples); either may be given, and the other is read from beside it. Each
    such file is hashed where it is read, so that ``oxi verify`` can tell a forged signal file
    beside the genuine header (or an edited gain beside the genuine samples) from the record
    the summary was made from: the sha256 of the named file alone did not.

    Parameters
    ----------
    path : str
        The file as read (beside the file given, as the header names it).
    sha256 : str
        Hex digest of its bytes.
    """

    path: str
    sha256: str


@dataclass(frozen=True)
class SourcePart:
    """One file of a night joined from several (:func:`oximetry.io.join.join_recordings`).

    Parameters
    ----------
    path : str
        The file as given by the user.
    sha256 : str
        Hex digest of its bytes.
    start : datetime.datetime
        Local wall-clock time of its first sample, as the file says.
    samples : int
        Its number of SpO2 samples.
    annotations : str or None
        The annotation file read for this file (NSRR/Profusion XML beside it), as its
        ``read_options["annotations"]`` recorded it (its path, or ``sha256:<hex>`` when
        de-identified); None when it had none.
    annotations_sha256 : str or None
        That annotation file's sha256.
    companions : tuple of CompanionFile
        The other files of this file's record (a WFDB header's signal files, or a signal
        file's header), each with its sha256; empty for a file read alone.
    """

    path: str
    sha256: str
    start: _dt.datetime
    samples: int
    annotations: str | None = None
    annotations_sha256: str | None = None
    companions: tuple[CompanionFile, ...] = ()


@dataclass(frozen=True)
class SourceInfo:
    """Where a recording came from and how it was read.

    Parameters
    ----------
    path : str
        The file as given by the user.
    sha256 : str
        Hex digest of the file's bytes (of the file named, not of ``companions``).
    format : str
        A short name: ``edf``, ``edf+c``, ``edf+d``, ``csv-o2ring``, ``csv-viatom``, ``csv-emay``,
        ``masimo-trendcom``, ``csv-generic``, ``csv-sats-rate`` ...
    device : str
        Device or equipment as far as the file says (may be empty).
    channels : tuple of ChannelInfo
        Every channel seen, with its role and whether it is analysed.
    spo2_channel : str
        Label of the SpO2 channel analysed.
    selection : str
        Why that channel was chosen (label alias and unit, ``--channel``, only candidate ...).
    read_options : mapping
        The reading options that influenced the result (``channel``, ``fs``, ``scale``, and the
        annotation file read with the recording: ``annotations`` and its ``annotations_sha256``),
        for ``oxi verify`` to repeat them.
    date_known : bool
        False when the file holds no date (times of day only, or no time stamps): the
        recording's start date is then the placeholder 1900-01-01 and must not be taken as
        the test date.
    clock_known : bool
        False when the file holds no time of day either (seconds from the start, UTC stamps, no
        time stamps): the recording starts at the placeholder 1900-01-01 00:00:00 and its times
        are elapsed time only. Said by the reader, never inferred from the start: a file of
        times of day whose first row is 00:00:00 starts there too, and was taken for one
        without a clock (its night refused, ``--lights-off 00:30`` with it).
    possible_dates : tuple of datetime.date
        When the date is not known but the file narrows it to a few (an EMAY date such as
        ``03/04/2026``, 4 March or 3 April), the dates the first sample may be on; empty
        otherwise. A test date far from every one of them is another test's.
    vendor_summary : mapping
        The device's own summary of the night as its file stores it (a Viatom/Wellue header:
        ``spo2_mean_pct``, ``spo2_min_pct``, ``drops_3pct``, ``time_below_90_min`` ...; see
        docs/formats.md); empty when the file holds none. Reported beside oxi's figures, never
        used in place of them.
    parts : tuple of SourcePart
        For a night joined from several files: each file, in time order (``path`` is then the
        files' paths joined by `` + `` and ``sha256`` the digest of their digests in that order);
        empty for a recording read from one file.
    companions : tuple of CompanionFile
        The other files read with the file given, each with its sha256: a WFDB header's signal
        files, or a WFDB signal file's header (and the record's other signal files). Empty for a
        format held in one file. For a joined night they are kept with each file (``parts``).
    clock_changes_s : tuple of float
        Where the file's wall clock changed (a daylight-saving change the reader placed in real
        time), in seconds from the first sample: a clock time given for the recording cannot be
        placed by subtracting the start.
    earlier_names : tuple of str or None
        The names the file had when a de-identified summary of it was made (``oxi verify``
        infers them): de-identified outputs then redact these, not the path given, as the
        file's name. None (the path given) otherwise; never written anywhere.
    """

    path: str
    sha256: str
    format: str
    device: str = ""
    channels: tuple[ChannelInfo, ...] = ()
    spo2_channel: str = ""
    selection: str = ""
    read_options: Mapping[str, Any] = field(default_factory=dict)
    date_known: bool = True
    clock_known: bool = True
    possible_dates: tuple[_dt.date, ...] = ()
    vendor_summary: Mapping[str, Any] = field(default_factory=dict)
    parts: tuple[SourcePart, ...] = ()
    companions: tuple[CompanionFile, ...] = ()
    clock_changes_s: tuple[float, ...] = ()
    earlier_names: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Recording:
    """An oximetry recording: SpO2 plus what came with it.

    Parameters
    ----------
    spo2 : Signal
        SpO2 in percent, NaN where missing (sentinels already turned into NaN).
    start : datetime.datetime
        Local wall-clock time of the first sample, naive.
    source : SourceInfo
        File, format, channels and how the SpO2 channel was chosen.
    pulse : Signal or None
        Pulse rate in beats per minute, at its own rate.
    status : Signal or None
        Oximeter status; non-zero means the oximeter flagged the sample.
    annotations : tuple of Annotation
        Sleep stages, lights off/on, exercise segments, scored events.
    patient : PatientInfo
        Identifiers (PHI), kept apart from the signals.
    warnings : tuple of str
        Things the reader had to decide that a reviewer should know (a daylight-saving change,
        a gap, ...). Never contains patient identifiers.
    """

    spo2: Signal
    start: _dt.datetime
    source: SourceInfo
    pulse: Signal | None = None
    status: Signal | None = None
    annotations: tuple[Annotation, ...] = ()
    patient: PatientInfo = field(default_factory=PatientInfo)
    warnings: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.start.tzinfo is not None:
            raise ValueError("Recording.start must be naive local wall-clock time")

    @property
    def fs(self) -> float:
        """SpO2 sampling rate in Hz."""
        return self.spo2.fs

    @property
    def duration_s(self) -> float:
        """SpO2 samples × 1/fs, in seconds."""
        return self.spo2.duration_s

    @property
    def clock_known(self) -> bool:
        """False when the file gives neither a date nor a time of day (elapsed time only).

        ``source.clock_known``, as the reader said: the recording then starts at the placeholder
        1900-01-01 00:00:00 with ``source.date_known`` False; a file with times of day but no
        date keeps its clock, midnight included.
        """
        return self.source.clock_known

    @property
    def sleep_test_channels(self) -> tuple[str, ...]:
        """Labels of the channels only a polysomnogram or home sleep test records.

        EEG, EOG, EMG, airflow, effort, snore, PAP (``io.channels.classify``), the device of
        a file a PAP machine recorded (ResMed's ``_SA2``/``_SAD`` oximetry: saturations taken on
        the patient's PAP, neither stand-alone oximetry nor a titration, qualified Medicare N1 as
        the former), and the scored events only a sleep test's channels show
        (``annotations.SLEEP_TEST_EVENTS``, as ``hypopnea (scored events)``, in any annotation,
        a mark of oxygen too (``Hypopnea 4 lpm``): a PSG's oximetry
        exported with its apneas and hypopneas but without its other channels or staging
        qualified N1 as stand-alone oximetry), and notes of PAP settings
        (``annotations.is_pap_note``: ``CPAP 10 cm H2O`` notes made a night on PAP stand-alone
        oximetry, N1); empty for a stand-alone oximeter's file.
        """
        labels = tuple(c.label for c in self.source.channels if c.role == "sleep_test")
        if self.source.format.startswith("resmed"):
            labels += (f"{self.source.device or 'a PAP device'} (recorded on PAP)",)
        # whatever kind the annotation is classed as: 'Hypopnea 4 lpm' is a mark of oxygen too,
        # and read as oxygen alone the night was stand-alone oximetry (review 2 of hunt 15)
        scored = {sleep_test_event(a.text) for a in self.annotations}
        labels += tuple(f"{name} (scored events)" for name in SLEEP_TEST_EVENTS if name in scored)
        if any(is_pap_note(a.text) for a in self.annotations):
            labels += ("PAP settings (annotations)",)
        return labels

    def time_at(self, seconds: float) -> _dt.datetime:
        """Return the wall-clock time ``seconds`` after the first sample."""
        return self.start + _dt.timedelta(seconds=float(seconds))
