"""The words annotations use: sleep stages, lights off/on, segments, SpO2 artifacts, events (SPEC §2.1).

One vocabulary for the whole package. The readers count annotations by kind for ``oxi info``
(:func:`oximetry.io.classify_annotation`) and the analysis builds its windows, its scorer's
SpO2 artifact exclusions and scored events from them (:mod:`oximetry.windows`, :mod:`oximetry.analysis`); both ask this module, so what
``oxi info`` counts as a sleep stage is exactly what the analysis stages with.

This is a low layer: it imports nothing from the package, and ``io`` and ``windows`` may both
import it.
"""

from __future__ import annotations

import functools
import re
import unicodedata

__all__ = [
    "ANNOTATION_KINDS",
    "SLEEP_TEST_EVENTS",
    "annotation_kind",
    "event_name",
    "hypnogram_stage",
    "is_oxygen_mark",
    "is_pap_note",
    "is_spo2_artifact",
    "is_walk_note",
    "lights_of",
    "oxygen_flows_lpm",
    "scoring_text",
    "segment_of",
    "sleep_test_event",
    "stage_of",
]

#: Kinds :func:`annotation_kind` returns. ``artifact`` is a span the scorer marked as SpO2
#: (oximetry) artifact, which the analysis excludes like ``--exclude`` (:func:`is_spo2_artifact`);
#: ``oxygen`` marks supplemental oxygen given during the recording (:func:`is_oxygen_mark`);
#: ``event`` is a scored respiratory, desaturation, arousal, limb or cardiac event (the analysis
#: keeps these as ``scored`` events and the report marks them); ``note`` is any other text
#: (montage changes, "A1+A2 OFF", technologist's notes, an "EEG artifact"), counted by
#: ``oxi info`` but not an event.
ANNOTATION_KINDS = ("stage", "lights", "segment", "artifact", "oxygen", "event", "note")

