"""BSN (burgerservicenummer): the elfproef, and a keyed digest so a BSN is never stored plain."""

from __future__ import annotations

import hashlib
import hmac

from domain.errors import InvalidInput


def is_valid_bsn(bsn: str) -> bool:
    """True for nine digits passing the elfproef (weights 9..2 and -1, sum divisible by 11)."""
    if len(bsn) != 9 or not bsn.isdigit() or bsn == "000000000":
        return False
    digits = [int(c) for c in bsn]
    total = sum(d * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True)) - digits[8]
    return total % 11 == 0


def bsn_digest(bsn: str, *, key: str, field: str = "bsn") -> str:
    """HMAC-SHA256 of a valid BSN; the error never repeats the number."""
    bsn = bsn.strip()
    if not is_valid_bsn(bsn):
        raise InvalidInput("geen geldig BSN (elfproef)", field=field)
    return hmac.new(key.encode(), bsn.encode(), hashlib.sha256).hexdigest()
