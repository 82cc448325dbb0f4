"""What a client sends for the register of beschikkingen and what it gets back.

The fields follow the JW301 allocation message (iJw): the client, and per allocated product
the allocation number (ToewijzingNummer), product category (JZ020) and code, start and end
date, volume with its unit (WJ756) and frequency (WJ757), and the allocation's date.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator

from capacity.schemas import CHILD_REF_PATTERN
from domain.fields import PlausibleDate, WholeNumber
from domain.places import Municipality, MunicipalityNamed

# JZ020 product categories of youth care with a stay (DOMAIN: 43, 44, 46; legacy 35-38).
STAY_CATEGORIES = frozenset({"35", "36", "37", "38", "43", "44", "46"})
# WJ756 units: minuut, uur, etmaal, dagdeel, stuks, euro.
UNITS = frozenset({"01", "04", "14", "16", "82", "83"})
# WJ757 frequencies: per dag, per week, per maand, totaal binnen de geldigheidsduur.
FREQUENCIES = frozenset({"1", "2", "4", "6"})

# Every field by its Dutch label, as forms, CSV errors and API details name it.
BESCHIKKING_FIELD_LABELS: dict[str, str] = {
    "child_ref": "Pseudoniem van het kind",
    "bsn": "BSN (optioneel)",
    "birth_date": "Geboortedatum",
    "municipality": "Gemeente",
    "allocation_number": "Toewijzingnummer",
    "product_category": "Productcategorie",
    "product_code": "Productcode",
    "start_date": "Begindatum",
    "end_date": "Einddatum",
    "volume": "Volume",
    "unit": "Eenheid",
    "frequency": "Frequentie",
    "decided_on": "Toewijzingsdatum (datum beschikking)",
    "placed_outside_region": "Verblijf buiten de regio",
}


class BeschikkingCreate(BaseModel):
    """One beschikking, entered by hand or read from a CSV row."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    child_ref: str = Field(pattern=CHILD_REF_PATTERN, description="pseudoniem van het kind")
    bsn: str | None = Field(default=None, max_length=9, description="optioneel; alleen gehasht")
    birth_date: PlausibleDate
    municipality: Municipality = Field(description="de gemeente die de beschikking afgaf")
    allocation_number: str = Field(pattern=r"^[0-9]{1,8}$", description="JW301 ToewijzingNummer")
    product_category: str = Field(pattern=r"^[0-9]{2}$", description="JZ020, verblijf")
    product_code: str = Field(pattern=r"^[A-Za-z0-9]{1,5}$")
    start_date: PlausibleDate
    end_date: PlausibleDate | None = None
    volume: WholeNumber = Field(ge=1, le=99_999_999)
    unit: str = Field(pattern=r"^[0-9]{2}$", description="WJ756; 14 = etmaal")
    frequency: str | None = Field(default=None, pattern=r"^[0-9]$", description="WJ757")
    decided_on: PlausibleDate = Field(description="datum van de beschikking (toewijzing)")
    placed_outside_region: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> BeschikkingCreate:
        if not self.municipality.in_region:
            raise ValueError("municipality: kies een gemeente van de regio")
        if self.product_category not in STAY_CATEGORIES:
            raise ValueError(
                "product_category: geen jeugdhulp met verblijf (43, 44, 46 of 35 tot en met 38)"
            )
        if self.unit not in UNITS:
            raise ValueError("unit: onbekende eenheid (01, 04, 14, 16, 82 of 83)")
        if self.frequency is not None and self.frequency not in FREQUENCIES:
            raise ValueError("frequency: onbekende frequentie (1, 2, 4 of 6)")
        if self.end_date is not None and self.end_date < self.start_date:
            raise ValueError("end_date: ligt voor de begindatum")
        if self.birth_date > self.decided_on:
            raise ValueError("birth_date: ligt na de datum van de beschikking")
        return self


class BeschikkingPublic(MunicipalityNamed):
    """A beschikking as the servicepunt reads it: pseudonymous, never a BSN or its digest."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    child_ref: str
    birth_date: date
    municipality: str
    allocation_number: str
    product_category: str
    product_code: str
    start_date: date
    end_date: date | None
    volume: int
    unit: str
    frequency: str | None
    decided_on: date
    placed_outside_region: bool
    source: str
    created_at: datetime


class ImportResult(BaseModel):
    """How many beschikkingen a CSV file added (all of its rows, or none)."""

    imported: int
