"""The register of beschikkingen: every allocated product of youth care with a stay, entered by
hand or imported from a CSV file whose columns follow the JW301 allocation message.

CSV columns (a header row first; `;` or `,` between cells; dates as JJJJ-MM-DD):

| column           | JW301                               | required |
|------------------|-------------------------------------|----------|
| kind             | client (the service's pseudonym)    | yes      |
| bsn              | client: Bsn (stored only as digest) | no       |
| geboortedatum    | client: Geboortedatum               | yes      |
| gemeente         | the sending municipality            | yes      |
| toewijzingnummer | ToewijzingNummer (1-8 digits)       | yes      |
| productcategorie | Product: Categorie (JZ020)          | yes      |
| productcode      | Product: Code                       | yes      |
| begindatum       | Ingangsdatum                        | yes      |
| einddatum        | Einddatum                           | no       |
| volume           | Omvang: Volume                      | yes      |
| eenheid          | Omvang: Eenheid (WJ756; 14 etmaal)  | yes      |
| frequentie       | Omvang: Frequentie (WJ757)          | no       |
| toewijzingsdatum | ToewijzingDatum (the beschikking)   | yes      |
| buiten_regio     | verblijf buiten de regio: ja / nee  | no       |

A file is read whole or not at all: the first bad row stops it, and the error names the
line and the column. Services flush, never commit.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime

from pydantic import ValidationError
from sqlmodel import Session, col, select

from capacity import db
from domain.bsn import bsn_digest
from domain.errors import Conflict, DomainError, InvalidInput
from domain.validation import field_errors
from placements.beschikking_schemas import BESCHIKKING_FIELD_LABELS, BeschikkingCreate
from placements.lifecycle_models import Beschikking

MAX_ROWS = 10_000
CSV_LABEL = "CSV-bestand"
# CSV column -> field of BeschikkingCreate.
COLUMNS: dict[str, str] = {
    "kind": "child_ref",
    "bsn": "bsn",
    "geboortedatum": "birth_date",
    "gemeente": "municipality",
    "toewijzingnummer": "allocation_number",
    "productcategorie": "product_category",
    "productcode": "product_code",
    "begindatum": "start_date",
    "einddatum": "end_date",
    "volume": "volume",
    "eenheid": "unit",
    "frequentie": "frequency",
    "toewijzingsdatum": "decided_on",
    "buiten_regio": "placed_outside_region",
}
OPTIONAL = frozenset({"bsn", "einddatum", "frequentie", "buiten_regio"})
COLUMN_OF = {field: column for column, field in COLUMNS.items()}
YES_NO = {"ja": True, "nee": False, "": False}


def _row(
    data: BeschikkingCreate, *, source: str, user_id: str, bsn_key: str, now: datetime
) -> Beschikking:
    values = data.model_dump(exclude={"bsn"})
    values["municipality"] = data.municipality.value
    try:
        digest = bsn_digest(data.bsn, key=bsn_key) if data.bsn else None
    except InvalidInput as exc:
        raise InvalidInput(exc.detail, field="bsn", label=BESCHIKKING_FIELD_LABELS["bsn"]) from None
    return Beschikking(
        **values,
        bsn_digest=digest,
        source=source,
        created_by=user_id,
        created_at=now,
    )


def _taken(session: Session, keys: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which (municipality, allocation number) pairs the register already holds."""
    numbers = sorted({number for _, number in keys})
    if not numbers:
        return set()
    query = select(Beschikking.municipality, Beschikking.allocation_number).where(
        col(Beschikking.allocation_number).in_(numbers)
    )
    return {(m, n) for m, n in session.exec(query).all()} & set(keys)


def create(
    session: Session, *, data: BeschikkingCreate, user_id: str, bsn_key: str, now: datetime
) -> Beschikking:
    """Enter one beschikking by hand (Conflict when its allocation number is known)."""
    key = (data.municipality.value, data.allocation_number)
    if _taken(session, [key]):
        raise Conflict(
            "deze gemeente heeft dit nummer al in het register",
            field="allocation_number",
            label=BESCHIKKING_FIELD_LABELS["allocation_number"],
        )
    row = _row(data, source="hand", user_id=user_id, bsn_key=bsn_key, now=now)
    session.add(row)
    session.flush()
    return row