#: Supplemental oxygen in a technologist's note. Read as a scored desaturation ("oxygen" is an
#: event word), ``Oxygen 2 L/min`` over a night's first hour left that hour at 98 % the presumed
#: awake baseline, and a night at 92 % a drop of more than 5 points that qualified (hunt 14).
#: The words are matched in :func:`_artifact_form`'s spelling (lower case, ``.`` ``-`` ``_`` as
#: spaces: ``1.5 lpm`` reads ``1 5 lpm``, which still ends in a flow). A mark only costs the
#: recording's own awake baseline and a conflict beside ``room_air: true``, so a doubtful text
#: is read as a mark: a missed one lets an hour on oxygen be the baseline.
#:
#: The gas followed by a saturation word or a reading (``O2 sat 96%``, ``O2 97%``, ``O2 94 %``,
#: ``O2 96 RA``, ``O2 96 on RA``) is the saturation read, not the gas given: beside a lights or
#: start word (``Lights off, O2 sat 96%``, ``Desaturation start, O2 91%``) such a reading was
#: a mark, and a room-air night with it at lights off no longer qualified (review of hunt 14).
_READING = (
    # O2 sat, oxygen saturation, O2 desat, Sauerstoff-Sättigung (a saturation word anywhere
    # in the note took 'Sauerstoff per Maske, Sättigung 91 %' from the marks; review of hunt 16)
    r"[ :=]*(?:desat|satur|sat(?![a-z])|(?:ent)?sattigung"
    r"|\d+(?: \d)? ?%"  # O2 97%, O2 94 %, O2 96.5% (read 96 5%)
    r"|\d+(?: \d)? (?:on )?(?:ra|room air)(?![a-z]))"  # O2 96 RA, O2 96 on room air
)
#: The gas: ``O2``, ``oxygen`` (not ``SpO2``, ``CO2``, ``EtCO2``: a letter before it), unless a
#: reading follows it. Its word in any use still goes with a flow (below): ``O2 sat 92%, 2 L``.
#: German, French and Spanish write it as one word with the giving or the therapy too
#: (``Sauerstoffgabe 2 l``, ``Oxygénothérapie 2 l/mn``, ``Oxigenoterapia``): these were no marks,
#: and a night on them QUALIFIED Medicare N1 on room air (hunt 16).
_OXYGEN_WORD = (
    r"(?<![a-z0-9])(?:o2|oxygen|sauerstoff|oxigeno|oxygene|sauerstoffgabe|sauerstofftherapie|"
    r"sauerstoffzufuhr|oxygenotherapie|oxigenoterapia)(?![a-z])"
)
_OXYGEN_NAMED = re.compile(_OXYGEN_WORD)
#: The gas then a bare number of 16 or more (``O2 97``, ``O2 95 5``), no unit after it, is a
#: saturation read too, but only in a note whose words of giving the gas are elsewhere (the
#: fallback below): ``Baseline O2 95 per tech``, ``Lights off, O2 97 with pt supine``, ``O2 95 in
#: place`` were marks and held a room-air night open. A flow in litres anywhere is still a mark,
#: and so is such a word straight before the gas (``Pt on O2 92``): a missed mark costs more.
_BARE_READING = r"[ :=]*(?:1[6-9]|[2-9][0-9]|1[0-9][0-9])(?: \d)?(?![0-9:])"
_OXYGEN_GAS = re.compile(_OXYGEN_WORD + r"(?!" + _READING + "|" + _BARE_READING + ")")
_GAS = r"(?<![a-z0-9])(?:o2|oxygen)(?![a-z])(?!" + _READING + ")"
#: A flow in litres a minute: ``2 L/min``, ``2L``, ``1.5 lpm``, ``3 litres``. Only oxygen is
#: given in litres in a note beside the gas, so the pair is a mark whatever else the note says:
#: ``O2 2 L/min, SpO2 97%`` and ``O2 titrated to 3L for SpO2 < 88`` were read as saturations.
#: ``ltr``, ``ltrs``, ``lt/min`` too: ``O2 4 ltr`` named no flow (review of hunt 15).
#: Not ``L/s``, litres a second: ``Peak flow 4 L/s`` was a mark at 4 L/min (review of hunt 15);
#: but ``L/sat``, ``L/SpO2``, ``L/ sitting`` are litres a minute, then a reading or a posture: read
#: as litres a second, a walk marked ``O2 4 L/sat 90`` at the 2 L/min given qualified.
_PER_SECOND = r"(?! ?/ ?s(?:ec)?(?![a-z0-9]))"
_LITRES = (
    r" ?(?:l"
    + _PER_SECOND
    + r"|lpm|l/min|l/m|lmin|liters?|litres?|liter/min|ltrs?|ltr/min|lt/min|lt/m|litros?|litri)"
    r"(?![a-z])"
)
_FLOW = r"\d+" + _LITRES
_OXYGEN_FLOW = re.compile(_FLOW)
#: A flow of 15 L/min at most, the most an oxygen flowmeter gives (``2L``, ``1.5 lpm`` read
#: ``1 5 lpm``): a PAP mask's or a high-flow device's 25 to 60 L/min is mostly air.
#: ``2LNC`` (the flow glued to the cannula) is one too.
_LOW_FLOW = r"(?<![0-9])(?:1[0-5]|[0-9])(?: \d)?(?:" + _LITRES + r"| ?l(?=nc(?![a-z])))"
#: The gas then a bare number of litres (``O2 2``, ``Oxygen @ 1.5``, read ``oxygen @ 1 5``): 15
#: at most, and no ``%`` after it, so ``O2 88 %`` stays a reading, nor a unit of time or
#: pressure: ``O2 5 minutes`` and ``O2 10 cm`` were marks. Not ``hr``: in a note it is the heart
#: rate as often as hours, and ``O2 3 HR 60`` was no mark (review of hunt 14).
#: Words of setting or changing the flow may come between (``O2 up to 3``, ``O2 bumped to 3``,
#: ``O2 inc from 2 to 4``, ``O2 on at 2``): these were no marks, and a night on room air given
#: with ``O2 up to 3`` at its start QUALIFIED Medicare N1 (hunt 16). Not a clock's hour after
#: them (``O2 on at 1:30``, ``O2 started at 2 am``).
_FLOW_CHANGE_WORDS = (
    r"(?: (?:on|up|down|back|increased|inc|decreased|dec|bumped|turned|titrated|weaned|reduced|"
    r"changed|set|adjusted|started|restarted|resumed|bleed in|bled in))*"
)
_MARK_BARE_END = (
    r"(?! ?\d| ?%| ?(?:min|mins|minutes?|sec|secs|seconds?|hours?|cm|cmh2o|mm ?hg)(?![a-z]))"
)
#: Read as a flow (:data:`_BARE_FLOW_VALUE`), the bare number is no clock's hour or a count
#: either (``O2 at 1:30``, ``O2 started 10 p.m.``, ``O2 on 4 h``, ``O2 restarted 4 times``):
#: those stay marks (:data:`_OXYGEN_BARE_FLOW`; "O2 at 10:30" was no mark once the clock was
#: left out of both, and a night on oxygen QUALIFIED, review of hunt 16), naming no flow.
_BARE_FLOW_END = (
    r"(?! ?\d|:\d| ?%| ?(?:min|mins|minutes?|sec|secs|seconds?|hours?|hrs?|h|x|times|"
    r"o ?'?clock|uhr|hs|cm|cmh2o|mm ?hg|[ap](?: |\. ?)?m)(?![a-z]))"
)
_OXYGEN_BARE_FLOW = re.compile(
    r"(?<![a-z0-9])(?:o2|oxygen)" + _FLOW_CHANGE_WORDS + r"[ @:=]+(?:(?:at|to|from) )?"
    r"(?:1[0-5]|[0-9])(?: \d)?" + _MARK_BARE_END
)
#: ``02`` typed for ``O2``, only straight before a flow (``02 2L``): alone it is a time or a
#: number.
_ZERO_TWO_FLOW = re.compile(r"(?<![a-z0-9:/])02 ?(?:@ ?)?" + _FLOW)
#: A flow of 15 L/min at most through a delivery device, the gas unnamed (``Patient on 2L
#: NC``, ``3 lpm via cannula``, ``SpO2 93% on 2L``, ``CPAP 10 with 2L``, ``2 lpm bleed in``).
#: Not beside ``leak``: a CPAP mask's leak is in litres too; nor more (``Mask flow 30 L/min``,
#: ``High flow 30 L/min``). In a PAP note too: a mask's air is 25 L/min and more, and ``CPAP 10
#: on 2L`` or ``APAP, 2L via NC`` were no marks (review of hunt 14).
_OXYGEN_LOW_FLOW = re.compile(_LOW_FLOW)
_OXYGEN_DEVICE = re.compile(
    r"(?<![a-z])(?:nc|n/c|cannula|prongs|hfnc|high flow|venturi|nrb|non ?rebreather|mask|via|"
    r"bleed|bled|lunettes|gafas|nasenbrille|canula|canule)(?![a-z])|(?<=[0-9]l)nc(?![a-z])|(?<![a-z])(?:on|with|w/) "
    + _LOW_FLOW
)
#: A device that gives only oxygen (or an air-oxygen blend set by its FiO2), named with the gas
#: unsaid: high-flow nasal cannula (``HFNC 40 L/min 40%``, ``High-flow nasal cannula``, Fisher &
#: Paykel's ``Optiflow`` and ``AIRVO``), a Venturi mask (``Venturi 28%``), a non-rebreather and a
#: tracheostomy collar or mask (``Trach collar 5L``). These were no marks, high flows above a
#: flowmeter's 15 L/min and a percentage naming no flow, and a night of them QUALIFIED on room
#: air (hunt 16). Not a bare ``nasal cannula`` (a PSG's airflow sensor) nor ``high flow`` alone
#: (a PAP note's ``High flow 30 L/min``).
#: Such a device on air or not in use (``Trach collar RA``, ``AIRVO humidified air``, ``Trach
#: collar 21%``, ``No HFNC``, ``HFNC not used``, ``NRB at bedside``) gives no oxygen: these were
#: marks, and a room-air night a conflict (review of hunt 16).
#: A negation only straight before or after the device: ``HFNC 40 L/min, no change`` is a mark.
_ONLY_DEVICE = (
    r"(?<![a-z])(?:hfnc|hfno|high flow nasal|high flow oxygen|optiflow|airvo|venturi|"
    r"non ?rebreather|nrb|trach(?:eostomy)? (?:collar|mask))(?![a-z])"
)
_DEVICE_ON_AIR = re.compile(
    r"(?<![a-z])(?:ra|room air|air|bedside)(?![a-z])|(?<![0-9])21 ?%"
    r"|(?<![a-z])no " + _ONLY_DEVICE + "|" + _ONLY_DEVICE + r"(?: [a-z]+)? not(?![a-z])"
)
_OXYGEN_ONLY_DEVICE = re.compile(_ONLY_DEVICE)
#: A cannula worn with the gas unnamed (``Pt wearing NC``) is oxygen's: a missed mark costs more.
_WEARING_CANNULA = re.compile(
    r"(?<![a-z])(?:wearing|wears|using|uses) (?:a )?(?:nasal )?(?:nc|n/c|cannula)(?![a-z])"
)
#: A bare flow of 15 L/min at most straight after a PAP setting (``CPAP 10 2L``, ``BPAP 12/8 +
#: 2L``, ``CPAP 8 cm plus 2L``) is the oxygen bled in, not the mask's air (25 L/min and more),
#: unless beside ``leak`` (``CPAP 8 cm 10 L/min leak``).
_PAP_SETTING_FLOW = re.compile(
    r"(?<![a-z])(?:cpap|bipap|bpap|bilevel|bi level|apap|autopap|pap|asv) \d+(?:/\d+)?"
    r"(?: ?(?:cm ?h2o|cmh2o|cm))?[ ,;]*(?:(?:\+|plus|and|with|w/|using|on) ?)?" + _LOW_FLOW
)
_LEAK = re.compile(r"leak")
#: A flow of 15 L/min at most written as litres a minute (``4 liters per minute``, ``4 lpm``,
#: ``3 lt/min``), or after the word ``flow`` (``Flow 4 lpm``, ``Flow rate 2 L``), the gas
#: unnamed: outside a PAP note (a mask's air) only oxygen is given so, and these were no marks
#: before a walk on oxygen at another flow than the one given (review of hunt 15). Not beside
#: ``leak`` nor a minute ventilation (``Minute ventilation 6 L/min``), which are air's.
_PER_MINUTE = (
    r" ?(?:lpm|l/min|l/m|lmin|liters?/min|litres?/min|ltrs?/min|lt/min|lt/m"
    r"|(?:l|lt|ltrs?|liters?|litres?|litros?|litri) ?(?:per|por|al|a|/) ?(?:min(?:ute|uto)?|mn))"
    r"(?![a-z])"
)
#: A flow in litres (``2L``, ``1 L``: 15 at most) beside a word of giving or changing it, the gas
#: unnamed (``Started 2L``, ``Increased to 3L``, ``Tech added 1L``, ``2L applied``): outside a
#: PAP note and not beside ``leak``, a fluid (``IV started, 1L NS``) or a volume (``Tidal volume
#: increased to 0.5 L``), only oxygen is given so,
#: and these were no marks: a room-air night given with ``Started 2L`` at its start QUALIFIED
#: Medicare N1 (hunt 16).
#: The word straight beside the litres (``Started 2L``, ``Increased to 3L``, ``2L applied``),
#: and no side or body word after them: ``L`` is as often left, and ``Placed 1 L and 1 R leg
#: lead``, ``Added 1 L leg EMG``, ``Snoring increased, 2 L lateral`` or ``Tech in: increased 1 L
#: gain`` held room-air nights open (review of hunt 16). Not ``turned`` (``Pt turned 2 L``).
_CHANGE_WORD = (
    r"(?:added|add|applied|started|start|increased|increase|inc|decreased|decrease|dec|"
    r"reduced|titrated|bumped|weaned|placed|resumed|restarted|upped|raised|lowered)"
)
_CHANGED_LITRES = (
    r"(?:1[0-5]|[0-9])(?: \d)? ?(?:l|lpm|l/min|liters?|litres?)(?![a-z])"
    r"(?! (?:and|&|\d|r|leg|legs|lead|leads|side|lateral|arm|arms|limb|emg|eye|ear|hand|foot|"
    r"gain|bottle|electrodes?|sensor|chest|abd|abdomen))"
)
_FLOW_CHANGED = re.compile(
    r"(?<![a-z])"
    + _CHANGE_WORD
    + r"(?: (?:to|at|by|from|on))?(?: (?:1[0-5]|[0-9])(?: \d)? to)? "
    + _CHANGED_LITRES
    + r"|(?<![0-9])"
    + _CHANGED_LITRES
    + r" "
    + _CHANGE_WORD
    + r"(?![a-z])"
)
#: A leg lead's or a side's note, where ``L`` is left (``Leg lead 2 L placed``, ``Replaced LAT,
#: added 1 L``: LAT, the left anterior tibialis lead).
_LIMB = re.compile(
    r"(?<![a-z])(?:legs?|leads?|limbs?|emg|eog|tib[a-z]*|m[12]|etco2|electrodes?|lat|rat|sides?|"
    r"lateral|arms?)(?![a-z])"
)
_FLUID = re.compile(
    r"(?<![a-z])(?:iv|ivf|ns|lr|d5w|bag|humidifier|saline|bolus|fluids?|water|urine|infusion|"
    r"drink|drank|intake|"
    r"volume|tidal|vt)"
    r"(?![a-z])"
)
_FLOW_ALONE = re.compile(
    r"(?<![0-9])(?:1[0-5]|[0-9])(?: \d)?"
    + _PER_MINUTE
    + r"|(?<![a-z])flow(?: rate)?[ :=@]*(?:at |of )?"
    + _LOW_FLOW
)
#: A flow in litres a minute of another thing than the gas given, named by the word straight
#: before its number: a cardiac output (``Cardiac output 5 L/min``, ``CO 4.5 L/min``), air
#: (``Medical air 4 L/min``, ``Air 2 lpm``), suction, a nebulizer, a minute ventilation or a
#: ventilator's flows (``Vent flow 10 L/min``, ``Bias flow 2 L/min``), a membrane's sweep gas,
#: a peak flow: these were marks of oxygen (review of hunt 15). Only straight before: anywhere
#: in the note, ``Started 2 L/min, air entry clear``, ``Back to 2 L/min after neb``, ``Switched
#: from room air to 3 L/min`` or ``3 L/min co-sleeping`` were no marks, and a night on oxygen
#: qualified Medicare on room air (review 2 of hunt 15). Not ``airflow``, nor ``CO2``. Such a
#: flow is taken out of the note before its other flows are read;
#: ``leak`` anywhere still makes the note a mask's, as through a device (above).
_AIR_FLOW = re.compile(
    r"(?<![a-z])(?:ve|mv|co|air|vent|ventilator|ventilation|suction|nebuli[sz]er|neb|bias|"
    r"sweep|peak|cardiac output)(?: (?:inspiratory|expiratory))?(?: (?:flow|gas))?"
    r"(?: rate)?[ :=@]*(?:(?:at|of|is) )?(?:1[0-5]|[0-9])(?: \d)?(?![0-9])"
)
#: A PAP titration's note (``CPAP 8, nasal mask, 25 L/min``, ``Bilevel 14/10 via full face
#: mask``, ``CPAP 10 cm H2O``) names masks, flows and pressures of air: it is a mark only with the
#: gas named with a flow, a flow of 15 L/min at most through a device (above) or the gas
#: straight beside a word of starting or wearing it (below).
_PAP_WORD = re.compile(
    r"(?<![a-z])(?:cpap|bipap|bilevel|bi level|apap|autopap|pap|asv|epap|ipap|cm|cmh2o)(?![a-z])"
)
#: A PAP machine named in a note (``CPAP 8 cm H2O``, ``BiPAP 14/10``, ``APAP on``): the patient
#: slept on PAP, a titration or a night of therapy, never stand-alone oximetry. Not ``PAP`` alone
#: (an ICU monitor's pulmonary artery pressure) nor ``cm``. A word ending in a machine's name
#: (``nCPAP``, ``AutoCPAP``, ``VPAP``), ``C-PAP`` and ``AVAPS`` too: these were no notes of a
#: machine and a night on PAP qualified N1 (hunt 15). So are non-invasive ventilation (``NIV``,
#: ``NIPPV``, ``NPPV``), ResMed's ``AutoSet`` and ``A-PAP``, which were none either (review of
#: hunt 15).
_PAP_MACHINE = re.compile(
    r"(?:cpap|bipap|bpap|vpap|apap)(?![a-z])"
    r"|(?<![a-z])(?:c pap|bi pap|v pap|a pap|autopap|auto pap|bilevel|bi level|asv|avaps|ivaps|"
    r"epap|ipap|niv|nippv|nppv|autoset|auto set|non ?invasive (?:positive pressure )?ventilation)"
    r"(?![a-z])"
)
#: A pressure in centimetres of water (``10 cm H2O``, ``8 cmH2O``, ``cmH20``, ``10 cwp``) is a
#: PAP machine's or a ventilator's setting, whatever word is beside it (``Pressure 10 cm H2O``,
#: ``PEEP 5 cmH2O``): a pulmonary artery pressure is in mmHg. Only beside ``PAP`` or a
#: titration word, ``Pressure 10 cm H2O`` was no note of a machine and a night on PAP qualified
#: N1 (review of hunt 15); a note of PAP alone leaves the night open, never denied.
_CM_H2O = re.compile(r"(?<![0-9])\d+(?: \d)? ?(?:cm ?(?:h ?2 ?[o0]|of water|water)|cwp)(?![a-z])")
#: ``PAP``, a titration word or ``pressure`` beside a pressure in centimetres, the water unsaid
#: (``PAP 10 cm``, ``Pressure 10 cm``), or in hPa or mbar, as European machines write it (``PAP
#: 10 hPa``, ``PAP-Therapie 10 hPa``, ``Pressure 10 mbar``; these were no notes of a machine and
#: a night on PAP qualified N1, review 2 of hunt 15): a pulmonary artery pressure is never in
#: these. Two digits at most: a barometric pressure is 1013 hPa.
_CM = re.compile(r"(?<![0-9])\d{1,2}(?: \d)?(?:/\d{1,2})? ?(?:cm|hpa|mbar)(?![a-z])")
_PAP_OR_TITRATION = re.compile(
    r"(?<![a-z])(?:pap|titration|titrated|titrate|titrating|pressure|druck)(?![a-z])"
)
#: The fraction of inspired oxygen is noted only where it is set: ``FiO2 0.28``. ``FiO2 0.21``
#: (room air) is a mark too, the safe side.
#: Oxygen therapy named in one word (``Oxygénothérapie``, ``Sauerstoffgabe``): the gas given, as
#: ``Oxygen therapy`` is, but read as the gas alone it was no mark (hunt 16).
_OXYGEN_THERAPY = re.compile(
    r"(?<![a-z])(?:oxygenotherapie|oxigenoterapia|sauerstofftherapie|sauerstoffgabe|"
    r"sauerstoffzufuhr)(?![a-z])"
)
_FIO2 = re.compile(r"(?<![a-z0-9])fi[o0]2(?![a-z0-9])")
#: What is done with the gas (``on``, ``off``, ``added``, ``bleed in``, ``via cannula``,
#: ``therapy``, ``removed``, ``discontinued`` ...) or how it is worn (``with``, ``wearing``,
#: ``continued``, ``in use``, ``in place``, ``per MD order``, ``home O2``): without these,
#: ``Lights off, O2 continued`` and ``Lights off with home oxygen`` were no marks once lights
#: off no longer counted (review of hunt 14). Nor were ``Lights off - pt using O2``, ``Lights off
#: w/ O2``, ``O2 running``, ``Pt wears O2``, ``O2 connected``, ``O2 placed``, ``Oxygen
#: concentrator running`` (final review of hunt 14), nor ``O2 d/c`` (discontinued: the night
#: before it was on the gas), and a room-air night given with it QUALIFIED N1 (hunt 16).
_GIVEN_WORDS = (
    r"(?:on|off|added|add|applied|started|start|stopped|increased|decreased|reduced|bleed|bled|"
    r"via|cannula|nc|nasal|mask|supplemental|supplementary|titrated|titration|therapy|removed|"
    r"discontinued|resumed|restarted|weaned|given|administered|with|wearing|worn|continued|"
    r"continues|continue|continuing|maintained|in use|in place|per|home|w/|using|uses|wears|"
    r"running|connected|placed|hooked|concentrator|d/c|dc|dc'd|d/c'd|dced|"
    r"angelegt|abgesetzt|gestartet|begonnen|erhoht|reduziert|nasenbrille|arrete|debute|pose|"
    r"retire|lunettes|iniciado|retirado|suspendido|colocado|aumentado|gafas)"
)
#: Not after ``lights``: ``Lights off O2 97%`` turns the lights off, not the gas. Only that
#: word: any other (``Lights off, patient wearing O2``) still counts.
_NOT_LIGHTS = r"(?<![a-z])(?<!lights )(?<!light )"
_OXYGEN_GIVEN = re.compile(_NOT_LIGHTS + _GIVEN_WORDS + r"(?![a-z])")
#: Such a word next to the gas (``O2 started``, ``Off O2``, ``Lights on, O2 off``) is a mark
#: whatever else the note says: ``Desats noted, O2 started`` was read as a saturation.
_GAS_THEN_GIVEN = _GAS + r"[^a-z0-9]{1,3}" + _GIVEN_WORDS + r"(?![a-z])"
#: ``Supplemental`` straight before the gas is never a reading, even with a saturation word
#: after it: ``Supplemental O2 - Desaturation start`` (read ``supplemental o2 desaturation``)
#: was no mark.
_SUPPLEMENTAL = r"(?<![a-z])supplementa(?:l|ry) (?:o2|oxygen)(?![a-z])"
#: So is the gas a slash after a lights word (``Lights off/O2``): the gas's own note, not a
#: reading (``Lights off/O2 97%`` stays one).
_OXYGEN_NEXT_TO_GIVEN = re.compile(
    _GAS_THEN_GIVEN
    + "|"
    + _NOT_LIGHTS
    + _GIVEN_WORDS
    + r"[^a-z0-9]{1,3}"
    + _GAS
    + r"|(?<![a-z])lights? (?:off|on|out) ?/ ?"
    + _GAS
    + "|"
    + _SUPPLEMENTAL
)
#: In a PAP note the words of the machine (``CPAP on, O2 low``, ``CPAP titration; O2 dropping``,
#: ``via mask``) are not done with the gas: only the gas then such a word (``O2 on``, ``O2
#: bleed in``, ``O2 added``, ``O2 continued``) or a word of starting it then the gas
#: (``Supplemental O2``, ``Added oxygen``), or ``on``, ``with``, ``w/``, ``+``, ``plus``,
#: ``and``, ``using``, ``wearing``, ``home`` a space before it (``CPAP 11 cm on oxygen``, ``CPAP
#: 10 + O2``, ``CPAP 9 using O2``; not ``CPAP on, O2 low``) is a mark.
_OXYGEN_STARTED = re.compile(
    _GAS_THEN_GIVEN + r"|(?<![a-z])(?:added|add|applied|started|start|increased|resumed|"
    r"restarted|supplemental|supplementary|given|administered|bleed|bled)[^a-z0-9]{1,3}"
    + _GAS
    + r"|(?<![a-z])(?:on|with|w/|plus|and|using|uses|wearing|wears|home) "
    + _GAS
    + r"|\+ ?"
    + _GAS
    + "|"
    + _SUPPLEMENTAL
)
#: Elsewhere in the note a saturation word (``O2 sat``, ``oxygen desaturation``, ``SpO2``)
#: makes it a reading; an oximeter word (``O2 probe off``, ``O2 sensor on/off``, ``O2 lead
#: off``, ``O2 finger probe``) the oximeter, and an EEG word (``O2-A1 off``, ``O2 electrode
#: off``: O2 is also the right occipital electrode) the EEG, not the gas.
_SATURATION_WORD = re.compile(r"desat|satur|(?<![a-z])sat(?![a-z])|s[ap][o0]2")
_NOT_THE_GAS_WORD = re.compile(
    r"probe|sensor|(?<![a-z])lead|finger|(?<![a-z])clip|oxim"
    r"|electrode|elektrode|electrodo|impedance|impedanz|(?<![a-z])eeg|(?<![a-z0-9])o2 (?:[am][12]|ref)(?![a-z0-9])"
)

