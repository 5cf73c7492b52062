"""The public pages in English and Spanish: the browser's language, the switch, the catalog."""
from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from tests import factories as f

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "portal/translations/es/LC_MESSAGES/messages.po"
MO = PO.with_suffix(".mo")


def test_the_browsers_language_decides_without_a_choice(client, ctx):
    spanish = client.get("/", headers={"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"}).get_data(as_text=True)
    assert '<html lang="es">' in spanish and "Pida documentos públicos" in spanish
    english = client.get("/", headers={"Accept-Language": "en-US"}).get_data(as_text=True)
    assert '<html lang="en">' in english and "Ask for public records" in english
    assert "Ask for public records" in client.get("/", headers={"Accept-Language": "de"}).get_data(as_text=True)


def test_the_switch_keeps_the_choice_and_returns_to_the_page(client, ctx):
    r = client.get("/language/es?next=/log")
    assert r.status_code == 302 and r.headers["Location"] == "/log"
    assert "lang=es" in r.headers["Set-Cookie"] and "HttpOnly" in r.headers["Set-Cookie"]
    page = client.get("/log", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Registro público de solicitudes" in page
    assert 'href="/language/en?next=/log"' in page  # the way back, from the same page
    client.get("/language/en?next=/")
    assert "Public log of requests" in client.get("/log").get_data(as_text=True)


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"])
def test_the_switch_never_redirects_off_the_site(client, ctx, target):
    r = client.get("/language/es", query_string={"next": target})
    assert r.status_code == 302 and r.headers["Location"] == "/"


def test_an_unknown_language_changes_nothing(client, ctx):
    r = client.get("/language/xx?next=/")
    assert r.status_code == 302 and "Set-Cookie" not in r.headers


def test_the_filing_form_and_its_errors_in_spanish(client, ctx):
    f.department("parks")
    client.get("/language/es")
    form = client.get("/requests/new").get_data(as_text=True)
    assert "Departamentos que conservan los documentos" in form
    assert "Consulta en persona" in form and "Presentar la solicitud" in form


def test_the_files_page_is_cached_per_language(client, ctx):
    from portal.disclosures import services
    from tests.disclosures import samples
    _, staff, requester, req = f.scenario()
    rec = f.upload(staff, req, samples.text(), filename="memo.txt")
    services.create_release(staff, req.id, [rec.id])
    f.commit()
    f.login(client, requester.email)
    assert "not downloaded yet" in client.get("/me/files").get_data(as_text=True)
    client.get("/language/es")
    spanish = client.get("/me/files").get_data(as_text=True)
    assert "aún no descargado" in spanish and "not downloaded yet" not in spanish


def test_every_string_of_the_pages_has_a_spanish_translation():
    catalog = read_po(PO.open("rb"), locale="es")
    extracted = {
        msg[2] if isinstance(msg[2], str) else msg[2][0]
        for msg in extract_from_dir(
            str(ROOT / "portal"),
            method_map=[("**/templates/**.html", "jinja2"), ("**.py", "python")],
            keywords={"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None})}
    translated = {m.id if isinstance(m.id, str) else m.id[0]: m.string for m in catalog if m.id}
    missing = sorted(extracted - {k for k, v in translated.items() if v and (isinstance(v, str) or all(v))})
    assert not missing, f"run `make translations` and translate: {missing[:10]}"
    assert not [m.id for m in catalog if m.id and m.fuzzy], "fuzzy entries are not shown to users"


def test_the_compiled_catalog_matches_its_source():
    def entries(catalog):
        return {(m.id if isinstance(m.id, str) else tuple(m.id)): (m.string if isinstance(m.string, str)
                                                                  else tuple(m.string)) for m in catalog if m.id}
    source, compiled = entries(read_po(PO.open("rb"), locale="es")), entries(read_mo(MO.open("rb")))
    assert compiled == source, "portal/translations is stale: run `make translations`"


def test_error_messages_are_in_spanish_too(client, ctx):
    client.set_cookie("lang", "es")
    page = client.get("/no/such/page").get_data(as_text=True)
    assert "Aquí no hay nada, o usted no puede verlo." in page
    expired = client.post("/login", data={"email": "x@example.org", "password": "x"})
    assert expired.status_code == 400 and "El formulario caducó" in expired.get_data(as_text=True)
