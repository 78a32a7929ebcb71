// A batch's live progress: polls the progress URL every second and updates the bar and
// counts without a reload; once done, reloads once to show every row's outcome.
(function () {
  "use strict";
  var box = document.getElementById("batch-progress");
  if (!box || !window.fetch || box.dataset.status === "done") return;
  var words = JSON.parse(document.getElementById("i18n").textContent);
  function set(id, value) { document.getElementById(id).textContent = value; }
  function poll() {
    fetch(box.dataset.url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (resp) { return resp.ok ? resp.json() : null; })
      .then(function (p) {
        if (!p) { setTimeout(poll, 3000); return; }
        var bar = document.getElementById("bar");
        bar.value = p.percent; bar.textContent = p.percent + "%";
        set("p-done", p.done); set("p-failed", p.failed); set("p-total", p.total);
        if (p.status === "done") { set("p-state", words.done); window.location.reload(); return; }
        set("p-state", words.running);
        setTimeout(poll, 1000);
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  poll();
})();