#: The words of an SpO2 artifact span, in :func:`_artifact_form`'s spelling: an oximetry word and
#: an artifact word anywhere in the text, as NSRR's concept ``SpO2 artifact``, Profusion's event
#: name ``SpO2 artifact``, Luna's ``artifact_SpO2`` or an EDF+ text ``Oximetry artefact`` write
#: it. Only the two words next to each other was too narrow: ``SpO2 motion artifact``,
#: ``Artifact (SpO2)``, ``SpO2: artifact``, ``SpO2-Artefakt``, ``Artifact removed from SpO2``,
#: ``SpO₂ artifact`` excluded nothing, and a night qualified on minutes the scorer rejected
#: (review of hunt 10). Both words anywhere errs towards denial: ``no SpO2 artifact`` excludes its
#: span too (the warning names the spans). Another channel's artifact (``EEG artifact``,
#: ``Respiratory artifact``, ``Pulse artifact``) and a desaturation (``SpO2 desaturation``) are
#: not: their span says nothing against the saturation.
_OXIMETRY_WORD = re.compile(
    # SpO2, SaO2 (also typed with a zero, Sp02); oximetry, oximeter, Oxymetrie, oxímetro;
    # pulse ox; oxygen saturation. "oxim" only at a word's start: not "proximal".
    r"s[ap][o0]2|(?<![a-z])ox[iy]m|\bpulse ?ox|\boxygen saturation"
)
#: artifact, artefact, Artefakt, artéfact, artefacto, artefatto, artefato and their plurals;
#: a stem, so "SpO2Artifact" and "artifacts" count too. "artifact-free" (a desaturation the
#: scorer checked clean) is the one spelling read as no artifact: a word of its own, not a
#: negation to parse.
_ARTIFACT_WORD = re.compile(r"art[ie]fa(?:c?t|kt)(?! ?(?:free|frei)\b)")

