"""The portal speaks French first: no photographer should meet an English word on a French page.

Messages are extracted here exactly as `make messages` extracts them, from the tree as it is, so
a template or label that gains a message without a French translation fails now rather than on a
photographer's screen; and text typed straight into a template, out of reach of the catalogue,
fails too.
"""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pytest
from babel.messages.catalog import Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from pixhound_portal import i18n, web

PORTAL = Path(__file__).resolve().parents[1]
TEMPLATES = PORTAL / "src" / "pixhound_portal" / "templates"
FRENCH = i18n.LOCALE_DIR / "fr" / "LC_MESSAGES" / "messages.po"

PERCENT = re.compile(r"%(?:\(\w+\))?[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]")
BRACES = re.compile(r"\{\w+\}")

# Words shown as they are in both languages, each for a reason.
UNTRANSLATED = {
    "Pixhound": "the product's name",
    "Français": "the language switch names each language in that language",
    "English": "the language switch names each language in that language",
    "px": "the unit of an image's size",
    "UTC": "the time zone's international name",
    "SHA-256": "the name of the fingerprint algorithm",
    "WARC": "the archive file format",
    "CSV": "a file format",
    "PDF": "a file format",
    "IBAN": "the bank account number's international name",
    "SIREN": "the French company number, the same in English",
    "SIRET": "the French establishment number, the same in English",
}
UNTRANSLATED_WORDS = re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, UNTRANSLATED)) + r")(?![\w-])")
LETTER = re.compile(r"[^\W\d_]")
SENTENCE = re.compile(r"[^\W\d_]{2,}\s+[^\W\d_]{2,}")
VISIBLE_ATTRIBUTES = {"alt", "title", "aria-label", "placeholder"}
BUTTON_INPUTS = {"submit", "button", "reset"}
GETTEXT_CALLS = {"_", "gettext", "ngettext", "pgettext", "npgettext"}
HOLE = " \u00a4 "


