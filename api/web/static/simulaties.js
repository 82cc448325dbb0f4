// Simulation progress: polls the status of every running job on the page every 2 seconds
// and updates its progress bar; when a job ends, the page reloads to show the outcome.
(function () {
  "use strict";
  var rows = Array.prototype.slice.call(document.querySelectorAll("[data-status-url]"));
  var notice = document.getElementById("simulatie-melding");
  if (!rows.length || !window.fetch) { return; }
  function update(row, data) {
    var bar = row.querySelector("progress");
    var count = row.querySelector("[data-veld=teller]");
    var status = row.querySelector("[data-veld=status]");
    if (bar) { bar.value = data.percent; bar.textContent = data.percent + "%"; }
    if (count) { count.textContent = data.done + " van " + (data.total || "?") + " replicaties"; }
    if (status && status.textContent !== data.label) {
      status.textContent = data.label;
      if (notice) { notice.textContent = "Status bijgewerkt: " + data.label; }
    }
  }
  function poll() {
    var pending = rows.map(function (row) {
      return fetch(row.getAttribute("data-status-url"), {credentials: "same-origin"})
        .then(function (answer) {
          if (!answer.ok) { throw new Error("status " + answer.status); }
          return answer.json();
        })
        .then(function (data) {
          update(row, data);
          return data.status === "klaar" || data.status === "mislukt";
        });
    });
    Promise.all(pending).then(function (ended) {
      if (ended.indexOf(true) >= 0) {
        if (notice) { notice.textContent = "Een simulatie is afgerond; de pagina wordt bijgewerkt."; }
        window.location.reload();
      } else {
        window.setTimeout(poll, 2000);
      }
    }).catch(function () {
      if (notice) { notice.textContent = "Voortgang bijwerken lukt niet: vernieuw de pagina."; }
    });
  }
  window.setTimeout(poll, 2000);
}());