def _csv_error(detail: str) -> InvalidInput:
    return InvalidInput(detail, field="csv", label=CSV_LABEL)


def _row_error(line: int, column: str, message: str) -> InvalidInput:
    field = COLUMNS.get(column, column)
    label = BESCHIKKING_FIELD_LABELS.get(field, column)
    return InvalidInput(
        message, field=f"regel {line}.{column}", label=f"regel {line}, kolom {column} ({label})"
    )


def _header(reader: Sequence[str]) -> list[str]:
    names = [name.strip().lower() for name in reader]
    for position, name in enumerate(names, start=1):
        if name not in COLUMNS:
            # By its position: the file's own text is never repeated.
            raise _csv_error(f"kolom {position} van de kop is onbekend; zie de kolommen")
    if len(set(names)) != len(names):
        raise _csv_error("een kolom staat twee keer in de kop")
    missing = [c for c in COLUMNS if c not in OPTIONAL and c not in names]
    if missing:
        raise _csv_error(f"kolom '{missing[0]}' ontbreekt")
    return names


def _parse(line: int, names: list[str], cells: list[str]) -> BeschikkingCreate:
    if len(cells) != len(names):
        raise _csv_error(f"regel {line} heeft {len(cells)} cellen; de kop heeft er {len(names)}")
    raw = {name: cell.strip() for name, cell in zip(names, cells, strict=True)}
    outside = raw.pop("buiten_regio", "").lower()
    if outside not in YES_NO:
        raise _row_error(line, "buiten_regio", "kies ja of nee")
    values: dict[str, object] = {COLUMNS[k]: v for k, v in raw.items() if v != ""}
    values["placed_outside_region"] = YES_NO[outside]
    try:
        return BeschikkingCreate.model_validate(values)
    except ValidationError as exc:
        first = field_errors(exc)[0]
        field = first.field.split(".")[0]
        raise _row_error(line, COLUMN_OF.get(field, field), first.message) from None


def import_csv(
    session: Session, *, text: str, user_id: str, bsn_key: str, now: datetime
) -> list[Beschikking]:
    """Read a whole CSV file into the register, or nothing: the first bad row, or a number
    the register or the file already holds, refuses the file naming its line and column."""
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or not lines[0].strip():
        raise _csv_error("het bestand is leeg of heeft geen kop")
    delimiter = ";" if ";" in lines[0] else ","
    reader = csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter)
    names = _header(next(reader))
    parsed: list[tuple[int, BeschikkingCreate]] = []
    for line, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(parsed) >= MAX_ROWS:
            raise _csv_error(f"meer dan {MAX_ROWS} regels; splits het bestand")
        parsed.append((line, _parse(line, names, cells)))
    if not parsed:
        raise _csv_error("het bestand heeft geen regels onder de kop")
    seen: dict[tuple[str, str], int] = {}
    taken = _taken(session, [(d.municipality.value, d.allocation_number) for _, d in parsed])
    rows: list[Beschikking] = []
    for line, data in parsed:
        key = (data.municipality.value, data.allocation_number)
        if key in taken or key in seen:
            where = "het register" if key in taken else f"regel {seen[key]}"
            raise _row_error(
                line, "toewijzingnummer", f"dit nummer van deze gemeente staat al in {where}"
            )
        seen[key] = line
        try:
            rows.append(_row(data, source="import", user_id=user_id, bsn_key=bsn_key, now=now))
        except DomainError as exc:
            raise _row_error(line, COLUMN_OF.get(exc.field or "", "bsn"), exc.detail) from None
    session.add_all(rows)
    session.flush()
    return rows


def listing(session: Session, *, limit: int, offset: int) -> tuple[list[Beschikking], int]:
    """One page of the register, newest beschikking first, and how many there are."""
    order = (col(Beschikking.decided_on).desc(), col(Beschikking.id))
    return db.page(session, select(Beschikking), *order, limit=limit, offset=offset)
