"""Enums whose members carry their Dutch label, written next to the value."""

from __future__ import annotations

from enum import StrEnum
from typing import Self


class LabelledEnum(StrEnum):
    """A StrEnum whose members are written `NAME = "value", "Dutch label"`.

    The value is what is stored and sent; `label` is what pages, texts and reports show.
    """

    _value_: str
    label: str

    def __new__(cls, value: str, label: str = "") -> Self:
        # Only the member definitions come here: `Kind("value")` is Enum's own lookup (the
        # default keeps that call well-typed). Every member names its label.
        if not label:
            raise TypeError(f"{cls.__name__} member {value!r} has no label")
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member
