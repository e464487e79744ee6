"""The patient's identifiers as people type them, redacted whatever their spelling (SPEC §10).

Hunt 12: an interpretation quoting the member ID ``QZ-9988776`` as "QZ 9988776", the birth date
1949-07-13 as "Jul. 13, 1949", "13JUL1949" or "July 13th, 1949", and the name ``Doe, Jane`` as
"JaneDoe" came through ``--deidentify`` whole: only the exact ID and the one without its
separators, and a fixed list of date forms, were matched. Each spelling below is written out by
hand from the identifiers; the ordinary clinical text beside them must come through unchanged.
"""

from __future__ import annotations

import datetime as dt

import pytest

from oximetry.model import PatientInfo

PATIENT = PatientInfo(name="Doe, Jane", code="QZ-9988776", birth_date=dt.date(1949, 7, 13))
R = "[redacted]"


@pytest.mark.parametrize(
    "spelling",
    ["QZ 9988776", "QZ.9988776", "QZ/9988776", "QZ - 9988776", "qz9988776", "QZ_9988776"],
)
def test_member_id_with_any_separator_between_its_parts(spelling: str) -> None:
    assert PATIENT.redact(f"Member {spelling} desaturates.") == f"Member {R} desaturates."


@pytest.mark.parametrize("spelling", ["MRN 12345", "MRN-12345", "mrn.12345", "MRN12345"])
def test_an_id_run_together_is_matched_with_a_separator_between_letters_and_digits(
    spelling: str,
) -> None:
    """The ID is ``MRN12345``: its parts are the letters and the digits."""
    assert PatientInfo(code="MRN12345").redact(f"({spelling})") == f"({R})"


def test_runs_of_digits_are_kept_apart_unless_the_id_has_none_between_them() -> None:
    """``123-4567`` is also typed "1234567" and "123 4567"; a longer number holding it is not."""
    p = PatientInfo(code="123-4567")
    assert p.redact("id 1234567, 123 4567, 123.4567") == f"id {R}, {R}, {R}"
    assert p.redact("serial 91234567 and 1234-567") == "serial 91234567 and 1234-567"


@pytest.mark.parametrize(
    "spelling",
    [
        # numeric, any order, any separator, with or without leading zeros, 2- or 4-digit year
        "13/07/1949",
        "07/13/1949",
        "7/13/49",
        "13.7.49",
        "13-07-1949",
        "13 07 1949",
        "1949-07-13",
        "1949/7/13",
        "1949.13.07",
        "13071949",
        "07131949",
        "19490713",
        "130749",
        # the month's name or abbreviation, optional dot, ordinal suffixes
        "Jul. 13, 1949",
        "July 13th, 1949",
        "july 13 1949",
        "13 July 1949",
        "13th July, 1949",
        "the 13th of July 1949",
        "13JUL1949",
        "13-JUL-1949",
        "13-Jul-49",
        "Jul 13 '49",
        "1949 Jul 13",
        "JULY 13, 1949",
    ],
)
def test_birth_date_in_the_common_written_forms(spelling: str) -> None:
    text = PATIENT.redact(f"DOB {spelling}; seen today.")
    assert text in (f"DOB {R}; seen today.", f"DOB the {R}; seen today."), text


def test_an_ordinal_is_the_days_own() -> None:
    """1st, 2nd, 3rd, 11th, 22nd: the suffix English gives the day."""
    for day, ordinal in ((1, "1st"), (2, "2nd"), (3, "3rd"), (11, "11th"), (22, "22nd")):
        p = PatientInfo(birth_date=dt.date(1960, 9, day))
        assert p.redact(f"born Sept. {ordinal}, 1960") == f"born {R}", day


@pytest.mark.parametrize(
    "spelling", ["Jane Doe", "JaneDoe", "JANEDOE", "Doe, Jane", "doe jane", "Jane-Doe", "DoeJane"]
)
def test_name_in_any_case_with_or_without_the_space(spelling: str) -> None:
    assert PATIENT.redact(f"Mrs {spelling} desaturates.") == f"Mrs {R} desaturates."


def test_two_parts_of_a_longer_name() -> None:
    """A middle name left out: "Jane Doe" for ``Doe, Jane Quinn``, and every order of all three."""
    p = PatientInfo(name="Doe, Jane Quinn")
    assert p.redact("JaneDoe / Jane Quinn Doe / DOE JANE QUINN") == f"{R} / {R} / {R}"


