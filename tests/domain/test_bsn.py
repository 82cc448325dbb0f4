"""The BSN elfproef and the keyed digest."""

from __future__ import annotations

import pytest

from domain.bsn import bsn_digest, is_valid_bsn
from domain.errors import InvalidInput


@pytest.mark.parametrize(
    ("bsn", "valid"),
    [
        ("111222333", True),
        ("123456782", True),
        ("123456789", False),  # fails the elfproef
        ("12345678", False),  # eight digits
        ("1234567820", False),  # ten digits
        ("12345678a", False),
        ("000000000", False),
    ],
)
def test_elfproef(bsn: str, valid: bool) -> None:
    assert is_valid_bsn(bsn) is valid


def test_digest_is_keyed_stable_and_hides_the_number() -> None:
    a = bsn_digest("111222333", key="k1")
    assert a == bsn_digest(" 111222333 ", key="k1")
    assert a != bsn_digest("111222333", key="k2")
    assert "111222333" not in a and len(a) == 64


def test_invalid_bsn_error_names_the_field_but_not_the_number() -> None:
    with pytest.raises(InvalidInput) as info:
        bsn_digest("123456789", key="k")
    assert info.value.field == "bsn"
    assert "123456789" not in str(info.value)
