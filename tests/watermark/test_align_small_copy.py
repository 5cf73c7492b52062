"""A 100 x 75 thumbnail of part of an image: the fine search must not reach past the copy's edge."""
import numpy as np
from PIL import Image

from portal.watermark import align


def test_fine_search_of_a_100_by_75_thumbnail_of_a_crop():
    rng = np.random.default_rng(1)
    orig = np.asarray(Image.fromarray(rng.random((30, 40)).astype(np.float32) * 255)
                      .resize((400, 300), Image.BICUBIC), dtype=np.float32)
    thumb = np.asarray(Image.fromarray(orig[75:225, 100:300]).resize((100, 75), Image.BICUBIC),
                       dtype=np.float32)
    # It raised "box offset can't be negative" here (PIL) and the attribution answered 500.
    x0, y0, x1, y1 = align._fine(thumb, orig, (100, 75, 300, 225))
    assert abs(x0 - 100) < 3 and abs(y0 - 75) < 3 and abs(x1 - 300) < 3 and abs(y1 - 225) < 3
    box = align.locate(thumb, orig)
    assert box is None or abs(box[0] - 100) < 6