def test_a_two_letter_name_part_is_matched_only_beside_another() -> None:
    """``Li Na``: "LiNa" and "Na Li" are the patient; "li" inside words, and "Li" (lithium)
    alone, are not: matching parts of two letters anywhere wiped every word holding them."""
    p = PatientInfo(name="Li Na")
    assert p.redact("LiNa, Na Li, li-na") == f"{R}, {R}, {R}"
    text = "Li level normal; clinical line of lithium, Na 140, linear fall, Lille."
    assert p.redact(text) == text


def test_ordinary_clinical_text_comes_through_unchanged() -> None:
    """No identifier: numbers, dates, times and words that share pieces with the patient's."""
    text = (
        "Overnight oximetry 2026-04-02 22:00 to 05:00 (7.0 h). SpO2 <= 88% for 13 min "
        "(3.1% of 420 min); nadir 86%, ODI4 7.2/h, 25 desaturations, 13 07 events reviewed; "
        "July 2026 follow-up, Jul. 13, 2026 visit, 13/07/2026, 1949 mL, QZ 9988, Janet, "
        "Doeville clinic, DOB not given, MRN 998877."
    )
    assert PATIENT.redact(text) == text


def test_the_separators_between_parts_are_the_only_slack() -> None:
    """A word between the parts, or more than three separators, is not the identifier."""
    text = "QZ no 9988776; July the 13, 1949; QZ -- - 9988776; 13 / - / 07 / 1949"
    assert PATIENT.redact(text) == text


def test_a_date_inside_a_longer_number_or_a_time_is_not_the_birth_date() -> None:
    """Born 2019-03-05: "2026-03-05 19:00" holds "03-05 19" (month, day, 2-digit year) and
    "Mar 5 19:30" "Mar 5 19"; matched there, the study's times became [redacted]:00."""
    p = PatientInfo(birth_date=dt.date(2019, 3, 5))
    text = "from 2026-03-05 19:00 to 2026-05-03 05:30, lights off Mar 5 19:30, 1.03.05.19"
    assert p.redact(text) == text
    assert p.redact("DOB 03/05/19. Born Mar 5, 2019: seen") == f"DOB {R}. Born {R}: seen"


@pytest.mark.parametrize(
    "spelling",
    [
        "QZ\u20139988776",  # en dash
        "QZ\u20149988776",  # em dash
        "QZ\u20119988776",  # non-breaking hyphen
        "QZ\u20109988776",  # hyphen
        "QZ \u2212 9988776",  # minus sign
    ],
)
def test_member_id_with_a_typographic_dash(spelling: str) -> None:
    """Hunt 12 (review): a word processor turns ``-`` into a dash; "QZ–9988776" came through."""
    assert PATIENT.redact(f"Member {spelling} desaturates.") == f"Member {R} desaturates."


@pytest.mark.parametrize(
    "spelling", ["1949\u201307\u201313", "13\u201407\u20141949", "Jul 13 \u201949"]
)
def test_birth_date_with_typographic_dashes_and_apostrophes(spelling: str) -> None:
    assert PATIENT.redact(f"DOB {spelling}; seen today.") == f"DOB {R}; seen today."


@pytest.mark.parametrize("spelling", ["O\u2019Brien", "O\u2018Brien", "O\u02bcBrien", "O'Brien"])
def test_name_with_a_typographic_apostrophe(spelling: str) -> None:
    """``O'Brien, Mary`` typed "O’Brien" (U+2019) came through; ``O'Brien`` was redacted."""
    p = PatientInfo(name="O'Brien, Mary")
    assert p.redact(f"{spelling} desaturates") == f"{R} desaturates"
    assert p.redact(f"Mary {spelling} desaturates") == f"{R} desaturates"


def test_a_name_written_with_a_typographic_apostrophe_matches_the_typed_one() -> None:
    """The header's ``OʼBrien`` (U+02BC, a letter to Unicode) has the parts O and Brien."""
    assert PatientInfo(name="O\u02bcBrien, Mary").redact("O'Brien") == R


def test_an_id_written_with_a_dash_is_matched_without_it() -> None:
    """A context giving member ID ``123–4567`` (en dash) is also typed "1234567"."""
    assert PatientInfo(code="123\u20134567").redact("id 1234567, 123-4567") == f"id {R}, {R}"


def test_a_date_between_typographic_dashes_of_a_longer_date_is_not_the_birth_date() -> None:
    """Born 2019-03-05: "on 2026–03–05 19 desaturations" (en dashes) holds "03–05 19"."""
    p = PatientInfo(birth_date=dt.date(2019, 3, 5))
    text = "on 2026\u201303\u201305 19 desaturations, 2026\u201305\u201303 05:30"
    assert p.redact(text) == text


