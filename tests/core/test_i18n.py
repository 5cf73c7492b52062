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


def _extracted() -> set[str]:
    return {
        msg[2] if isinstance(msg[2], str) else msg[2][0]
        for msg in extract_from_dir(
            str(ROOT / "portal"),
            method_map=[("**/templates/**.html", "jinja2"), ("**.py", "python")],
            keywords={"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None})}


def _translated(catalog) -> set[str]:
    return {m.id if isinstance(m.id, str) else m.id[0] for m in catalog
            if m.id and m.string and (isinstance(m.string, str) or all(m.string))}


def test_every_string_of_the_pages_has_a_spanish_translation():
    missing = sorted(_extracted() - _translated(read_po(PO.open("rb"), locale="es")))
    assert not missing, f"run `make translations` and translate: {missing[:10]}"


def test_every_extracted_string_is_in_the_compiled_catalog():
    """The .mo the app loads, not only the .po: a translation written but not compiled fails here."""
    missing = sorted(_extracted() - _translated(read_mo(MO.open("rb"))))
    assert not missing, f"run `make translations` (it compiles the catalog): {missing[:10]}"


def test_staff_pages_and_the_timeline_in_spanish(client, ctx):
    _, staff, requester, req = f.scenario()
    f.login(client, requester.email)
    client.get("/language/es")
    page = client.get(f"/requests/{req.id}").get_data(as_text=True)
    assert "Archivos de quien solicita" in page and "Adjuntar" in page and "Presentada" in page
    f.post_form(client, "/account", "/logout", {})
    f.login(client, staff.email)
    page = client.get("/staff").get_data(as_text=True)
    assert "Cola de solicitudes" in page and "Registro de auditoría" not in page  # staff: no admin menu


def test_a_withdrawn_download_says_so_in_spanish(client, ctx):
    from portal.clawback import revocation
    from portal.disclosures import services
    from tests.disclosures import samples
    _, staff, requester, req = f.scenario()
    rec = f.upload(staff, req, samples.text(), filename="memo.txt")
    rel = services.create_release(staff, req.id, [rec.id])
    revocation.revoke_grant(staff, rel.grants[0].id, "Enviado por error")
    f.commit()
    f.login(client, requester.email)
    client.get("/language/es")
    r = client.get(f"/me/files/{rel.grants[0].id}/download")
    page = r.get_data(as_text=True)
    assert r.status_code == 410 and "Este archivo se retiró y ya no se puede descargar: Enviado por error" in page
    assert "Ya no está disponible" in page and "No longer available" not in page


def test_a_translated_service_message_outside_a_request_reads_in_the_default_language(ctx):
    """The worker and the CLI call the same services: no request, no Accept-Language, no error."""
    from flask_babel import gettext
    assert gettext("The time to download this file has ended.") == "The time to download this file has ended."
