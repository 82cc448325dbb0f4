// Live availability board: replaces the table when the server sends a new one (SSE).
(function () {
  "use strict";
  var status = document.getElementById("bord-status");
  var target = document.getElementById("bord");
  if (!status || !target || !window.EventSource) {
    if (status) { status.textContent = "Live bijwerken is niet beschikbaar: herlaad de pagina."; }
    return;
  }
  var source = new EventSource(status.getAttribute("data-stream"));
  source.addEventListener("bord", function (event) {
    target.innerHTML = event.data;
    status.textContent = "Live bijgewerkt om " + new Date().toLocaleTimeString("nl-NL", {timeZone: "Europe/Amsterdam"});
    status.setAttribute("data-bijgewerkt", String(Date.now()));
  });
  source.addEventListener("error", function () {
    status.textContent = "Verbinding verbroken; opnieuw verbinden…";
  });
  window.addEventListener("pagehide", function () { source.close(); });
}());
