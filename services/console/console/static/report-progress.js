// Live progress of a report (progressive enhancement: without JavaScript the page has a
// refresh link). Polls the console's progress endpoint each second; reloads when done.
(function () {
  "use strict";
  var box = document.getElementById("report-progress");
  if (!box || !window.fetch) { return; }
  var bar = document.getElementById("progress");
  var url = box.getAttribute("data-progress-url");
  function poll() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (answer) { return answer.ok ? answer.json() : null; })
      .then(function (state) {
        if (!state) { return; }
        bar.value = state.progress;
        bar.textContent = state.progress + "%";
        if (state.status === "succeeded" || state.status === "failed") {
          window.location.reload();
        } else {
          window.setTimeout(poll, 1000);
        }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 1000);
}());
