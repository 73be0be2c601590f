"""Every language's catalogue is complete for the console: each message the console's sources
ask for (extracted as `babel.cfg` says, so a new template or module is covered without touching
this file) has a real translation in ar, fa, ur and hi, with the message's placeholders intact,
and no catalogue holds a message twice or anything Babel's reader would warn about."""

from __future__ import annotations

import re
import warnings
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import PoFileError, PoFileParser

from herald.console.i18n import LANGUAGES, TRANSLATIONS

REPOSITORY = Path(__file__).resolve().parent.parent
#: The keywords of the extraction command in docs/console.md (`-k _l -k lazy_gettext …`).
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
TRANSLATED = sorted(code for code in LANGUAGES if code != "en")
#: printf-style (`%(name)s`, `%(num)d`, `%s`; `%%` is a literal sign) and str.format (`{count}`).
PERCENT_PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\d+|\*)?(?:\.(?:\d+|\*))?[diouxXeEfFgGcrsa%]")
BRACE_PLACEHOLDER = re.compile(r"(?<!\{)\{[^{}\s]*\}(?!\})")


@dataclass(frozen=True)
class Wanted:
    """A message the console asks for: its id (a pair for plurals) and where it is asked."""

    id: str | tuple[str, ...]
    where: str

    @property
    def key(self) -> str:
        return self.id if isinstance(self.id, str) else self.id[0]


def extract_console_messages() -> dict[str, Wanted]:
    with (REPOSITORY / "babel.cfg").open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg, filename="babel.cfg")
    wanted: dict[str, Wanted] = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
            REPOSITORY, method_map, options_map, keywords=KEYWORDS):
        assert context is None, f"{filename}:{lineno}: the catalogues hold no message contexts"
        found = Wanted(message, f"{filename}:{lineno}")
        # A plural form of a message also asked for in the singular wins, as in `pybabel extract`.
        if found.key and (found.key not in wanted or not isinstance(message, str)):
            wanted[found.key] = found
    return wanted


class _RecordingCatalog(Catalog):
    """A catalogue that also keeps every entry as read: Babel merges a repeated message id into
    the first entry, which would hide the repeat and the repeat's translation."""

    def __init__(self) -> None:
        super().__init__()
        self.entries: list[Message] = []

    def __setitem__(self, id: str | tuple[str, ...], message: Message) -> None:
        if id:
            self.entries.append(message)
        super().__setitem__(id, message)


def read_catalogue(code: str) -> _RecordingCatalog:
    """The `.po` of ``code``, read strictly: what `read_po` would only warn about is an error."""
    catalog = _RecordingCatalog()
    parser = PoFileParser(catalog, ignore_obsolete=True, abort_invalid=True)
    path = TRANSLATIONS / code / "LC_MESSAGES" / "messages.po"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with path.open("rb") as po:
            try:
                parser.parse(po)
            except PoFileError as exc:
                pytest.fail(f"{path}: line {exc.lineno + 1}: {exc} ({exc.line!r})")
    return catalog


def repeated_lines(code: str) -> list[str]:
    """Keywords given twice in one entry, e.g. two `msgstr` lines: a union merge of two changes to
    the same translation leaves both, and Babel's reader silently keeps the first."""
    repeated, entry, msgid = [], set[str](), ""
    path = TRANSLATIONS / code / "LC_MESSAGES" / "messages.po"
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        found = re.match(r"(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s", line)
        if not found:
            continue
        keyword = found.group(1)
        if keyword in ("msgctxt", "msgid") and any(k.startswith("msgstr") for k in entry):
            entry = set()
        if keyword == "msgid":
            msgid = line[len("msgid "):]
        if keyword in entry:
            repeated.append(f"line {number}: {keyword} again for msgid {msgid}")
        entry.add(keyword)
    return repeated


def placeholders(text: str) -> Counter[str]:
    return Counter(p for p in PERCENT_PLACEHOLDER.findall(text) + BRACE_PLACEHOLDER.findall(text) if p != "%%")


@pytest.fixture(scope="module")
def wanted() -> dict[str, Wanted]:
    found = extract_console_messages()
    # The console has hundreds of messages; a handful would mean the method map found nothing.
    assert len(found) > 100 and "Home" in found and "Publishing" in found
    return found


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_console_message_is_translated(code: str, wanted: dict[str, Wanted]) -> None:
    catalog = read_catalogue(code)
    missing = []
    for key, message in sorted(wanted.items()):
        entry = catalog.get(key)
        strings = [] if entry is None else [entry.string] if isinstance(entry.string, str) else list(entry.string)
        if entry is None or entry.fuzzy or not strings or not all(s.strip() for s in strings):
            state = "absent" if entry is None else "fuzzy" if entry.fuzzy else "empty"
            missing.append(f"  {key!r} ({state}; {message.where})")
        elif isinstance(message.id, tuple) and not isinstance(entry.id, tuple):
            missing.append(f"  {key!r} (needs its plural forms; {message.where})")
    assert not missing, f"{code}: {len(missing)} console message(s) without a translation:\n" + "\n".join(missing)


@pytest.mark.parametrize("code", TRANSLATED)
def test_translations_keep_the_placeholders_of_their_message(code: str) -> None:
    wrong = []
    for entry in read_catalogue(code).entries:
        if not entry.id or not entry.string:
            continue
        if isinstance(entry.id, str):
            if entry.string.strip() and placeholders(entry.string) != placeholders(entry.id):
                wrong.append(f"  {entry.id!r} -> {entry.string!r}")
            continue
        # Plural forms: a form for one (or zero, or two) may spell the number out, but no form
        # may bring a placeholder of its own, and the last, general form keeps them all.
        allowed = placeholders(entry.id[0]) | placeholders(entry.id[1])
        forms = [s for s in entry.string if s.strip()]
        if any(placeholders(s) - allowed for s in forms) or (
                forms and placeholders(entry.string[-1]) != placeholders(entry.id[1])):
            wrong.append(f"  {entry.id[1]!r} -> {list(entry.string)!r}")
    assert not wrong, f"{code}: placeholders differ from the message's:\n" + "\n".join(wrong)


@pytest.mark.parametrize("code", TRANSLATED)
def test_no_catalogue_holds_a_message_or_a_translation_twice(code: str) -> None:
    times = Counter(m.id if isinstance(m.id, str) else m.id[0] for m in read_catalogue(code).entries)
    twice = sorted(key for key, n in times.items() if n > 1)
    assert not twice, f"{code}: message(s) defined more than once: {twice}"
    repeated = repeated_lines(code)
    assert not repeated, f"{code}: entries with a line given twice:\n  " + "\n  ".join(repeated)


def test_placeholders_are_recognised_in_both_styles() -> None:
    assert placeholders("%(num)d of %(all)s, %s, 100%% and {count} {{literal}}") == Counter(
        ["%(num)d", "%(all)s", "%s", "{count}"])
