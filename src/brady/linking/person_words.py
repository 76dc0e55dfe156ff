"""Words that never name a person, sit inside a name, or show a name-like word is a thing."""

from __future__ import annotations

from . import gazetteer
from .names import fold
from .report_words import REPORT_WORDS

STOP = frozenset(fold(w) for w in REPORT_WORDS) | {
    "nm", "tx", "az", "co", "ut", "ca", "ok", "nv", "usa", "us", "fbi", "atf", "dea", "apd",
    "nmsp", "sfso", "vcso", "bcso", "ems", "afd", "sfpd", "ii", "iii", "iv",
}  # fmt: skip
TITLES = frozenset(
    [
        "deputy",
        "dep",
        "officer",
        "ofc",
        "sgt",
        "sergeant",
        "det",
        "detective",
        "lt",
        "lieutenant",
        "cpl",
        "corporal",
        "trooper",
        "agent",
        "analyst",
        "investigator",
        "inv",
        "chief",
        "capt",
        "captain",
        "sheriff",
        "undersheriff",
        "patrolman",
        "examiner",
        "criminalist",
        "technician",
        "tech",
    ]
)
ABBREVIATIONS = frozenset({"jr", "sr", "st", "mc", "mac"})
SURNAMES_IN_STOP = frozenset({"white", "black", "west"})
"""Report words that are surnames too: never the start of a name ('White male, 40s'),
but the end of one that has begun ('Frank White')."""
PARTICLES = frozenset(
    [
        "de",
        "del",
        "la",
        "las",
        "los",
        "van",
        "von",
        "da",
        "di",
        "le",
        "y",
        "st",
        "du",
        "bin",
        "ibn",
        "al",
        "el",
    ]
)
MAKE_WORDS = frozenset(fold(m).lower() for m in (*gazetteer.VEHICLE_MAKES, *gazetteer.GUN_MAKES))
"""A make before a name-like word makes it a model ('GMC Sierra', 'Harley Davidson')."""
VEHICLE_WORDS = frozenset(fold(w) for w in gazetteer.VEHICLE_MODELS) | {
    "truck", "pickup", "sedan", "suv", "van", "car", "vehicle", "coupe", "motorcycle",
}  # fmt: skip
GUN_WORDS = frozenset(
    [
        "pistol",
        "revolver",
        "rifle",
        "shotgun",
        "handgun",
        "model",
        "caliber",
        "cal",
        "firearm",
        "carbine",
        "derringer",
        # models people write after the make ('Colt Python', 'Ruger Blackhawk')
        "python",
        "anaconda",
        "cobra",
        "peacemaker",
        "mustang",
        "commander",
        "blackhawk",
        "redhawk",
        "bearcat",
        "security-six",
        "ar-15",
        "ar15",
    ]
)
