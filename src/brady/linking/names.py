"""People's names as a records clerk compares them: in any script and case, in parts,
by sound, and with the slips that typing and scanning make.

Pure functions. Every name meets its variants at a few keys that the mention index
stores (the full key, its one-slip keys, its sound and its OCR shape), so candidate
search stays a handful of indexed lookups; the level of agreement between two names is
decided here afterwards, the same way on every database.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import IntEnum
from functools import lru_cache

import jellyfish
from anyascii import anyascii
from nameparser import HumanName
from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler


def fold(text: str) -> str:
    """The matching form of text: any script in Latin letters, no accents, lower case
    ('José' and 'JOSE' meet; 'Юрій Коваленко' reads 'yuriy kovalenko')."""
    text = unicodedata.normalize("NFKC", text).replace("\u2019", "'")
    return anyascii(text).lower()


def latin(text: str) -> str:
    """Text in Latin letters with its case kept: what a name parser can read."""
    return anyascii(unicodedata.normalize("NFKC", text).replace("\u2019", "'"))


@dataclass(frozen=True)
class NameParts:
    first: str
    middle: tuple[str, ...]
    last: str

    @property
    def key(self) -> str:
        return f"{self.first} {self.last}".strip()


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)*", fold(text).replace("'", ""))


@lru_cache(maxsize=65536)
def parse(name: str) -> NameParts:
    """Given name, middle names and surname, whatever the order ('ORTIZ, DANIEL J.',
    'Dep. J. Martinez', 'Daniel J Ortiz') and with titles and suffixes dropped."""
    human = HumanName(latin(name))
    first, last = _words(human.first), _words(human.last)
    middle = tuple(w for part in human.middle_list for w in _words(part))
    if not last and len(first) >= 2:
        first, last = first[:1], first[1:]
    if not last and len(first) == 1 and not middle:
        return NameParts("", (), first[0])  # one word alone: 'rounds said to be Reed's'

    if not first and last:
        return NameParts("", (), " ".join(last))
    return NameParts(" ".join(first), middle, " ".join(last))


def name_key(name: str) -> str:
    """'Reed, Thell', 'THELL  REED' and 'Thell J. Reed' all give 'thell reed'."""
    return parse(name).key


NICKNAMES: Mapping[str, tuple[str, ...]] = {
    "robert": ("bob", "rob", "bobby", "robbie", "beto"),
    "william": ("bill", "will", "billy", "willie", "liam"),
    "richard": ("rick", "dick", "rich", "ricky"),
    "james": ("jim", "jimmy", "jamie"),
    "john": ("jack", "johnny", "jon"),
    "jonathan": ("jon", "johnny"),
    "thomas": ("tom", "tommy"),
    "michael": ("mike", "mikey", "mick"),
    "joseph": ("joe", "joey"),
    "charles": ("chuck", "charlie"),
    "alexander": ("alex", "sasha", "xander"),
    "alexandria": ("alex", "lexi"),
    "alexandra": ("alex", "sasha", "lexi"),
    "elizabeth": ("liz", "beth", "lizzie", "betty", "eliza"),
    "katherine": ("kate", "katie", "kathy", "kat"),
    "catherine": ("cathy", "kate", "cat"),
    "margaret": ("maggie", "peggy", "meg"),
    "theodore": ("ted", "teddy", "theo"),
    "hannah": ("hanna",),
    "stephen": ("steve",),
    "steven": ("steve",),
    "daniel": ("dan", "danny"),
    "david": ("dave", "davey"),
    "christopher": ("chris",),
    "christina": ("chris", "tina"),
    "anthony": ("tony",),
    "jennifer": ("jen", "jenny"),
    "patricia": ("pat", "patty", "trish"),
    "patrick": ("pat", "paddy"),
    "marissa": ("missy",),
    "edward": ("ed", "eddie", "ted"),
    "benjamin": ("ben", "benny"),
    "samuel": ("sam", "sammy"),
    "samantha": ("sam", "sammy"),
    "nicholas": ("nick", "nicky"),
    "matthew": ("matt",),
    "andrew": ("andy", "drew"),
    "timothy": ("tim", "timmy"),
    "kenneth": ("ken", "kenny"),
    "ronald": ("ron", "ronnie"),
    "donald": ("don", "donnie"),
    "gregory": ("greg",),
    "jeffrey": ("jeff",),
    "joshua": ("josh",),
    "zachary": ("zach", "zack"),
    "victoria": ("vicky", "tori"),
    "rebecca": ("becky", "becca"),
    "deborah": ("deb", "debbie"),
    "susan": ("sue", "susie"),
    "barbara": ("barb",),
    "dorothy": ("dot", "dottie"),
    "jessica": ("jess", "jessie"),
    "kimberly": ("kim",),
    "pamela": ("pam",),
    "cynthia": ("cindy",),
    "abigail": ("abby",),
    "gabriel": ("gabe",),
    "frederick": ("fred", "freddie"),
    "lawrence": ("larry",),
    "raymond": ("ray",),
    "gerald": ("jerry",),
    "harold": ("hal",),
    "leonard": ("leo", "len"),
    "vincent": ("vince", "vinny"),
    "phillip": ("phil",),
    "philip": ("phil",),
    "walter": ("walt",),
    "douglas": ("doug",),
    "eugene": ("gene",),
    "francis": ("frank",),
    "franklin": ("frank",),
    "jacob": ("jake",),
    "peter": ("pete",),
    "wesley": ("wes",),
    "sandra": ("sandy",),
    "gilbert": ("gil",),
    # Spanish hypocorisms, as reports write them.
    "jose": ("pepe", "chepe"),
    "josefa": ("pepa", "chepa"),
    "guillermo": ("memo", "guille"),
    "francisco": ("paco", "pancho", "frank", "kiko"),
    "guadalupe": ("lupe", "lupita"),
    "jesus": ("chuy", "chucho"),
    "ignacio": ("nacho",),
    "alberto": ("beto",),
    "roberto": ("beto", "bob"),
    "humberto": ("beto",),
    "eduardo": ("lalo", "eddie"),
    "antonio": ("tono", "tony"),
    "enrique": ("quique", "kike"),
    "rodrigo": ("rigo",),
    "alejandro": ("alex", "jando"),
    "alejandra": ("ale", "alex"),
    "fernando": ("nando", "fer"),
    "gonzalo": ("chalo",),
    "rosario": ("chayo",),
    "concepcion": ("concha", "conchita"),
    "dolores": ("lola",),
    "mercedes": ("meche",),
    "graciela": ("chela",),
    "consuelo": ("chelo",),
    "manuel": ("manny", "manolo", "meno"),
    "ramon": ("moncho",),
    "vicente": ("chente",),
    "alfredo": ("fredo",),
    "rafael": ("rafa",),
    "josefina": ("josie", "pina"),
    "santiago": ("santi", "chago"),
    "salvador": ("chava",),
    "refugio": ("cuco",),
    "socorro": ("coco",),
    "isabel": ("chabela", "isa"),
    "ricardo": ("richi", "rick", "ricky"),
    "federico": ("fede",),
    # Slavic diminutives, as transliterated.
    "aleksandr": ("sasha", "sanya", "alex"),
    "oleksandr": ("sasha", "alex"),
    "dmitriy": ("dima",),
    "dmitrii": ("dima",),
    "dmitry": ("dima",),
    "nikolai": ("kolya",),
    "sergey": ("seryozha", "serezha"),
    "sergei": ("seryozha", "serezha"),
    "serhii": ("serhiy",),
    "evgenii": ("zhenya",),
    "tatiana": ("tanya",),
    "natalya": ("natasha",),
    "natalia": ("natasha",),
    "nataliia": ("natasha",),
    "ekaterina": ("katya",),
    "olga": ("olya",),
    "olha": ("olya",),
    "dmytro": ("dima",),
    "vladimir": ("vova", "volodya"),
    "volodymyr": ("vova", "volodya"),
    "yekaterina": ("katya",),
    "kateryna": ("katya",),
    "nikolay": ("kolya",),
    "mykola": ("kolya",),
    "mikhail": ("misha",),
    "mykhailo": ("misha",),
    "anastasiya": ("nastya",),
    "tatyana": ("tanya",),
    "tetiana": ("tanya",),
    "yevgeniy": ("zhenya",),
    "ivan": ("vanya",),
}

FORMAL: Mapping[str, tuple[str, ...]] = {
    nick: tuple(sorted({f for f, nicks in NICKNAMES.items() if nick in nicks}))
    for nick in {n for nicks in NICKNAMES.values() for n in nicks}
}
GIVEN_NAMES = frozenset(NICKNAMES) | frozenset(FORMAL)
"""Given names (and nicknames) known as such: a word that is one is not read as a surname."""


def same_given_name(a: str, b: str) -> bool:
    """Given names that can be the same person's: equal, a nickname of the other, or an
    initial of it ('J' for 'Jose')."""
    if not a or not b:
        return False
    if a == b:
        return True
    if len(a) == 1 or len(b) == 1:
        return a[0] == b[0]
    return (
        b in NICKNAMES.get(a, ())
        or a in NICKNAMES.get(b, ())
        or bool(set(FORMAL.get(a, ())) & ({b} | set(FORMAL.get(b, ()))))
    )


def given_name_variants(first: str) -> set[str]:
    """The given names a record's person may be written under: nicknames, formal names
    of a nickname, and the initial."""
    out = {first, *NICKNAMES.get(first, ())}
    for formal in FORMAL.get(first, ()):
        out |= {formal, *NICKNAMES.get(formal, ())}
    if first:
        out.add(first[0])
    return out


def surnames(parts: NameParts) -> set[str]:
    """A surname and the halves a compound one is written by alone ('gutierrez-reed',
    'de la cruz' -> also 'cruz'; Spanish double surnames without a hyphen come through
    the middle names)."""
    last = parts.last
    out = {last, last.replace("-", " ")} if last else set()
    out |= {w for w in re.split(r"[-\s]", last) if len(w) > 2}
    return {s for s in out if s}


def _first_surname(parts: NameParts) -> bool:
    """Whether the last middle name may be a first surname ('Juan Gutierrez Reed'), not a
    given name ('Christopher Matthew Stewart' is no Christopher Matthew)."""
    return bool(parts.middle) and len(parts.middle[-1]) > 2 and parts.middle[-1] not in GIVEN_NAMES


def record_keys(name: str, aliases: Iterable[str] = ()) -> set[str]:
    """Every full-name key under which a record's person may be written."""
    out: set[str] = set()
    for full in (name, *aliases):
        parts = parse(full)
        if not parts.first or not parts.last:
            if parts.last:
                out.add(parts.last)
            continue
        lasts = surnames(parts)
        if _first_surname(parts):
            # 'Juan Gutierrez Reed': a first surname the parser took for a middle name.
            lasts.add(parts.middle[-1])
            lasts.add(f"{parts.middle[-1]} {parts.last}")
        for given in given_name_variants(parts.first):
            out |= {f"{given} {last}" for last in lasts}
    return out


