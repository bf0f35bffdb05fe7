"""The names a state goes by, so that a source's name for an actor can be checked against the row's code.

ISO 3166 gives the English names; pycountry ships iso-codes' translations of them, of which we take the
languages our status sources are written in (the UN's six, and Dutch and German for the depositaries'
tables). Lists write the same name in other orders ("Korea, Republic of" is also "Republic of Korea" and
"Korea"): those forms are kept as hidden labels (skos:hiddenLabel: for queries and the check, not for display). Names no
standard holds (former names such as "Burma", a source's own wording) are kept in data/state_names.ttl
with the source that uses them.
"""

from __future__ import annotations

import functools
import gettext

import pycountry

LANGUAGES = ("fr", "es", "ru", "zh", "ar", "nl", "de")  # besides English


@functools.lru_cache(maxsize=2 * len(LANGUAGES))  # one catalogue per (list, language): bounded
def _catalogue(domain: str, language: str) -> gettext.NullTranslations:
    return gettext.translation(domain, pycountry.LOCALES_DIR, languages=[language], fallback=True)


def english_names(entry: object) -> list[str]:
    """The ISO 3166 names of a pycountry entry: name, official name, common name (in that order, without repeats)."""
    found = [getattr(entry, field, None) for field in ("name", "official_name", "common_name")]
    return list(dict.fromkeys(name for name in found if name))


def translations(entry: object, historic: bool) -> set[tuple[str, str]]:
    """(name, language) for each English name's translation in LANGUAGES, where iso-codes has one."""
    domain = "iso3166-3" if historic else "iso3166-1"
    found = set()
    for name in english_names(entry):
        for language in LANGUAGES:
            translated = _catalogue(domain, language).gettext(name)
            if translated != name:
                found.add((translated, language))
    return found


def list_forms(name: str) -> set[str]:
    """Other orders of a name, as lists write them.

    "Korea, Republic of" -> "Republic of Korea", "Korea"; "USSR, Union of Soviet Socialist Republics" -> its two
    parts too; "People's Republic of China" -> "China, People's Republic of".
    """
    head, comma, tail = name.partition(", ")
    if comma:
        whole_tail = " " in tail and not tail.endswith((" of", " of the"))
        return {f"{tail} {head}", head} | ({tail} if whole_tail else set())
    before, of, after = name.rpartition(" of ")
    return {f"{after}, {before} of"} if of and before and after else set()
