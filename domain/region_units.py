"""Demo providers and units for a region, from a data file that must say it is synthetic.

A units file (`domain/data/regions/<region>_units.yaml`) lists providers and their units:
name, municipality (CBS code, inside or outside the region), care form and places. It must
carry `synthetic: true`, so invented units can never pass for real ones; the loader refuses
a file without it. Wiring these units into the demo is a later step.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from domain.care import CareForm
from domain.errors import ConfigError, DomainError
from domain.municipalities import Municipality, MunicipalityList, national_list
from domain.yaml_file import read_yaml


@dataclass(frozen=True, slots=True)
class DemoUnit:
    """One synthetic unit of a synthetic provider."""

    provider: str
    name: str
    municipality: Municipality
    care_form: CareForm
    places: int


@dataclass(frozen=True, slots=True)
class DemoUnits:
    """A checked units file: always synthetic."""

    file: str
    region: str
    units: tuple[DemoUnit, ...]


def _unit(
    file: str, national: MunicipalityList, provider: str, raw: object, where: str
) -> DemoUnit:
    if not isinstance(raw, dict):
        raise ConfigError("verwacht een mapping", file=file, field=where)
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ConfigError("naam ontbreekt", file=file, field=f"{where}.name")
    try:
        municipality = national.get(str(raw.get("municipality", "")))
    except DomainError as exc:
        raise ConfigError(exc.detail, file=file, field=f"{where}.municipality") from None
    try:
        care_form = CareForm(str(raw.get("care_form")))
    except ValueError:
        known = ", ".join(f.value for f in CareForm)
        raise ConfigError(
            f"onbekende zorgvorm {raw.get('care_form')!r}; kies uit {known}",
            file=file,
            field=f"{where}.care_form",
        ) from None
    places = raw.get("places")
    if not isinstance(places, int) or isinstance(places, bool) or places < 1:
        raise ConfigError(
            "places moet een heel getal van 1 of meer zijn", file=file, field=f"{where}.places"
        )
    return DemoUnit(provider, name.strip(), municipality, care_form, places)


def load_demo_units(path: Path, national: MunicipalityList | None = None) -> DemoUnits:
    """Read and check a synthetic units file; ConfigError names the file and the field."""
    file = path.name
    national = national or national_list()
    raw = read_yaml(path, file=file)
    if not isinstance(raw, dict):
        raise ConfigError("verwacht een mapping", file=file)
    if raw.get("synthetic") is not True:
        raise ConfigError(
            "een bestand met demo-eenheden moet 'synthetic: true' zeggen",
            file=file,
            field="synthetic",
        )
    region = raw.get("region")
    if not isinstance(region, str) or not region:
        raise ConfigError("regio ontbreekt", file=file, field="region")
    providers = raw.get("providers")
    if not isinstance(providers, list) or not providers:
        raise ConfigError("verwacht een niet-lege lijst", file=file, field="providers")
    units: list[DemoUnit] = []
    for i, provider in enumerate(providers):
        where = f"providers[{i}]"
        if not isinstance(provider, dict) or not isinstance(provider.get("name"), str):
            raise ConfigError("aanbieder zonder naam", file=file, field=where)
        listed = provider.get("units")
        if not isinstance(listed, list) or not listed:
            raise ConfigError("verwacht een niet-lege lijst", file=file, field=f"{where}.units")
        units += [
            _unit(file, national, provider["name"], u, f"{where}.units[{j}]")
            for j, u in enumerate(listed)
        ]
    return DemoUnits(file, region, tuple(units))
