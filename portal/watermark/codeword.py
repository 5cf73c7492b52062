"""Per-grant codewords: 48 keyed bits plus a CRC-16, 64 bits in all.

Noisy channels (images) embed the word as 128 Manchester chips, so the
embedded sequence is balanced (64 ones, 64 zeros) and an unmarked file reads
as noise rather than as an all-zero word. Exact channels (PDF text, metadata,
tabular patterns) carry the 64 bits and are checked by the CRC.
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from math import comb

import numpy as np

ID_BITS = 48
CRC_BITS = 16
BITS = ID_BITS + CRC_BITS
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def crc16(value: int, nbits: int = ID_BITS) -> int:
    """CRC-16/CCITT over the id bits, most significant first."""
    crc = 0xFFFF
    for i in range(nbits - 1, -1, -1):
        bit = (value >> i) & 1
        top = (crc >> 15) & 1
        crc = (crc << 1) & 0xFFFF
        if top ^ bit:
            crc ^= 0x1021
    return crc


@dataclass(frozen=True, order=True)
class Codeword:
    value: int

    @classmethod
    def from_id(cls, ident: int) -> "Codeword":
        ident &= (1 << ID_BITS) - 1
        return cls((ident << CRC_BITS) | crc16(ident))

    @classmethod
    def from_bits(cls, bits) -> "Codeword":
        value = 0
        for b in bits:
            value = (value << 1) | (1 if int(b) else 0)
        return cls(value)

    @classmethod
    def from_text(cls, text: str) -> "Codeword":
        """Parse the printed form; accepts lower case, dashes and Crockford aliases."""
        cleaned = text.strip().upper().replace("-", "").replace(" ", "")
        cleaned = cleaned.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))
        if len(cleaned) != 13 or any(c not in _CROCKFORD for c in cleaned):
            raise ValueError("not a disclosure code")
        value = 0
        for c in cleaned:
            value = value * 32 + _CROCKFORD.index(c)
        if value >> BITS:
            raise ValueError("not a disclosure code")
        return cls(value)

    @property
    def ident(self) -> int:
        return self.value >> CRC_BITS

    @property
    def is_valid(self) -> bool:
        return crc16(self.ident) == (self.value & 0xFFFF)

    @property
    def bits(self) -> np.ndarray:
        """The 64 bits, most significant first, as a uint8 array."""
        return np.array([(self.value >> i) & 1 for i in range(BITS - 1, -1, -1)], dtype=np.uint8)

    @property
    def chips(self) -> np.ndarray:
        """128 balanced chips: bit 1 -> (1, 0), bit 0 -> (0, 1)."""
        b = self.bits
        return np.stack([b, 1 - b], axis=1).reshape(-1)

    @property
    def text(self) -> str:
        """13 Crockford base-32 characters in groups, e.g. 0A3F-K9QZ-7MXB-C."""
        v = self.value
        chars = []
        for _ in range(13):
            chars.append(_CROCKFORD[v % 32])
            v //= 32
        s = "".join(reversed(chars))
        return f"{s[0:4]}-{s[4:8]}-{s[8:12]}-{s[12:]}"

    def __str__(self) -> str:
        return self.text

    def distance(self, other: "Codeword") -> int:
        return bin(self.value ^ other.value).count("1")


def derive(key: bytes, grant_ref: str) -> Codeword:
    """The codeword of one grant: HMAC-SHA256(key, grant_ref), first 48 bits."""
    digest = hmac.new(key, b"grant:" + grant_ref.encode(), hashlib.sha256).digest()
    return Codeword.from_id(int.from_bytes(digest[:6], "big"))


def chips_to_bits(soft: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Decide 64 bits from 128 soft chip values (positive means 1).

    Returns the bits and a per-bit confidence (difference of the pair).
    """
    pairs = np.asarray(soft, dtype=np.float64).reshape(BITS, 2)
    diff = pairs[:, 0] - pairs[:, 1]
    return (diff > 0).astype(np.uint8), np.abs(diff)


def false_match_probability(bit_errors: int, candidates: int = 1, nbits: int = BITS) -> float:
    """Chance that a random 64-bit word lies within bit_errors of any candidate."""
    tail = sum(comb(nbits, i) for i in range(bit_errors + 1)) / float(2 ** nbits)
    return min(1.0, tail * max(1, candidates))


def nearest(bits: np.ndarray, candidates, max_errors: int) -> tuple[Codeword, int] | None:
    """The single candidate within max_errors of bits; None if none, or if two tie."""
    word = Codeword.from_bits(bits)
    scored = sorted((word.distance(c), c) for c in candidates)
    if not scored or scored[0][0] > max_errors:
        return None
    if len(scored) > 1 and scored[1][0] == scored[0][0]:
        return None
    return scored[0][1], scored[0][0]