# Characters and pairs that scanning and hurried typing confuse, reduced to one shape on
# both sides of a comparison so that 'Hemandez' and 'Hernandez', 'Elizabcth' and
# 'Elizabeth', 'Shandiln Biake' and 'Shandiin Blake' meet. Letters first (c/e, i/l, a/o,
# digit look-alikes), then the pairs a scanner reads as one letter, in their new shape
# ('cl' is now 'el' for 'd', 'li' is 'll' for 'h').
_OCR_FIRST = (("rn", "m"), ("vv", "w"))
_OCR_CHARS = str.maketrans({"c": "e", "0": "o", "1": "l", "5": "s", "8": "b", "i": "l", "a": "o"})
_OCR_AFTER = (("d", "el"), ("h", "ll"))


def ocr_shape(key: str) -> str:
    for pair, single in _OCR_FIRST:
        key = key.replace(pair, single)
    key = key.translate(_OCR_CHARS)
    for single, pair in _OCR_AFTER:
        key = key.replace(single, pair)
    return key


# How the transliteration systems write one Cyrillic sound (national, BGN/PCGN, ICAO,
# German, Polish, French, informal English), reduced to one spelling, longest first.
_TRANSLIT = (
    ("schtsch", "s"), ("chtch", "s"), ("shch", "s"), ("szcz", "s"), ("tsch", "c"),
    ("sch", "s"), ("tch", "c"), ("sz", "s"), ("sh", "s"), ("cz", "c"), ("ch", "c"),
    ("kh", "c"), ("zh", "z"), ("ts", "c"), ("ou", "u"), ("w", "v"), ("j", "i"), ("y", "i"),
    ("x", "ks"), ("h", "g"), ("ie", "e"),
    # a soft l before a vowel: Polish 'la' where English writes 'lya' ('Bielakow', 'Beliakov')
    ("lia", "la"), ("lie", "le"), ("lio", "lo"), ("liu", "lu"),
)  # fmt: skip