#: Words that make an annotation a scored event (AASM scoring vocabulary and common PSG exports),
#: matched in :func:`_event_form`'s spelling: apnea as English, French (``Apnée``), German
#: (``Apnoe``) or Portuguese (``Apneia``) write it, and hypopnea likewise (``Hypopnée``,
#: ``Hypopnoe``, ``Hipopnea``): ``Hypopnée`` and ``Hypopnoe`` were notes (hunt 15).
_EVENT_WORDS = re.compile(
    r"apno?e|(?:hy|hi|i)popn|desat|\bspo2\b|\bsao2\b|oxygen|arousal|\brera\b|effort\W*related|"
    r"respiratory|obstructive|central|mixed|cheyne|periodic breathing|hypoventilation|"
    r"limb|\bplm|leg movement|snor|bradycardia|tachycardia|asystole|arrhythmia|"
    r"\bevent\b|awakening"
)

_STAGE_WORDS = {
    "w": "W",
    "wake": "W",
    "awake": "W",
    "s0": "W",
    "n1": "N1",
    "s1": "N1",
    "n2": "N2",
    "s2": "N2",
    "n3": "N3",
    "s3": "N3",
    "n4": "N4",
    "s4": "N4",
    "r": "R",
    "rem": "R",
    "sr": "R",
    "?": "?",
    "unknown": "?",
    "unscored": "?",
    "mt": "?",
    "movement": "?",
    "movement time": "?",
}
#: Bare numbers name a stage only after a prefix (``Sleep stage 2``, ``Stage 3``).
_STAGE_NUMBERS = {"0": "W", "1": "N1", "2": "N2", "3": "N3", "4": "N4", "5": "R"}
_STAGE_PREFIXES = ("sleep stage ", "stage ", "sleep ")
_LIGHTS = {
    "lightsoff": "off",
    "lightoff": "off",
    "lightsout": "off",
    "lightout": "off",
    "lightson": "on",
    "lighton": "on",
}
#: Segment markers of the exercise test (SPEC §6); the same names as ``settings.SEGMENT_NAMES``.
_SEGMENTS = {"rest": "rest", "exercise": "exercise", "exercise_o2": "exercise_o2"}


