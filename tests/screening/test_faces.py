"""Counting faces in photos (OpenCV's Haar cascade) and the contact sheet a hold shows."""
import io

import pytest
from PIL import Image

from portal.screening import faces
from tests.screening import pictures


@pytest.fixture(scope="module")
def portraits():
    return pictures.face_photos(30)


def test_every_one_of_30_face_photos_shows_a_face(portraits):
    counts = [faces.count_faces(photo) for photo in portraits]
    assert all(c >= 1 for c in counts), counts


@pytest.mark.parametrize("picture", [
    pictures.blank_image(),
    pictures.blank_image((30, 90, 160), (4000, 3000)),
    pictures.text_image(pictures.filler(20, 1)),
    pictures.name_plate("Quintessa Marlowe-Vance"),
], ids=["gray", "large-blue", "text", "name-plate"])
def test_pictures_without_faces_count_none(picture):
    assert faces.count_faces(picture) == 0


def test_a_sideways_photo_is_turned_upright_by_its_exif_before_detection(portraits):
    photo = Image.open(io.BytesIO(portraits[0])).rotate(90, expand=True)    # lying on its side
    sideways, tagged = io.BytesIO(), io.BytesIO()
    photo.save(sideways, "JPEG")
    exif = Image.Exif()
    exif[0x0112] = 6        # "turn 90 degrees clockwise to view", as a camera held sideways says
    photo.save(tagged, "JPEG", exif=exif.tobytes())
    assert faces.count_faces(sideways.getvalue()) == 0
    assert faces.count_faces(tagged.getvalue()) >= 1


def test_something_that_is_not_a_picture_fails_clearly():
    with pytest.raises(faces.FaceScanFailed, match="cannot be opened"):
        faces.count_faces(b"%PDF-1.4 not a photo")


def test_the_contact_sheet_shows_each_photo_as_a_thumbnail(portraits):
    sheet = Image.open(io.BytesIO(faces.contact_sheet(portraits[:12] + [b"broken"], thumb=64, columns=5)))
    assert sheet.format == "PNG"
    assert sheet.size == (5 * 68 + 4, 3 * 68 + 4)        # 13 pictures, 5 a row, 4 px apart
    broken = sheet.getpixel((4 + 2 * 68 + 32, 4 + 2 * 68 + 32))
    assert broken == (160, 160, 160)                      # the 13th cannot be opened: gray
    assert sheet.getpixel((4 + 32, 4 + 32)) != (255, 255, 255)


def test_the_contact_sheet_is_bounded():
    many = [pictures.blank_image(size=(40, 40))] * (faces.SHEET_MAX + 50)
    sheet = Image.open(io.BytesIO(faces.contact_sheet(many, thumb=32)))
    rows = -(-faces.SHEET_MAX // faces.SHEET_COLUMNS)
    assert sheet.height == rows * 36 + 4


def test_the_face_threshold_is_20_unless_configured(tmp_path):
    import config
    assert config.load(str(tmp_path), environ={})["SCREENING_FACES_MAX"] == 20
    assert config.load(str(tmp_path), environ={"PORTAL_SCREENING_FACES_MAX": "5"})["SCREENING_FACES_MAX"] == 5