@lru_cache(maxsize=65536)
def translit_key(word: str) -> str:
    """One spelling for the ways a Slavic name is transliterated ('Szewczenko',
    'Schewtschenko', 'Shevchenko' -> 'sevcenko'; 'Jurij', 'Yuriy', 'Iouri' -> 'iuri')."""
    for written, said in _TRANSLIT:
        word = word.replace(written, said)
    return re.sub(r"(.)\1+", r"\1", word)


def sound_key(key: str) -> str:
    """Metaphone of each word, transliterations first made one ('yuriy kovalenko',
    'jurij kowalenko' and 'yuri kovalenco' meet)."""
    words = key.replace("-", " ").split()
    return " ".join(jellyfish.metaphone(translit_key(w)) or w for w in words)


EDIT_KEY_MAX = 40
"""Keys longer than this get no one-slip keys (they would be many and rarely needed)."""


def one_slip_keys(key: str) -> set[str]:
    """The key with any one character left out ('seth kenney' -> 'eth kenney', ...).

    Two spellings one slip apart (a letter missing, added, changed, or two swapped)
    share at least one of these keys, or one is the other's, so a misspelt name or
    number is found by exact, indexed lookups (a deletion neighbourhood, as in
    SymSpell)."""
    if len(key) > EDIT_KEY_MAX:
        return set()
    return {key[:i] + key[i + 1 :] for i in range(len(key))} - {key}