#: Words of a walk or of exercise in a note (``Exercise start``, ``Walk``, ``6MWT``,
#: ``Treadmill``, ``Gehtest``, ``Caminata``); not ``effort`` (a PSG's respiratory effort).
_WALK = (
    r"(?<![a-z])(?:walk(?:s|ed|ing)?|exercis(?:e|es|ed|ing)|6 ?mwt?|treadmill|"
    r"ambulat(?:e|ed|es|ing|ion)|stairs?|step test|ergomet[a-z]*|exercice|ejercicio|"
    r"caminata|caminar|marcha|belastung[a-z]*|gehtest|esercizio)(?![a-z])"
)
_WALK_WORDS = re.compile(_WALK)
#: Words of the part at rest or of time before the walk (``Rest before walk``, ``Pre-exercise
#: baseline``): such a note is no walk's start. Nor is a walk not taken, said next to its word
#: (``Seated, no exercise``, ``Unable to walk``, ``Walk cancelled``; review of hunt 16): a
#: negation elsewhere (``6MWT start, no O2``) leaves the walk.
_BEFORE_WALK_WORDS = re.compile(
    r"(?<![a-z])(?:rest|resting|repos|reposo|ruhe|baseline|pre|before|prior)(?![a-z])"
    r"|(?<![a-z])(?:no|not|unable to|cannot|declined|refused) "
    + _WALK
    + "|"
    + _WALK
    + r" (?:cancell?ed|declined|refused|not done)(?![a-z])"
)


def is_walk_note(text: str) -> bool:
    """Return whether an annotation names a walk or exercise other than by a segment's name.

    Parameters
    ----------
    text : str
        The annotation as written, e.g. ``Exercise start``, ``Walk``, ``6MWT start``.

    Returns
    -------
    bool
        True when the text holds a word of walking or exercise and none of the part at rest or
        of time before it. A segment's name alone (``exercise``) is the segment
        (:func:`segment_of`), not a note.

    Examples
    --------
    >>> is_walk_note("Exercise start"), is_walk_note("6MWT"), is_walk_note("Walk on O2 2 L/min")
    (True, True, True)
    >>> is_walk_note("Rest before walk"), is_walk_note("Effort belt off"), is_walk_note("exercise")
    (False, False, False)
    """
    if segment_of(text) is not None:
        return False
    form = re.sub(r"[_\-.]+", " ", _event_form(text))
    return _WALK_WORDS.search(form) is not None and _BEFORE_WALK_WORDS.search(form) is None


def _apnea_of(kind: str) -> str:
    """Return the pattern of an apnea of ``kind`` (words), before or after the word apnea.

    ``sleep`` between the two only in a label that is nothing else (``Obstructive sleep apnea``,
    ``Obstructive Sleep Apnea (12 s)``): in any note it is the disorder, ``Hx obstructive sleep
    apnea`` a history, and read as a scored event it denied a stand-alone night (review 2 of
    hunt 15).
    """
    apnea = r"apno?e[a-z]*"
    duration = r"[^a-z]*(?:s|sec|secs|seconds)?[^a-z0-9]*$"  # (12 s), - 15.2 sec
    label = rf"^[^a-z0-9]*(?:{kind})[^a-z0-9]*sleep[^a-z0-9]*{apnea}{duration}"
    return rf"(?<![a-z])(?:{kind})[^a-z0-9]*{apnea}|{apnea}[^a-z0-9]*(?:{kind})(?![a-z])|{label}"


#: The event kinds :func:`event_name` names, most specific first (AASM scoring vocabulary), in
#: :func:`_event_form`'s spelling. An apnea's kind before or after the word, in full, shortened
#: or translated: RemLogic's ``APNEA-CENTRAL``, ``Apnea-Obstructive``, ``Obs Apnea``, Deltamed's
#: ``Apnée obstructive`` and ``Obstruktive Apnoe`` were a bare ``apnea``, no sleep test's event,
#: and a PSG's oximetry exported with them qualified N1 (hunt 15), as were Portuguese ``Apneia
#: obstrutiva``, Italian ``Apnea ostruttiva`` and ``Obstructive sleep apnea`` (review of hunt 15).
_EVENT_NAMES = (
    (_apnea_of(r"obstru[a-z]*|ostru[a-z]*|obstr|obs"), "obstructive apnea"),
    (_apnea_of(r"[cz]entra[a-z]*|cent"), "central apnea"),
    (_apnea_of(r"mix[a-z]*|gemischt[a-z]*|mist[ao]"), "mixed apnea"),
    (r"(?:hy|hi|i)popn", "hypopnea"),
    # before 'oxygen': --deidentify writes 'Supplemental oxygen 2 L/min, RERA' (scoring_text)
    (r"\brera\b|effort[^a-z0-9]*related", "RERA"),
    (r"apn", "apnea"),
    (r"desat|\bspo2\b|\bsao2\b|oxygen", "desaturation"),
    (r"arousal", "arousal"),
    (r"cheyne", "Cheyne-Stokes breathing"),
    (r"periodic breathing", "periodic breathing"),
    (r"hypoventilation", "hypoventilation"),
    (r"limb|\bplm|leg movement", "limb movement"),
    (r"snor", "snore"),
    (r"bradycardia", "bradycardia"),
    (r"tachycardia", "tachycardia"),
    (r"asystole", "asystole"),
    (r"arrhythmia", "arrhythmia"),
    (r"awakening", "awakening"),
    (r"respiratory|obstructive|central|mixed", "respiratory event"),
)


#: Scored events (:func:`event_name`) only a sleep test's airflow, effort or EEG channels show:
#: an oximeter alone scores none of them, so a recording holding them is a polysomnogram's or
#: home sleep test's, whatever its channels (LCD L33797: their oximetry is not stand-alone
#: overnight oximetry). A bare ``apnea`` (a bedside monitor's alarm), desaturations and arousals
#: (some oximetry software scores them from the pulse rate) are not.
SLEEP_TEST_EVENTS = ("obstructive apnea", "central apnea", "mixed apnea", "hypopnea", "RERA")


def _event_form(text: str) -> str:
    """Return ``text`` as the event words match it: lower case, NFKC, accents dropped.

    ``Apnée obstructive`` reads ``apnee obstructive`` and ``Hypopnée`` ``hypopnee``.
    """
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def _norm(text: str) -> str:
    return re.sub(r"[\s_\-.]+", " ", text.strip().lower()).strip()


