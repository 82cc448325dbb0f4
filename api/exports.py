"""CSV downloads of report tables: Dutch headers and labels, pseudonyms, one safe writer.

Every table a user downloads as CSV (API `?format=csv`, the web pages' exports) goes through
`csv_download`, which writes with domain.csv_export (formula neutralising, a BOM, semicolons).
Dates read dd-mm-jjjj, moments in Europe/Amsterdam time and numbers with a decimal comma,
as on the pages (domain.nl_format). Internal ids leave the export: the pseudonymous child
id (`kind`) stands in for the referral id, units go by name; codes become the Dutch labels
the pages show.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from fastapi.responses import Response

from api.web.render import BRIDGING_LABEL, NORM_BADGE, SECURITY_HEADERS, STATUS_LABEL
from domain import nl_format
from domain.care import CareForm
from domain.csv_export import MEDIA_TYPE, csv_text
from domain.places import Municipality
from domain.profile_vocabulary import Capability
from domain.vocabulary import ReasonCode
from placements import reports

Label = Callable[[reports.Cell], reports.Cell]

# Columns left out of every export: internal ids, and codes whose label is a column of its own.
DROPPED = frozenset({"referral_id", "omschrijving"})

HEADERS: dict[str, str] = {
    "kind": "kind (pseudoniem)",
    "urgentie": "urgentie",
    "status": "status",
    "wacht_sinds": "wacht sinds",
    "dagen_wachtend": "dagen wachtend",
    "first_best": "first-best zorgvorm",
    "overbrugging": "overbrugging",
    "start_uiterlijk": "start uiterlijk",
    "norm_14_dagen": "norm 14 dagen",
    "perspectiefplan_uiterlijk": "perspectiefplan uiterlijk",
    "vastgelegd_op": "vastgelegd op",
    "geplaatst_op": "geplaatst op",
    "geadviseerde_zorgvorm": "geadviseerde zorgvorm",
    "geplaatste_zorgvorm": "geplaatste zorgvorm",
    "afwijking_zorgvorm": "afwijking zorgvorm",
    "beste_voorstel": "beste voorstel",
    "gekozen_eenheid": "gekozen eenheid",
    "afwijking_plek": "afwijking plek",
    "reden": "reden",
    "toelichting": "toelichting",
    "regelset": "regelset",
    "wegingsversie": "wegingsversie",
    "maand": "maand",
    "kwartaal": "kwartaal",
    "plaatsingen": "plaatsingen",
    "percentage_zorgvorm": "aandeel afwijking zorgvorm",
    "aantal": "aantal",
    "aandeel": "aandeel",
    "percentage": "aandeel",
    "zorgvorm": "zorgvorm",
    "mediaan_dagen": "mediaan (dagen)",
    "p90_dagen": "90e percentiel (dagen)",
    "beschikkingen": "beschikkingen",
    "gehaald": "gehaald",
    "te_laat": "te laat",
    "nog_lopend": "nog lopend",
    "percentage_gehaald": "aandeel gehaald",
    "buiten_regio": "buiten de regio",
    "wachtend_first_best": "wachtend (first-best)",
    "vrij_nu": "nu vrij",
    "plaatsen": "plaatsen",
    "tekort": "tekort",
    "gemeente": "gemeente",
    "geplaatst_in": "geplaatst in (gemeente, regio)",
    "leeftijd": "leeftijd",
}


def _enum_label(kind: type[CareForm] | type[Municipality] | type[Capability]) -> Label:
    def label(value: reports.Cell) -> reports.Cell:
        try:
            return kind(str(value)).label if value is not None else None
        except ValueError:
            return value

    return label


def _place_label(value: reports.Cell) -> reports.Cell:
    """A municipality code as 'name (region)'; anything else unchanged."""
    try:
        return Municipality(str(value)).place_label if value is not None else None
    except ValueError:
        return value


def _mapped(mapping: Mapping[str, str]) -> Label:
    return lambda value: mapping.get(str(value), value) if value is not None else None


def _day(value: reports.Cell) -> reports.Cell:
    return None if value is None else nl_format.day(str(value))


def _moment(value: reports.Cell) -> reports.Cell:
    return None if value is None else nl_format.moment(str(value))


_care = _enum_label(CareForm)
# Dates as dd-mm-jjjj, moments (stored in UTC) in the region's time: as on the pages.
DAYS = ("wacht_sinds", "start_uiterlijk", "perspectiefplan_uiterlijk", "geplaatst_op")
MOMENTS = ("vastgelegd_op", "beoordeeld_op")
LABELS: dict[str, Label] = {
    **dict.fromkeys(DAYS, _day),
    **dict.fromkeys(MOMENTS, _moment),
    "status": _mapped(STATUS_LABEL),
    "first_best": _care,
    "zorgvorm": _care,
    "geadviseerde_zorgvorm": _care,
    "geplaatste_zorgvorm": _care,
    "overbrugging": _mapped(BRIDGING_LABEL),
    "norm_14_dagen": _mapped({code: text for code, (_, text) in NORM_BADGE.items()}),
    "reden": _mapped({code.value: code.label for code in ReasonCode}),
    "gemeente": _enum_label(Municipality),
    "deskundigheid": _enum_label(Capability),
    "geplaatst_in": _place_label,
}


def header(column: str) -> str:
    """The Dutch header of a column (a care form column by its label)."""
    if column in HEADERS:
        return HEADERS[column]
    try:
        return CareForm(column).label
    except ValueError:
        return column.replace("_", " ")


def csv_rows(
    table: reports.Table, labels: Mapping[str, Label] | None = None
) -> tuple[list[str], list[list[reports.Cell]]]:
    """The export's headers and rows: dropped columns gone, codes and ids as labels."""
    use = LABELS | dict(labels or {})
    keep = [n for n, column in enumerate(table.columns) if column not in DROPPED]
    headers = [header(table.columns[n]) for n in keep]
    rows = []
    for row in table.rows:
        out: list[reports.Cell] = []
        for n in keep:
            label = use.get(table.columns[n])
            value = label(row[n]) if label is not None else row[n]
            # A decimal comma, as Dutch Excel reads a number in a semicolon-separated file.
            out.append(nl_format.csv_number(value) if isinstance(value, float) else value)
        rows.append(out)
    return headers, rows


def csv_download(table: reports.Table, labels: Mapping[str, Label] | None = None) -> Response:
    """A table as a CSV download (see the module doc)."""
    headers, rows = csv_rows(table, labels)
    extra = {"Content-Disposition": f'attachment; filename="{table.name}.csv"'}
    return Response(
        csv_text(headers, rows), media_type=MEDIA_TYPE, headers=SECURITY_HEADERS | extra
    )
