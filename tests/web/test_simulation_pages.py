"""The planner's simulation pages: the form (CSRF, errors beside their fields, nothing saved),
the list with progress, a finished run's key metrics with intervals, and its files."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from playwright.sync_api import expect
from sqlmodel import Session, select

from api.jobs.models import SimulationJob
from api.jobs.runner import JobRunner, RunnerConfig
from simulations.study import KEY_METRICS
from tests.web.browser_support import sign_in, unlabelled
from tests.web.web_support import Site, csrf_of, login

FIELD_ERROR = re.compile(r'<p class="veldfout" id="fout-([^"]+)">.*?</span>(.*?)</p>', re.S)


def _jobs(site: Site) -> list[SimulationJob]:
    with Session(site.app.state.servicepunt.engine) as session:
        return list(session.exec(select(SimulationJob)).all())


def _run_queue(site: Site, *, charts: bool = True) -> None:
    state = site.app.state.servicepunt
    config = RunnerConfig.from_settings(state.settings, charts=charts)
    JobRunner(state.engine, config, clock=site.clock).run_once()


def test_planner_queues_a_comparison_follows_it_and_reads_the_metrics(
    client: TestClient, site: Site
) -> None:
    login(client, site, "planner")
    form = client.get("/planner/simulaties")
    assert form.status_code == 200
    assert '<select id="veld-scenario" name="scenario" required' in form.text
    assert '<option value="snel" >' in form.text and "geen vergelijking" in form.text
    assert 'min="1" max="200"' in form.text and "Nog geen simulaties" in form.text
    queued = client.post(
        "/planner/simulaties",
        data={"csrf": csrf_of(form.text), "scenario": "snel", "compare_with": "snel-greedy",
              "replications": "2"},
        follow_redirects=False,
    )  # fmt: skip
    assert queued.status_code == 303
    detail_url = queued.headers["location"]
    job_id = detail_url.rsplit("/", 1)[1]
    waiting = client.get(detail_url).text
    assert "in de wachtrij" in waiting and "<progress" in waiting
    assert f'data-status-url="/planner/simulaties/{job_id}/status"' in waiting
    listing = client.get("/planner/simulaties").text
    assert f'data-simulatie="{job_id}"' in listing and "<progress" in listing
    assert client.get(f"{detail_url}/status").json() == {
        "status": "wachtend", "label": "in de wachtrij", "done": 0, "total": 0, "percent": 0,
    }  # fmt: skip

    _run_queue(site)
    status = client.get(f"{detail_url}/status").json()
    assert status["status"] == "klaar" and status["percent"] == 100
    page = client.get(detail_url).text
    assert "<progress" not in page and "data-status-url" not in page
    table = page[page.index('<table class="kerncijfers">') : page.index("</table>")]
    assert '<th scope="col">snel-demo</th>' in table and "Verschil (2e − 1e)" in table
    for label in KEY_METRICS.values():
        assert f'<th scope="row">{label}</th>' in table
    first_best = re.search(r"aandeel first-best geplaatst</th>(.*?)</tr>", table, re.S)
    assert first_best is not None
    cells = re.findall(r'<td class="getal">([^<]+) <small>\[([^;]+); ([^\]]+)\]</small></td>',
                       first_best.group(1))  # fmt: skip
    assert len(cells) == 3, "both scenarios and the paired difference, each with its interval"
    assert page.count('<figure class="grafiek-simulatie"><img src=') == 2
    links = set(re.findall(rf'href="(/planner/simulaties/{job_id}/bestanden/[a-z.]+)"', page))
    assert {f"/planner/simulaties/{job_id}/bestanden/{n}" for n in (
        "rapport.html", "totalen.csv", "verschillen.csv")} <= links  # fmt: skip
    for link in links:
        assert client.get(link).status_code == 200, link
    report = client.get(f"/planner/simulaties/{job_id}/bestanden/rapport.html")
    assert report.headers["content-disposition"].startswith("inline")
    assert client.get(f"/planner/simulaties/{job_id}/bestanden/passwd").status_code == 404
    assert client.get("/planner/simulaties/onbekend").status_code == 404


def test_a_bad_form_shows_errors_beside_the_fields_and_saves_nothing(
    client: TestClient, site: Site
) -> None:
    login(client, site, "planner")
    form = client.get("/planner/simulaties")
    answer = client.post(
        "/planner/simulaties",
        data={"csrf": csrf_of(form.text), "scenario": "mijn-eigen", "compare_with": "",
              "replications": "10000"},
    )  # fmt: skip
    assert answer.status_code == 422
    errors = dict(FIELD_ERROR.findall(answer.text))
    assert errors["scenario"].startswith("onbekend scenario; kies een van: snel")
    assert errors["replications"] == "mag hoogstens 200 zijn"
    assert "mijn-eigen" not in answer.text and "Er is niets opgeslagen" in answer.text
    same = client.post(
        "/planner/simulaties",
        data={"csrf": csrf_of(form.text), "scenario": "snel", "compare_with": "snel"},
    )
    assert dict(FIELD_ERROR.findall(same.text)).keys() == {"compare_with"}
    forged = client.post("/planner/simulaties", data={"csrf": "vervalst", "scenario": "snel"})
    assert forged.status_code == 403
    assert _jobs(site) == []


def test_the_servicepunt_reads_the_runs_but_cannot_start_one(
    client: TestClient, site: Site
) -> None:
    login(client, site, "planner")
    form = client.get("/planner/simulaties")
    client.post("/planner/simulaties", data={"csrf": csrf_of(form.text), "scenario": "snel"})
    client.post("/uitloggen", data={"csrf": csrf_of(client.get("/planner").text)})
    login(client, site, "sp")
    page = client.get("/planner/simulaties").text
    assert "Simulaties van de planners" in page and "Nieuwe simulatie" not in page
    assert page.count('data-simulatie="') == 1
    refused = client.post("/planner/simulaties", data={"csrf": csrf_of(page), "scenario": "snel"})
    assert refused.status_code == 403 and len(_jobs(site)) == 1


def test_in_a_browser_the_progress_refreshes_until_the_metrics_show(
    live: Site, chromium: Any, shot: list[Any]
) -> None:
    page = sign_in(chromium, live, "planner")
    shot.append(page)
    page.get_by_role("link", name="Simulaties").first.click()
    assert unlabelled(page) == []
    page.get_by_label("Scenario").select_option("snel")
    page.get_by_label("Vergelijken met (optioneel)").select_option("snel-greedy")
    page.get_by_label("Replicaties (optioneel)").fill("2")
    page.get_by_role("button", name="Simulatie starten").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("snel vergeleken met")
    expect(page.locator("[data-veld=status]")).to_have_text("in de wachtrij")
    assert page.locator("progress").count() == 1
    _run_queue(live, charts=False)  # the page was loaded first: only its script shows the end
    expect(page.locator("table.kerncijfers")).to_be_visible(timeout=15_000)
    expect(page.locator("[data-veld=status]")).to_have_text("klaar")
    assert page.locator("table.kerncijfers tbody tr").count() == len(KEY_METRICS)
    assert page.locator("a[href$='/bestanden/rapport.html']").count() == 1