def is_spo2_artifact(text: str) -> bool:
    """Return whether an annotation marks a span the scorer rejected as SpO2 (oximetry) artifact.

    Such a span is excluded from the analysis like ``--exclude`` (SPEC §5: spans a technologist
    rejected): read as a scored event, NSRR's ``SpO2 artifact`` over 12 min at 80 % counted
    those minutes and qualified the night (hunt 10).

    Parameters
    ----------
    text : str
        The annotation as written, e.g. ``SpO2 artifact``, ``artifact_SpO2``,
        ``Oximetry artefact``, ``SpO2 motion artifact``, ``Artifact (SpO2)``, ``SpO₂-Artefakt``.

    Returns
    -------
    bool
        True when an oximetry word and an artifact word are anywhere in the text (a negation,
        ``no SpO2 artifact``, too: that errs towards denial); False for other channels'
        artifacts (``EEG artifact``, ``Pulse artifact``), for scored events
        (``SpO2 desaturation``) and for ``artifact-free``.

    Examples
    --------
    >>> is_spo2_artifact("SpO2 artifact"), is_spo2_artifact("Artifact removed from SpO2")
    (True, True)
    >>> is_spo2_artifact("EEG artifact"), is_spo2_artifact("SpO2 desaturation")
    (False, False)
    """
    form = _artifact_form(text)
    return _OXIMETRY_WORD.search(form) is not None and _ARTIFACT_WORD.search(form) is not None


def is_oxygen_mark(text: str) -> bool:
    """Return whether an annotation marks supplemental oxygen given during the recording.

    Parameters
    ----------
    text : str
        The annotation as written, e.g. ``O2 2 L/min``, ``Oxygen on``, ``O2 added 1 lpm``,
        ``Supplemental oxygen``, ``O2 off``, ``Patient on 2L NC``, ``FiO2 0.28``.

    Returns
    -------
    bool
        True when the text names the gas (``O2``, ``oxygen``) with a flow (whatever else it
        says: ``O2 2 L/min, SpO2 97%``), a bare number of litres after the gas (``O2 2``), a
        flow of 15 L/min at most through a device (``2L NC``), ``FiO2``, or the gas next to
        what was done with it (``O2 started``, ``Oxygen removed``), or elsewhere in a note that
        is no saturation or oximeter or EEG note; in a PAP note (``CPAP``, ``Bilevel``, ``cm``)
        only the gas with a flow, a device's flow (``CPAP 10 on 2L``) or a word of starting or
        wearing it (``CPAP 11 cm on oxygen``); a flow beside a scored event is a mark too
        (``Hypopnea 4 lpm``: :func:`sleep_test_event` reads the event). False for a flow of
        something else than the gas, named straight before its number (``Cardiac output 5
        L/min``, ``Medical air 4 L/min``; not ``Back to 2 L/min after neb``), litres a second
        (``Peak flow 4 L/s``), for a saturation (``Oxygen
        desaturation``, ``O2 sat 88``, ``Lights off, O2 97%``, ``Baseline O2 95 per
        tech``), the oximeter (``O2 probe
        off``), the EEG electrode (``O2-A1 off``), a PAP titration (``CPAP 8, nasal mask, 25
        L/min``), minutes (``O2 5 minutes``) and the gas alone.

    Examples
    --------
    >>> is_oxygen_mark("O2 2 L/min"), is_oxygen_mark("Oxygen on"), is_oxygen_mark("O2 off")
    (True, True, True)
    >>> is_oxygen_mark("O2 2 L/min, SpO2 97%"), is_oxygen_mark("Patient on 2L NC")
    (True, True)
    >>> is_oxygen_mark("Oxygen desaturation"), is_oxygen_mark("O2 sat 88 %")
    (False, False)
    >>> is_oxygen_mark("O2 probe off"), is_oxygen_mark("Lights off, O2 sat 96%")
    (False, False)
    >>> is_oxygen_mark("CPAP 8, nasal mask, 25 L/min"), is_oxygen_mark("CPAP 10, O2 added")
    (False, True)
    """
    form = _artifact_form(text)
    if _OXYGEN_NAMED.search(form) and _OXYGEN_FLOW.search(form):
        return True
    if _OXYGEN_BARE_FLOW.search(form) or _ZERO_TWO_FLOW.search(form) or _FIO2.search(form):
        return True
    if (
        _OXYGEN_THERAPY.search(form)
        and not _SATURATION_WORD.search(form)
        and not _NOT_THE_GAS_WORD.search(form)
    ):
        return True
    if _OXYGEN_ONLY_DEVICE.search(form) and not _DEVICE_ON_AIR.search(form):
        return True
    if _OXYGEN_LOW_FLOW.search(form) and _OXYGEN_DEVICE.search(form) and not _LEAK.search(form):
        return True
    if _WEARING_CANNULA.search(form):
        return True
    if _PAP_SETTING_FLOW.search(form) and not _LEAK.search(form):
        return True
    if _PAP_WORD.search(form):
        return _OXYGEN_STARTED.search(form) is not None
    airless = _AIR_FLOW.sub(" ", form)
    if _FLOW_ALONE.search(airless) and not _LEAK.search(form):
        return True
    if (
        _FLOW_CHANGED.search(airless)
        and not _LEAK.search(form)
        and not _FLUID.search(form)
        and not _LIMB.search(form)
    ):
        return True
    if _OXYGEN_NEXT_TO_GIVEN.search(form):
        return True
    return (
        _OXYGEN_GAS.search(form) is not None
        and _OXYGEN_GIVEN.search(form) is not None
        and _SATURATION_WORD.search(form) is None
        and _NOT_THE_GAS_WORD.search(form) is None
    )


#: A flow in litres a minute with its decimals (``2 L/min``, ``1.5 lpm``, ``2LNC``, ``4,5 l``),
#: read on the text as written (:func:`oxygen_flows_lpm`); not litres a second (``4 L/s``).
_FLOW_NUMBER = r"(?<![0-9.,])(\d+(?:[.,]\d+)?)"
_FLOW_UNIT = (
    r" ?(?:lpm|l/min|l/m|lmin|liters?|litres?|liter/min|ltrs?|ltr/min|lt/min|lt/m|litros?|litri|l"
    + _PER_SECOND
    + r")"
    r"(?:(?![a-z])|(?=nc(?![a-z])))"
)
_FLOW_VALUE = re.compile(_FLOW_NUMBER + _FLOW_UNIT)
#: A fraction of litres straight before the unit, with its whole litres or without (``2 1/2
#: L/min``, ``1/2 lpm``, ``4 1⁄2 l``): numbers of their own, after no letter or digit (not ``O2/2L``).
_FLOW_FRACTION = re.compile(
    r"(?<![a-z0-9.,/\u2044])(?:(\d+) )?(\d+) ?[/\u2044] ?(\d+)(?=" + _FLOW_UNIT + ")"
)
#: A range's first end (``2-4 L/min``, ``4 to 2 L/min``, ``2->4 LPM``, ``2→4 L``): only the second
#: number has the unit. An arrow read 4 alone in ``O2 2->4 LPM``, and a night partly on 2
#: L/min kept Medicare's > 4 L/min tier (hunt 16).
#: Not a clock's minutes (``22:00-2 L``), and only a flow a flowmeter gives (15 at most) that is
#: no reading's: ``SpO2 92 - 2 L NC``, ``HR 110 - 3 L/min`` and ``O2 88-2 L`` read 92, 110 and 88
#: L/min, a walk on the 2 L/min given was refused and ``--deidentify`` wrote ``Supplemental
#: oxygen 92 L/min`` (review 2 of hunt 15).
_FLOW_RANGE_START = re.compile(
    r"(?<![:0-9.,])((?:1[0-5]|[0-9])(?:[.,]\d+)?) ?(?:->|=>|-|\u2013|\u2014|\u2192|>|to) ?"
    r"(?=\d+(?:[.,]\d+)?" + _FLOW_UNIT + ")"
)
#: The gas's bare number of litres (:data:`_OXYGEN_BARE_FLOW`: ``O2 @ 2``, ``O2 up to 3``, ``O2
#: inc from 2 to 4``), read on the text as written, with a range's second end: the mark read no
#: flow, and a night marked ``O2 @ 2`` given as tested on 4 L/min kept Medicare's > 4 L/min tier
#: where ``O2 2 L/min`` loses it, and a walk marked ``O2 @ 4`` passed as on the 2 given (hunt
#: 16). Not when a unit of litres follows: :data:`_FLOW_VALUE` reads those.
_BARE_NUMBER = r"((?:1[0-5]|[0-9])(?:[.,]\d)?)"
_BARE_FLOW_VALUE = re.compile(
    r"(?<![a-z0-9])(?:o2|oxygen)"
    + _FLOW_CHANGE_WORDS.replace(" ", "[ _-]")
    + r"[ _@:=-]+(?:(?:at|to|from) )?"
    + _BARE_NUMBER
    + r"(?: ?(?:->|=>|-|\u2013|\u2014|\u2192|>|to) ?"
    + _BARE_NUMBER
    + ")?"
    + r"(?![.,]?\d|[.,]\d| ?[/\u2044] ?\d)"  # nor a fraction's numerator (``O2 1/2 L``)
    + _BARE_FLOW_END
    + r"(?!"
    + _FLOW_UNIT
    + ")"
)
#: A reading's words straight before a range's first end: ``SpO2 9 - 2 L`` is no flow of 9.
_READING_BEFORE = re.compile(
    r"(?<![a-z0-9])(?:s[ap][o0]2|sat[a-z]*|hr|pulse|pr|heart rate|rr|resp[a-z]*)[ :=]*$"
)


