"""Pydantic models built from values that are valid by construction, without validation.

`trusted(cls, values, fields_set)` does what `cls.model_construct(**values)` does for the
models it accepts (no aliases, no extra fields kept, no private attributes, no
post-init): it sets `__dict__` to `values` and the fields set, and nothing else, without
model_construct's generic pass over every field. The caller gives every field, in the
model's field order, and the names it would have passed to the validating constructor as
`fields_set` (so the model equals the validated one, fields set included: tested in
tests/simulations/test_trusted.py). Used for the thousands of profiles and referrals a
simulation draws (simulations.children), where validation was most of the cost.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)
_setattr = object.__setattr__
_checked: set[type[BaseModel]] = set()


def check(cls: type[BaseModel]) -> None:
    """Raise if `trusted` would not build what model_construct builds for `cls`."""
    if cls in _checked:
        return
    problems = []
    if cls.__pydantic_root_model__ or cls.model_config.get("extra") == "allow":
        problems.append("root model or extra fields")
    if cls.__pydantic_post_init__ or cls.__private_attributes__:
        problems.append("post-init or private attributes")
    if any(f.alias or f.validation_alias for f in cls.model_fields.values()):
        problems.append("aliases")
    if problems:
        raise TypeError(f"{cls.__name__}: {', '.join(problems)}")
    _checked.add(cls)


def trusted(cls: type[M], values: dict[str, Any], fields_set: frozenset[str]) -> M:
    """An instance of `cls` with exactly these field values (every field, valid)."""
    m = cls.__new__(cls)
    _setattr(m, "__dict__", values)
    _setattr(m, "__pydantic_fields_set__", set(fields_set))
    _setattr(m, "__pydantic_extra__", None)
    _setattr(m, "__pydantic_private__", None)
    return m