def extracted_messages() -> dict[str | tuple[str, ...], str]:
    """Every message id in the portal's templates and Python, with the file it came from."""
    with (PORTAL / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    keywords = {**DEFAULT_KEYWORDS, "N_": None}
    found = extract_from_dir(str(PORTAL), method_map, options_map, keywords=keywords)
    return {message: filename for filename, _line, message, _comments, _context in found}


def placeholders(text: str) -> Counter[str]:
    return Counter(PERCENT.findall(text)) + Counter(BRACES.findall(text))


def translation_problems(message_id: str | tuple[str, ...], entry: Message | None) -> list[str]:
    if entry is None:
        return ["no entry"]
    if entry.fuzzy:
        return ["fuzzy"]
    ids = message_id if isinstance(message_id, tuple) else (message_id,)
    if tuple(entry.id if entry.pluralizable else (entry.id,)) != ids:
        return [f"the catalogue's id is {entry.id!r}"]
    forms = entry.string if isinstance(entry.string, tuple) else (entry.string,)
    if len(forms) != (2 if len(ids) > 1 else 1) or not all(form.strip() for form in forms):
        return ["not translated"]
    problems = []
    for form in forms:
        if placeholders(form) != placeholders(ids[-1]):
            problems.append(f"placeholders differ in {form!r}")
        try:
            form % {name: 1 for name in re.findall(r"%\((\w+)\)", form)}
        except (TypeError, ValueError, KeyError) as error:
            problems.append(f"{form!r} cannot be formatted ({error}); a literal percent sign is written %%")
    return problems


def test_every_message_has_a_french_translation_with_the_same_placeholders() -> None:
    messages = extracted_messages()
    assert len(messages) > 100, "extraction found almost nothing: is babel.cfg still right?"
    with FRENCH.open("rb") as handle:
        catalog = read_po(handle, locale="fr")
    assert catalog.plural_forms == "nplurals=2; plural=(n > 1);"
    problems = [
        f"{Path(where).name}: {message_id!r}: {problem}"
        for message_id, where in sorted(messages.items(), key=lambda item: str(item[0]))
        for problem in translation_problems(message_id, catalog.get(message_id))
    ]
    assert not problems, "run `make messages` and translate in fr/messages.po:\n" + "\n".join(problems)


class VisibleText(HTMLParser):
    """Text nodes and the attributes a reader sees or hears, outside scripts and styles."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[tuple[str, str]] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"}:
            self._hidden += 1
        values = dict(attrs)
        for name, value in attrs:
            shown = name in VISIBLE_ATTRIBUTES or name.startswith("data-text-")
            shown |= name == "value" and tag == "input" and values.get("type") in BUTTON_INPUTS
            if shown and value:
                self.texts.append((f'{name}="{value.strip()}"', value))

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"} and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden and data.strip():
            self.texts.append((data.strip(), data))


def template_html(source: str) -> str:
    """The template's own markup, every expression, tag and trans block replaced by a hole."""
    env = web.environment("en")
    parts: list[str] = []
    in_trans = False
    previous = ""
    for _line, kind, value in env.lex(source):
        if kind == "name" and previous == "block_begin" and value in {"trans", "endtrans"}:
            in_trans = value == "trans"
        if kind != "whitespace":
            previous = kind
        if kind == "data" and not in_trans:
            parts.append(value)
        elif not parts or parts[-1] != HOLE:
            parts.append(HOLE)
    return "".join(parts)


def hard_coded_text(source: str) -> list[str]:
    parser = VisibleText()
    parser.feed(template_html(source))
    parser.close()
    return [shown for shown, text in parser.texts if LETTER.search(UNTRANSLATED_WORDS.sub("", text))]


def untranslated_literals(source: str) -> list[str]:
    """String literals in expressions that read like words for people, outside a gettext call."""
    env = web.environment("en")
    calls: list[bool] = []
    previous = ""
    found = []
    for _line, kind, value in env.lex(source):
        if kind == "whitespace":
            continue
        if kind == "operator" and value in "([{":
            calls.append(value == "(" and previous in GETTEXT_CALLS)
        elif kind == "operator" and value in ")]}" and calls:
            calls.pop()
        elif kind == "string":
            message = bool(calls) and calls[-1] and previous in {"(", ","}
            if not message and SENTENCE.search(UNTRANSLATED_WORDS.sub("", value)):
                found.append(value)
        previous = value
    return found


TEMPLATE_NAMES = sorted(path.name for path in TEMPLATES.glob("*.html"))


@pytest.mark.parametrize("name", TEMPLATE_NAMES)
def test_templates_show_no_hard_coded_text(name: str) -> None:
    source = (TEMPLATES / name).read_text(encoding="utf-8")
    assert not hard_coded_text(source), f"{name}: wrap these in {{{{ _(...) }}}}: {hard_coded_text(source)}"
    assert not untranslated_literals(source), f"{name}: wrap these in _(...): {untranslated_literals(source)}"


@pytest.mark.parametrize(
    ("snippet", "caught"),
    [
        ("<p>Hello there</p>", "Hello there"),
        ('<img alt="Your photo" src="{{ src }}">', 'alt="Your photo"'),
        ('{% if x %}<nav aria-label="Menu">{% endif %}', 'aria-label="Menu"'),
        ('<input type="submit" value="Send">', 'value="Send"'),
        ("<p>{{ _('Fine') }} Pixhound · Cases</p>", "Cases"),
        ('<button data-text-waiting="Waiting">', 'data-text-waiting="Waiting"'),
    ],
)
def test_the_template_check_catches_bare_words(snippet: str, caught: str) -> None:
    assert caught in " ".join(hard_coded_text(snippet))


def test_the_template_check_lets_translated_and_untranslatable_text_pass() -> None:
    source = (
        '<title>{% block title %}{% endblock %} · Pixhound</title><span lang="fr">Français</span>'
        "<img alt=\"{{ _('Your photo') }}\"><p>{{ w }} × {{ h }} px (SHA-256, UTC)</p>"
        "<script>var text = 'Not shown';</script>{% trans %}Hello {{ name }}{% endtrans %}"
    )
    assert hard_coded_text(source) == []
    literals = '{{ _("Save the price") if x else "" }} {{ f(_("%(a)s of it", a="the agency")) }}'
    assert untranslated_literals(literals) == ['"the agency"']
    assert untranslated_literals('{{ ui.field_error("Please enter your name.", "id") }}')


def render_signin(locale: str, ctx: SimpleNamespace | None = None, **values) -> str:
    request = SimpleNamespace(url=SimpleNamespace(path="/signin"), query_params={})
    ctx = ctx or SimpleNamespace(signed_in=False, unread=0)
    page = web.environment(locale).get_template("signin.html")
    return page.render(ctx=ctx, request=request, locale=locale, csrf="token", next="/matches", email="", **values)


def test_a_page_rendered_in_french_is_in_french() -> None:
    html = render_signin("fr", error=True)
    assert '<html lang="fr">' in html
    assert "Se connecter" in html
    assert "E-mail ou mot de passe incorrect." in html
    assert "Sign in" not in html and "Email or password" not in html


def test_the_same_page_rendered_in_english_is_in_english() -> None:
    html = render_signin("en", error=True)
    assert "Sign in" in html and "Email or password is wrong." in html
    assert "Se connecter" not in html


@pytest.mark.parametrize(
    ("locale", "unread", "expected"),
    [("fr", 1, "1 non lue"), ("fr", 2, "2 non lues"), ("en", 1, "1 unread"), ("en", 3, "3 unread")],
)
def test_counts_use_each_language_s_plural(locale: str, unread: int, expected: str) -> None:
    html = render_signin(locale, ctx=SimpleNamespace(signed_in=True, unread=unread))
    assert f'<span class="badge">{expected}</span>' in html


def test_labels_marked_in_python_are_translated_when_rendered() -> None:
    macro = web.environment("fr").from_string('{% import "macros.html" as ui %}{{ ui.state_badge("notice_sent") }}')
    assert "Mise en demeure envoyée" in macro.render()
