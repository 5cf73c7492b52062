"""Uploads: launch actions written inline, and DTDs in Office parts whatever their encoding or name."""
import io
import zipfile

import pikepdf
import pytest

from portal.core.errors import Unprocessable
from portal.records.inspect import Limits, inspect
from portal.records.sniff import OOXML
from tests import factories as f
from tests.watermark import samples as ws

DOCX = OOXML["docx"]
LAUNCH = {"/S": pikepdf.Name.Launch, "/F": pikepdf.String("calc.exe")}
DTD = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">]><r>&a;</r>'


def _pdf(edit) -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(612, 792))
    edit(pdf)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def _inline_open_action(pdf):
    pdf.Root.OpenAction = pikepdf.Dictionary(LAUNCH)  # direct: no object of its own


def _inline_link(pdf):
    pdf.pages[0].Annots = pikepdf.Array([pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[0, 0, 100, 100], A=pikepdf.Dictionary(LAUNCH))])


def _chained(pdf):  # a harmless action whose /Next, inline, launches
    pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("https://example.org"),
                                             Next=pikepdf.Array([pikepdf.Dictionary(LAUNCH)]))


def _docx_with(name: str, data: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(ws.docx(2)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            if info.filename != name:
                z.writestr(info, src.read(info))
        z.writestr(name, data)
    return out.getvalue()


def _refused(data: bytes, content_type: str) -> str:
    with pytest.raises(Unprocessable) as err:
        inspect(io.BytesIO(data), content_type, Limits())
    return err.value.message


@pytest.mark.parametrize("edit", [_inline_open_action, _inline_link, _chained])
def test_inline_launch_actions_are_refused(edit):
    assert "launch action" in _refused(_pdf(edit), "application/pdf")


def test_a_plain_pdf_and_an_inline_uri_action_pass():
    inspect(io.BytesIO(_pdf(lambda pdf: None)), "application/pdf", Limits())
    uri = _pdf(lambda pdf: setattr(pdf.Root, "OpenAction", pikepdf.Dictionary(
        S=pikepdf.Name.URI, URI=pikepdf.String("https://example.org"))))
    inspect(io.BytesIO(uri), "application/pdf", Limits())


@pytest.mark.parametrize("name, data", [
    ("word/document.xml", DTD.replace("1.0\"", "1.0\" encoding=\"UTF-16\"").encode("utf-16")),  # with BOM
    ("word/document.xml", DTD.encode("utf-16-le")),                          # no BOM
    ("word/document.xml", DTD.encode("utf-16-be")),
    ("customXml/item1", DTD.encode()),                                       # not named .xml
    ("word/settings.bin", b"\n\n  " + DTD.encode()),
])
def test_a_dtd_in_any_office_part_is_refused_by_content(name, data):
    assert "declares XML entities" in _refused(_docx_with(name, data), DOCX)


def test_utf32_xml_in_an_office_part_is_refused():
    assert "UTF-32" in _refused(_docx_with("customXml/item1", DTD.encode("utf-32")), DOCX)


def test_an_ordinary_docx_with_an_image_passes():
    from tests.watermark import image_samples
    inspect(io.BytesIO(_docx_with("word/media/image1.png", image_samples.encode(image_samples.photo(), "PNG"))),
            DOCX, Limits())


def test_upload_of_an_inline_launch_pdf_is_a_422(client, ctx):
    _, staff, _, req = f.scenario()
    resp = client.post(f"/api/v1/requests/{req.id}/records", headers=f.token_for(staff),
                       data={"file": (io.BytesIO(_pdf(_inline_link)), "link.pdf")})
    assert resp.status_code == 422
    assert "launch action" in resp.get_json()["error"]["message"]
