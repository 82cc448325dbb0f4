"""Issue #22 item 5: each role's daily pages in Chromium at 1366 px (a laptop) and 390 px
(a phone): nothing wider than the window, every input labelled, text contrast at least
4.5:1. Screenshots go to
test-artifacts/ (the `shot` fixture)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from api.web.charts import Series, bar_chart, line_chart, style
from domain.care import CareForm
from tests.web.browser_support import sign_in, unlabelled
from tests.web.web_support import Site, referral_payload

# Elements (not inside a scroll box of their own) that stick out of the window.
TOO_WIDE_JS = """
() => { const w = document.documentElement.clientWidth;
  const inScroller = el => { for (let p = el.parentElement; p; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX; if (o === 'auto' || o === 'scroll') return true; }
    return false; };
  return Array.from(document.querySelectorAll('body *'))
    .filter(el => { const r = el.getBoundingClientRect();
      return r.width > 1 && r.right > w + 1 && !inScroller(el); })
    .slice(0, 12).map(el => el.tagName + '.' + el.className + ' ' +
      Math.round(el.getBoundingClientRect().right)); }
"""
# Text whose colour on its (first opaque) background is below WCAG AA: 4.5:1, or 3:1 for
# large text (24 px, or 18.66 px bold).
LOW_CONTRAST_JS = """
() => { const rgb = s => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = c => { const v = c.slice(0, 3).map(x => { x /= 255;
      return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); });
    return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; };
  const background = el => { for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0.9)) return c; }
    return [255, 255, 255]; };
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const own = Array.from(el.childNodes).some(n => n.nodeType === 3 && n.textContent.trim());
    const r = el.getBoundingClientRect();
    if (!own || r.width < 2 || r.height < 2) continue;
    const st = getComputedStyle(el);
    if (st.visibility === 'hidden' || st.display === 'none') continue;
    const a = lum(rgb(st.color)), b = lum(background(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(st.fontSize), bold = parseInt(st.fontWeight) >= 700;
    const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    if (ratio < need) out.push(el.tagName + ' ' + ratio.toFixed(2) + ' ' +
      el.textContent.trim().slice(0, 30)); }
  return out.slice(0, 10); }
"""
PAGES = {
    "servicepunt": ["/servicepunt", "/servicepunt/wachtlijst", "/servicepunt/afwijkingen",
                    "/aanmeldingen/nieuw", "{referral}", "/servicepunt/beschikkingen",
                    "/servicepunt/verzoeken"],
    "verwijzer": ["/verwijzer", "/meldingen"],
    "aanbieder": ["/aanbieder", "/aanbieder/verzoeken", "/meldingen"],
    "planner": ["/planner", "/planner/simulaties"],
    "gedragswetenschapper": ["/gedragswetenschapper"],
    "perspectiefregisseur": ["/regisseur"],
}  # fmt: skip
USERS = {"servicepunt": "sp", "verwijzer": "verwijzer", "aanbieder": "aanbieder",
         "planner": "planner", "gedragswetenschapper": "gw",
         "perspectiefregisseur": "pr"}  # fmt: skip


def _referral(site: Site) -> str:
    answer = httpx.post(
        site.base_url + "/api/v1/referrals",
        json=referral_payload(child_ref="kind-breed-1"),
        headers={"Authorization": f"Bearer {site.tokens['verwijzer']}"},
        timeout=10,
    )
    assert answer.status_code == 201, answer.text
    return f"/servicepunt/aanmeldingen/{answer.json()['id']}"


@pytest.mark.parametrize("width", [1366, 390])
@pytest.mark.parametrize("role", list(PAGES))
def test_no_page_is_wider_than_the_window(
    live: Site, chromium: Any, shot: list[object], role: str, width: int
) -> None:
    referral = _referral(live) if role == "servicepunt" else ""
    page = sign_in(chromium, live, USERS[role])
    page.set_viewport_size({"width": width, "height": 900})
    for path in PAGES[role]:
        page.goto(path.replace("{referral}", referral))
        page.wait_for_load_state()
        assert page.evaluate(TOO_WIDE_JS) == [], (path, width)
        assert unlabelled(page) == [], path
        assert page.evaluate(LOW_CONTRAST_JS) == [], path
    # The check itself sees grey on white (2.3:1).
    page.evaluate(
        "const p = document.createElement('p'); p.id = 'proef'; p.textContent = 'proef';"
        "p.style.color = '#aaaaaa'; document.querySelector('main').append(p);"
    )
    assert any("proef" in found for found in page.evaluate(LOW_CONTRAST_JS))
    page.evaluate("document.getElementById('proef').remove()")
    shot.append(page)


def test_provider_page_opens_one_unit_and_returns_to_it(
    live: Site, chromium: Any, shot: list[object]
) -> None:
    page = sign_in(chromium, live, "aanbieder")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto("/aanbieder")
    closed_height = page.evaluate("document.documentElement.scrollHeight")
    unit = live.units["groep_lely"]
    details = page.locator(f"#eenheid-{unit}")
    details.locator("summary").click()
    assert page.locator("details.eenheid[open]").count() == 1
    details.get_by_label("Wijziging").select_option("places_opened")
    details.get_by_label("Aantal plaatsen").fill("2")
    details.get_by_role("button", name="Wijziging opslaan").click()
    page.wait_for_load_state()
    assert page.locator("details.eenheid[open]").count() == 1
    assert details.get_attribute("open") is not None
    assert "voor groep lely" in page.get_by_role("status").first.inner_text()
    top = page.evaluate(f"document.getElementById('eenheid-{unit}').getBoundingClientRect().top")
    assert 0 <= top < 900  # the page returned to the unit, not to the top
    assert closed_height < 2500, closed_height  # was about 15,000 px with every form open
    shot.append(page)


def test_chart_series_differ_without_colour_and_labels_are_dutch_and_whole() -> None:
    forms = list(CareForm)
    chart = str(line_chart("Bezetting", ["2026-01", "2026-02"],
                           [Series(f.label, [1.5, 2.0]) for f in forms]))  # fmt: skip
    assert len({style(n) for n in range(len(forms))}) == len(forms)  # no two lines alike
    assert "crisisgroep 12+" in chart and "crisisgroep_12plus" not in chart
    assert "1,5, 2" in chart and "1.5" not in chart  # Dutch numbers in the description
    long = "plaatsing afgebroken na conflict met het netwerkgezin"
    bars = str(bar_chart("Redenen", [long], [3.0]))
    # On the axis the label is shortened; hovering (and the table beside it) gives it whole.
    assert f"<title>{long}</title>plaatsing afgebroken …</text>" in bars