def oxygen_flows_lpm(text: str) -> tuple[float, ...]:
    """Return every flow of oxygen an oxygen mark names, in L/min, in text order.

    Both ends of a range, and flows above the 15 L/min a flowmeter gives: ``O2 2-4 L/min``
    read 4 alone and ``O2 20 L/min`` none, so a walk on oxygen marked so passed as at the 2
    L/min given (review of hunt 15). A flow held against the flow given need only differ.

    Parameters
    ----------
    text : str
        An annotation :func:`is_oxygen_mark` reads as a mark, e.g. ``O2 4 L/min``.

    Returns
    -------
    tuple of float
        Each number followed by a unit of litres (a minute), the first end of such a range
        (``2-4``, ``2 to 4``, ``2->4``), a fraction's value beside its denominator (``2 1/2
        L/min``: 2.5 and 2), and the gas's bare litres (``O2 @ 2``, ``O2 up to 3``); none for
        ``Oxygen on``.

    Examples
    --------
    >>> oxygen_flows_lpm("O2 4 L/min"), oxygen_flows_lpm("Patient on 1.5 lpm via 2LNC")
    ((4.0,), (1.5, 2.0))
    >>> oxygen_flows_lpm("Oxygen on"), oxygen_flows_lpm("O2 titrated from 2 to 4L")
    ((), (2.0, 4.0))
    >>> oxygen_flows_lpm("O2 4 to 2 L/min"), oxygen_flows_lpm("O2 20 L/min")
    ((4.0, 2.0), (20.0,))
    >>> oxygen_flows_lpm("O2 @ 2"), oxygen_flows_lpm("O2 2->4 LPM")
    ((2.0,), (2.0, 4.0))
    """
    # a fraction character apart from the whole litres before it: NFKC writes 4½ as 41⁄2
    text = "".join(
        f" {c}" if unicodedata.decomposition(c).startswith("<fraction>") else c for c in text
    )
    form = unicodedata.normalize("NFKC", text).lower()
    starts = [
        m for m in _FLOW_RANGE_START.finditer(form) if not _READING_BEFORE.search(form[: m.start()])
    ]
    found = [
        (m.start(), float(m.group(1).replace(",", ".")))
        for m in (*starts, *_FLOW_VALUE.finditer(form))
    ]
    # the gas's bare litres, unless read above at the same place (``O2 2-4 L``'s 2)
    found += [
        (m.start(k), float(m.group(k).replace(",", ".")))
        for m in _BARE_FLOW_VALUE.finditer(form)
        for k in (1, 2)
        if m.group(k) is not None and all(m.start(k) != at for at, _ in found)
    ]
    # A fraction's value beside its denominator's (``4½``, ``2 1/2``, ``1/2 L/min`` read 2
    # alone, so a walk at 4.5 L/min passed as at the 2 given, hunt 16): a slash is as often a
    # separator (``SpO2 94%/2L NC``, ``RA/2 L/min``), so the denominator stays read, and a
    # flow held against the flow given need only differ (review of hunt 16).
    found += [
        (m.start(), (int(m.group(1)) if m.group(1) else 0) + int(m.group(2)) / int(m.group(3)))
        for m in _FLOW_FRACTION.finditer(form)
        if int(m.group(3)) and not _READING_BEFORE.search(form[: m.start()])
    ]
    found.sort()
    return tuple(flow for _, flow in found)


def _artifact_form(text: str) -> str:
    """Return ``text`` as :func:`is_spo2_artifact` matches it.

    NFKC first, so ``SpO₂`` and full-width ``ＳｐＯ２`` are ``SpO2``; then accents dropped, so
    ``Artéfact`` and ``oxímetro`` read as ``artefact`` and ``oximetro``; then :func:`_norm`.
    """
    return _norm(_event_form(text))


def stage_of(text: str) -> str | None:
    """Return the sleep stage an annotation text names, or None when it names none.

    Parameters
    ----------
    text : str
        E.g. ``Sleep stage N2``, ``Sleep stage 2``, ``Stage 3``, ``Wake``, ``REM``, ``W``,
        ``SLEEP-S0``, ``Sleep stage ?``, ``Movement time``.

    Returns
    -------
    str or None
        ``W``, ``N1``–``N4``, ``R`` or ``?`` (unscored).
    """
    t = _norm(text)
    for prefix in _STAGE_PREFIXES:
        if t.startswith(prefix):
            rest = t[len(prefix) :].strip()
            return _STAGE_WORDS.get(rest) or _number_code(text, rest)
    return _STAGE_WORDS.get(t)


def _number_code(raw: str, digit: str) -> str | None:
    """Return the stage of a number code only when ``raw`` ends in it bare.

    The separators :func:`_norm` folds into spaces include a sign and a point: "Sleep stage -1"
    and a hypnogram's -1 or -2 (artefact, unscored, as YASA writes them) were N1 and N2, and
    ".5" or "2_" stages too; a night whose wake was coded -1 qualified on its wake's dips.
    """
    if digit not in _STAGE_NUMBERS:
        return None
    if re.search(rf"(?<![A-Za-z0-9.\-+]){digit}$", raw.strip()) is None:
        return None
    return _STAGE_NUMBERS[digit]


def hypnogram_stage(label: str) -> str | None:
    """Return the stage a hypnogram file's label names, or None when it names none.

    A hypnogram column holds stages only, so besides every spelling :func:`stage_of` knows
    (``Wake``, ``REM``, ``Stage W``, ``n2``, ``Sleep stage 3`` ...) a bare number is the
    R&K/EDF code: ``0`` wake, ``1``–``4`` N1–N4, ``5`` REM.

    Parameters
    ----------
    label : str
        One cell of the hypnogram's stage column.

    Returns
    -------
    str or None
        ``W``, ``N1``–``N4``, ``R`` or ``?`` (unscored).
    """
    return stage_of(label) or _STAGE_NUMBERS.get(label.strip())


def lights_of(text: str) -> str | None:
    """Return ``off`` or ``on`` for a lights mark (``Lights off``, ``LIGHTS OUT``, ``lights_on``).

    Parameters
    ----------
    text : str
        The annotation as written in the file.

    Returns
    -------
    str or None
        ``off``, ``on``, or None when the text is not a lights mark.
    """
    return _LIGHTS.get(re.sub(r"[\s_\-]+", "", text.strip().lower()))


