// The employer's new-contract form: live preview of the clause text and of what labor law
// says about it (debounced), posted with the form's CSRF token; nothing is stored. A field
// the rules object to is marked in the form too (class "rule-flagged", its finding linked
// by aria-describedby). The "预览 PDF" button needs no script.
(function () {
  "use strict";
  var form = document.getElementById("contract-form");
  var target = document.getElementById("preview");
  if (!form || !target || !window.fetch) return;
  var url = form.dataset.preview, timer = null, seq = 0;
  function mark() {
    Array.prototype.forEach.call(form.querySelectorAll(".rule-flagged"), function (el) {
      var before = el.getAttribute("data-rule-described");
      if (before) el.setAttribute("aria-describedby", before);
      else el.removeAttribute("aria-describedby");
      el.removeAttribute("data-rule-described");
      el.classList.remove("rule-flagged");
    });
    var items = target.querySelectorAll("#preview-rules li[data-field]");
    Array.prototype.forEach.call(items, function (li, i) {
      var name = li.dataset.field;
      var field = name && (document.getElementById("f-" + name) || form.elements.namedItem(name));
      if (!field || !field.classList || field.classList.contains("rule-flagged")) return;
      var before = field.getAttribute("aria-describedby") || "";
      li.id = "preview-rule-" + i;
      field.classList.add("rule-flagged");
      field.setAttribute("data-rule-described", before);
      field.setAttribute("aria-describedby", (before + " " + li.id).trim());
    });
  }
  function refresh() {
    var mine = ++seq;
    fetch(url, {method: "POST", body: new FormData(form), credentials: "same-origin",
                headers: {"Accept": "text/html"}})
      .then(function (resp) { return resp.ok ? resp.text() : null; })
      .then(function (html) {
        if (html === null || mine !== seq) return;
        var doc = new DOMParser().parseFromString(html, "text/html");
        target.replaceChildren.apply(target, Array.prototype.slice.call(doc.body.childNodes));
        mark();
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
