// The employer's new-contract form: live preview of the clause text (debounced), posted
// with the form's CSRF token; nothing is stored. The "预览 PDF" button needs no script.
(function () {
  "use strict";
  var form = document.getElementById("contract-form");
  var target = document.getElementById("preview");
  if (!form || !target || !window.fetch) return;
  var url = form.dataset.preview, timer = null, seq = 0;
  function refresh() {
    var mine = ++seq;
    fetch(url, {method: "POST", body: new FormData(form), credentials: "same-origin",
                headers: {"Accept": "text/html"}})
      .then(function (resp) { return resp.ok ? resp.text() : null; })
      .then(function (html) {
        if (html === null || mine !== seq) return;
        var doc = new DOMParser().parseFromString(html, "text/html");
        target.replaceChildren.apply(target, Array.prototype.slice.call(doc.body.childNodes));
      })
      .catch(function () { /* offline: keep the last preview */ });
  }
  function later() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 600);
  }
  form.addEventListener("input", later);
  form.addEventListener("change", later);
  refresh();
})();