def segment_of(text: str) -> str | None:
    """Return the exercise-test segment a marker names (``rest``, ``Exercise``, ``exercise o2``).

    Parameters
    ----------
    text : str
        The annotation as written in the file.

    Returns
    -------
    str or None
        ``rest``, ``exercise``, ``exercise_o2``, or None when the text names no segment.
    """
    return _SEGMENTS.get(re.sub(r"[\s\-]+", "_", text.strip().lower()))


# Every window and mark reads the annotations' kinds again, and a PSG repeats a few texts a
# thousand times: cached, a scored 8-h 1-Hz night (1,282 annotations) is analysed in 15.9 ms,
# not 69.8 (25 Hz: 49.5, not 101.1; scripts/bench.py (a), 2026-12-08).
@functools.lru_cache(maxsize=4096)
def annotation_kind(text: str) -> tuple[str, str | None]:
    """Classify an annotation text.

    Parameters
    ----------
    text : str
        The annotation as written in the file.

    Returns
    -------
    (str, str or None)
        ``("stage", "N2")``, ``("lights", "off" | "on")``, ``("segment", name)``,
        ``("artifact", "SpO2")`` for a span the scorer rejected as SpO2 artifact,
        ``("event", None)`` for a scored event, ``("note", None)`` for anything else.
    """
    stage = stage_of(text)
    if stage is not None:
        return "stage", stage
    lights = lights_of(text)
    if lights is not None:
        return "lights", lights
    segment = segment_of(text)
    if segment is not None:
        return "segment", segment
    if is_spo2_artifact(text):
        return "artifact", "SpO2"
    if is_oxygen_mark(text):
        return "oxygen", None
    if _EVENT_WORDS.search(_event_form(text)):
        return "event", None
    return "note", None


def is_pap_note(text: str) -> bool:
    """Return whether an annotation names a PAP machine, so the night was recorded on PAP.

    Parameters
    ----------
    text : str
        The annotation as written, e.g. ``CPAP 10 cm H2O``, ``Bilevel 14/10 via full face mask``.

    Returns
    -------
    bool
        True for CPAP, BiPAP/BPAP, VPAP, bilevel, APAP, ASV, AVAPS, IPAP, EPAP, NIV, NIPPV,
        NPPV, non-invasive ventilation or AutoSet (``Auto-Set``) as a word or a word's end
        (``nCPAP``, ``AutoCPAP``), ``C-PAP``, ``A-PAP``, any pressure in cm H2O or ``cwp``
        (``Pressure 10 cm H2O``, ``PEEP 5 cmH2O``: a machine's or a ventilator's setting) and
        ``PAP``, a titration word or ``pressure`` beside a pressure in cm, hPa or mbar (``PAP 10
        cm``, ``PAP 10 hPa``, ``Pressure 10 mbar``); False for ``PAP`` without such a pressure (a
        monitor's pulmonary artery pressure, in mmHg) and any other text.

    Examples
    --------
    >>> is_pap_note("CPAP 8 cm H2O"), is_pap_note("BiPAP 14/10"), is_pap_note("PAP 25 mmHg")
    (True, True, False)
    >>> is_pap_note("PAP 10 cm H2O"), is_pap_note("nCPAP"), is_pap_note("PAP 30/15")
    (True, True, False)
    >>> is_pap_note("Pressure 10 cm H2O"), is_pap_note("NIPPV 14/8"), is_pap_note("PAP 10 cm")
    (True, True, True)
    """
    form = _artifact_form(text)
    if _PAP_MACHINE.search(form) is not None or _CM_H2O.search(form) is not None:
        return True
    return _CM.search(form) is not None and _PAP_OR_TITRATION.search(form) is not None


def sleep_test_event(text: str) -> str | None:
    """Return the sleep test's event an annotation names, whatever its kind, or None.

    A note with a flow stays a mark of oxygen (:func:`annotation_kind`) and may name a scored
    event too: ``Hypopnea 4 lpm`` is both, and read as oxygen alone it was no sleep test's event,
    read as the event alone no oxygen (review 2 of hunt 15). So
    :attr:`oximetry.model.Recording.sleep_test_channels` asks this of every annotation.

    Parameters
    ----------
    text : str
        The annotation as written, e.g. ``Hypopnea 4 lpm``, ``Obstructive apnea``.

    Returns
    -------
    str or None
        One of :data:`SLEEP_TEST_EVENTS`, or None (a bare apnea, ``Apnea episode; increased to 3
        L/min``, is none).

    Examples
    --------
    >>> sleep_test_event("Hypopnea 4 lpm"), sleep_test_event("Apnea; increased to 3 L/min")
    ('hypopnea', None)
    """
    name = event_name(text)
    return name if name in SLEEP_TEST_EVENTS else None


def event_name(text: str) -> str:
    """Return the scoring vocabulary's name for a scored event annotation (``event`` kind).

    Parameters
    ----------
    text : str
        The annotation as written, e.g. ``Obstructive Apnea (tech: J. Smith)``.

    Returns
    -------
    str
        ``obstructive apnea``, ``hypopnea``, ``desaturation``, ``arousal`` ... or ``event``; never
        any other word of the text.
    """
    low = _event_form(text)
    return next((name for pattern, name in _EVENT_NAMES if re.search(pattern, low)), "event")


def scoring_text(text: str) -> str | None:
    """Return an annotation rewritten in the scoring vocabulary alone, or None for free text.

    What ``--deidentify`` keeps of annotations: stages (``Sleep stage N2``), lights marks
    (``Lights off``), segment names (``exercise``), a walk named in words (``Walk``: see
    :func:`is_walk_note`), ``SpO2 artifact`` and event kinds
    (:func:`event_name`; kept as its event kind, "desaturation", an SpO2 artifact would no
    longer be excluded, and the de-identified run's figures would not be the original's); every
    other word — a name, a date, a record number typed into a note — is dropped. The analysis
    reads the rewritten text exactly as it read the original: a mark of oxygen keeps its flows
    and the sleep test's event it names (``Hypopnea 4 lpm`` reads ``Supplemental oxygen 4
    L/min, hypopnea``), and so does an SpO2 artifact (``SpO2 artifact, obstructive apnea``).

    Parameters
    ----------
    text : str
        The annotation as written in the file.

    Returns
    -------
    str or None
        The rewritten text, or None when the annotation is a note (kind ``note``).
    """
    kind, value = annotation_kind(text)
    if kind == "stage":
        return f"Sleep stage {value}"
    if kind == "lights":
        return f"Lights {value}"
    if kind == "segment":
        return value
    kept = _scoring_words(text, kind)
    if is_walk_note(text):
        # a walk's note marks a walk for a rest test (oximetry.windows): dropped, a rest test
        # holding 'Exercise start' and 5 min at 86 % after it QUALIFIED under --deidentify
        # (review of hunt 16)
        return "Walk" if kept is None else f"{kept}, walk"
    return kept


def _scoring_words(text: str, kind: str) -> str | None:
    """Return :func:`scoring_text` of an artifact, oxygen or event annotation (None for a note)."""
    if kind == "artifact":
        # and the sleep test's event it names ('SpO2 artifact - obstructive apnea'): rewritten
        # as the artifact alone, a PSG's night was stand-alone oximetry and QUALIFIED N1 under
        # --deidentify where the original was not qualified (hunt 16)
        event = sleep_test_event(text)
        return "SpO2 artifact" if event is None else f"SpO2 artifact, {event}"
    if kind == "oxygen":
        # the flows it names are no identifier, and a walk on oxygen is held against them:
        # rewritten without, 'O2 4 L/min' at a walk given as 2 L/min qualified (hunt 15)
        flows = ", ".join(f"{f:g} L/min" for f in oxygen_flows_lpm(text))
        mark = f"Supplemental oxygen {flows}" if flows else "Supplemental oxygen"
        # and the sleep test's event it names ('Hypopnea 4 lpm' is both): rewritten as oxygen
        # alone, the night was stand-alone oximetry (review 2 of hunt 15)
        event = sleep_test_event(text)
        return f"{mark}, {event}" if event is not None else mark
    if kind == "event":
        return event_name(text)
    return None