@pytest.mark.parametrize(
    ("date", "time"),
    [
        ("1949-07-13", "T00:00:00"),
        ("1949-07-13", "t00:00"),
        ("19490713", "T000000"),
        ("1949-07-13", "T00:00Z"),
    ],
)
def test_birth_date_before_an_iso_time(date: str, time: str) -> None:
    """Hunt 12 (review): "DOB 1949-07-13T00:00:00" came through: the T after the date was read
    as the date going on into a longer word. The time (midnight, no identifier) is kept."""
    assert PATIENT.redact(f"DOB {date}{time}; seen") == f"DOB {R}{time}; seen"


def test_a_word_after_the_identifier_is_still_no_bound() -> None:
    """Only a digit, T and a digit: "1949-07-13Tue" and "QZ-9988776Tx" are other words."""
    text = "ref 1949-07-13Tue, QZ-9988776Tx, JaneT1"
    assert PATIENT.redact(text) == text


@pytest.mark.parametrize(
    "spelling", ["Mrs Smith", "Jones", "Mary Smith", "Jones, Mary", "Smith Jones", "Smith–Jones"]
)
def test_a_hyphenated_names_parts_are_parts(spelling: str) -> None:
    """Hunt 12 (review): for ``Smith-Jones, Mary`` "Mrs Smith" and "Jones" came through: the
    name was split at spaces and commas only, "Smith-Jones" one part, though a part is a run of
    letters (docs/privacy.md)."""
    p = PatientInfo(name="Smith-Jones, Mary")
    text = p.redact(f"Note: {spelling} desaturates.")
    assert text in (f"Note: {R} desaturates.", f"Note: Mrs {R} desaturates."), text


def test_an_apostrophised_names_runs_of_letters() -> None:
    """``O'Brien``: "Brien" (three letters or more) alone; "O" (one letter) never."""
    p = PatientInfo(name="O'Brien, Mary")
    assert p.redact("Brien; O2 at 2 L; O sat") == f"{R}; O2 at 2 L; O sat"


def test_a_clock_time_is_not_the_birth_date() -> None:
    """Hunt 12 (review): born 1949-07-13, the times 13:07:49 (day, month, 2-digit year) and
    07:13:49 (month, day, year) were redacted as the birth date: ``:`` parts a time."""
    text = (
        "Lowest SpO2 at 13:07:49, desaturation 07:13:49, recorded 2026-03-05 13:07:49, "
        "lights on 49:07:13 elapsed"
    )
    assert PATIENT.redact(text) == text


def test_numbers_of_two_digits_spaced_apart_are_values_not_the_birth_date() -> None:
    """Born 1949-07-13, "SpO2 13 07 49 values" was redacted; with a 4-digit year, or another
    separator, the numbers are the date."""
    text = "SpO2 13 07 49 values, counts 7 13 49, 49  07  13"
    assert PATIENT.redact(text) == text
    assert PATIENT.redact("DOB 13 07 1949, 13 / 07 / 49, 13-07-49") == f"DOB {R}, {R}, {R}"


def test_a_short_ids_numbers_as_a_time_or_a_decimal_are_not_the_id() -> None:
    """Member ID ``12-34``: "at 12:34" and "12.34 %" were redacted. The ID with its own or
    another separator that no time or decimal has is still the ID."""
    p = PatientInfo(code="12-34")
    text = "at 12:34 SpO2 fell to 12.34 % (12,34 %), 12 34 events"
    assert p.redact(text) == text
    assert p.redact("ID 12-34, 12/34, 12 - 34, 1234, 12\u201334") == f"ID {R}, {R}, {R}, {R}, {R}"


def test_an_id_written_with_a_dot_or_a_colon_is_matched_so() -> None:
    """The separator the ID itself has is always one: ``12.34`` is "12.34", ``12:34`` "12:34"."""
    assert PatientInfo(code="12.34").redact("ID 12.34") == f"ID {R}"
    assert PatientInfo(code="12:34").redact("ID 12:34") == f"ID {R}"


@pytest.mark.parametrize(
    "spelling",
    ["QZ\u00ad9988776", "QZ\uff0d9988776", "QZ\ufe639988776", "QZ\u20439988776",
     "QZ\u2e3a9988776", "QZ\u200b9988776", "1949\u00ad07\u00ad13", "1949\uff0d07\uff0d13"],
)  # fmt: skip
def test_soft_full_width_and_invisible_dashes(spelling: str) -> None:
    """A soft hyphen (a word processor's), a full-width hyphen-minus (East Asian input), the
    small and two-em dashes and a zero-width space between the parts came through whole
    (review of hunt 12)."""
    assert PATIENT.redact(f"Member {spelling} desaturates.") == f"Member {R} desaturates."
