"""Areas to paint, and the labels they carry."""
from __future__ import annotations

from dataclasses import dataclass


class RedactionError(ValueError):
    """Input the engine cannot act on (a box off the page, an unreadable file)."""


@dataclass(frozen=True)
class Area:
    """A rectangle on one page (0-based), with the citation shown on it."""
    page: int
    x0: float
    y0: float
    x1: float
    y1: float
    label: str = ""
    mode: str = "box"          # box | blur (photos)

    def intersects(self, x0: float, y0: float, x1: float, y1: float) -> bool:
        return x0 < self.x1 and x1 > self.x0 and y0 < self.y1 and y1 > self.y0

    def contains(self, x: float, y: float) -> bool:
        return self.x0 <= x <= self.x1 and self.y0 <= y <= self.y1

    def scaled(self, k: float) -> tuple[int, int, int, int]:
        return (int(self.x0 * k), int(self.y0 * k), int(round(self.x1 * k)), int(round(self.y1 * k)))


def check_inside(area: Area, width: float, height: float, tolerance: float = 0.5) -> None:
    if area.x1 - area.x0 <= 0 or area.y1 - area.y0 <= 0:
        raise RedactionError("A box needs a width and a height.")
    if (area.x0 < -tolerance or area.y0 < -tolerance or area.x1 > width + tolerance
            or area.y1 > height + tolerance):
        raise RedactionError(f"The box lies outside page {area.page + 1} "
                             f"({width:.0f} x {height:.0f}).")


def draw_label(draw, box: tuple[int, int, int, int], text: str, fill=(255, 255, 255)) -> None:
    """The citation, as large as fits inside the box (left out when nothing legible fits)."""
    from PIL import ImageFont
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    size = int(min(h * 0.7, 28))
    while size >= 7:
        font = ImageFont.load_default(size)
        left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
        if right - left <= w - 4:
            draw.text((x0 + (w - (right - left)) / 2 - left, y0 + (h - (bottom - top)) / 2 - top),
                      text, font=font, fill=fill)
            return
        size -= 2