class Agreement(IntEnum):
    """How closely a written name agrees with a record's: the levels the model weighs."""

    NONE = 0
    SURNAME = 1  # only the surname ('rounds said to be Reed's')
    CLOSE = 2  # a slip or two, the same sound, a scanner's misreading
    VARIANT = 3  # a nickname or an initial for the given name
    EXACT = 4


_B_V = {"b", "v"}


def _close_word(a: str, b: str) -> bool:
    if a == b:
        return True
    if not a or not b:
        return False
    if ocr_shape(a) == ocr_shape(b) or translit_key(a) == translit_key(b):
        return True
    distance = DamerauLevenshtein.distance(a, b)
    if distance <= 1 and min(len(a), len(b)) >= 3 and (a[0] == b[0] or {a[0], b[0]} == _B_V):
        return True  # a slip, not another name ('Minh' and 'Linh' are two names; 'Vaca'
        # and 'Baca' one, as Spanish says b and v alike)
    if distance <= 2 and min(len(a), len(b)) >= 6:
        return True
    return jellyfish.metaphone(a) == jellyfish.metaphone(b) and JaroWinkler.similarity(a, b) >= 0.85


def agreement(written: str, record_name: str, aliases: Iterable[str] = ()) -> Agreement:
    """The best agreement between a name as written and a record's name or aliases."""
    w = parse(written)
    best = Agreement.NONE
    for full in (record_name, *aliases):
        r = parse(full)
        best = max(best, _agreement(w, r))
        if best == Agreement.EXACT:
            break
    return best


def middle_agreement(written: str, record_name: str) -> int:
    """Whether the middle names agree, when both are given: 2 the same name, 1 the same
    initial (or the name with a slip), -1 different, 0 not known ('John Elvis Begay' tells
    two John Begays apart)."""
    w, r = parse(written), parse(record_name)
    if not w.middle or not r.middle:
        return 0
    a, b = w.middle[0], r.middle[0]
    if b in r.last.split() or a in w.last.split():
        return 0  # a compound surname read as a middle name
    if len(a) > 1 and len(b) > 1:
        if a == b or same_given_name(a, b):
            return 2
        return 1 if _close_word(a, b) else -1  # 'Tercsa' for Teresa: a slip, not another name
    return 1 if a[0] == b[0] else -1


def _agreement(w: NameParts, r: NameParts) -> Agreement:
    if not w.last or not r.last:
        return Agreement.NONE
    lasts = surnames(r)
    if _first_surname(r):
        lasts |= {r.middle[-1], f"{r.middle[-1]} {r.last}"}
    if w.key in {f"{r.first} {last}" for last in lasts} and w.first:
        return Agreement.EXACT
    last_exact = w.last in lasts or w.last.replace("-", " ") in lasts
    last_close = last_exact or any(_close_word(w.last, last) for last in lasts)
    if not w.first:
        return Agreement.SURNAME if last_exact else Agreement.NONE
    if last_exact and same_given_name(w.first, r.first):
        return Agreement.VARIANT
    if last_close and (_close_word(w.first, r.first) or same_given_name(w.first, r.first)):
        whole = DamerauLevenshtein.distance(w.key, r.key)
        if (
            whole <= 2
            or ocr_shape(w.key) == ocr_shape(r.key)
            or sound_key(w.key) == sound_key(r.key)
        ):
            return Agreement.CLOSE
        if JaroWinkler.similarity(w.key, r.key) >= 0.9:
            return Agreement.CLOSE
    # Another given name: another person, however common the surname they share.
    return Agreement.NONE
