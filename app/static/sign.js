// The worker's signing page: identity (name + ID + SMS code), read, draw, sign.
(function () {
  "use strict";
  var app = document.getElementById("app");
  if (!app || !document.getElementById("step-identity")) return;
  var token = app.dataset.token, session = null, pdfBlobUrl = null;
  var T = JSON.parse(document.getElementById("i18n").textContent);
  function fmt(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_, k) { return values[k]; });
  }
  var lang = document.documentElement.lang === "en" ? "en" : "zh_CN";
  var api = "/api/v1/sign/" + encodeURIComponent(token);
  function $(id) { return document.getElementById(id); }
  function show(id) {
    ["step-identity", "step-read", "step-sign", "step-done", "step-declined"].forEach(function (s) { $(s).hidden = s !== id; });
  }
  function clearErrors() {
    document.querySelectorAll(".field-error").forEach(function (e) { e.hidden = true; e.textContent = ""; });
    $("message").hidden = true;
  }
  function showError(body) {
    var fields = (body && body.fields) || {}, any = false;
    Object.keys(fields).forEach(function (k) {
      var el = $("err-" + k);
      if (el) { el.textContent = fields[k]; el.hidden = false; any = true; }
    });
    if (!any || body.error !== "validation_failed") {
      $("message").textContent = (body && body.message) || T.network;
      $("message").hidden = false;
    }
  }
  function call(method, url, body, headers) {
    var h = Object.assign({"Content-Type": "application/json", "Accept": "application/json",
                           "Accept-Language": lang === "en" ? "en" : "zh-CN"}, headers || {});
    return fetch(url, {method: method, headers: h, body: body ? JSON.stringify(body) : undefined})
      .then(function (r) { return r.json().then(function (j) { return {ok: r.ok, body: j}; }); });
  }
  function el(tag, text) { var e = document.createElement(tag); e.textContent = text; return e; }
  function renderClauses(box, clauses) {
    box.innerHTML = "";
    clauses.forEach(function (c, i) {
      box.appendChild(el("h3", (i + 1) + ". " + c.heading));
      c.paragraphs.forEach(function (p) { box.appendChild(el("p", p)); });
    });
  }
  // What the server says the worker reads: the document's title, the contract's main terms
  // (its template's own fields), an agreement's clauses as printed, the English reading text.
  function renderReading(doc) {
    $("doc-title").textContent = doc.title;
    $("terms").innerHTML = "";
    doc.facts.forEach(function (row) {
      $("terms").appendChild(el("dt", row.label)); $("terms").appendChild(el("dd", row.value));
    });
    $("terms").hidden = !doc.facts.length;
    renderClauses($("clauses"), doc.clauses);
    $("clauses").hidden = !doc.clauses.length;
    renderClauses($("clauses-en-text"), doc.clauses_en);
    $("clauses-en").hidden = !doc.clauses_en.length;
  }
  $("send-otp").addEventListener("click", function () {
    clearErrors();
    call("POST", api + "/otp", {name: $("name").value, id_number: $("id_number").value}).then(function (r) {
      if (!r.ok) return showError(r.body);
      $("otp-sent").textContent = T.sent_to + r.body.sent_to;
      $("otp-sent").hidden = false;
      $("code").focus();
    });
  });
  $("verify").addEventListener("click", function () {
    clearErrors();
    call("POST", api + "/verify", {code: $("code").value}).then(function (r) {
      if (!r.ok) return showError(r.body);
      session = r.body.session;
      if (app.dataset.signed) {
        $("done-text").textContent = T.own_copy;
        $("download").hidden = false;
        show("step-done");
        listDocuments();
        listPay();
        return;
      }
      return call("GET", api + "/contract", null, {"X-Signing-Session": session}).then(function (c) {
        if (!c.ok) return showError(c.body);
        renderReading(c.body);
        $("s2").className = "on"; show("step-read");
      });
    });
  });
  function openPdf() {
    if (pdfBlobUrl) { window.open(pdfBlobUrl); return; }
    fetch(api + "/pdf", {headers: {"X-Signing-Session": session}}).then(function (r) { return r.blob(); })
      .then(function (b) { pdfBlobUrl = URL.createObjectURL(b); window.open(pdfBlobUrl); });
  }
  $("open-pdf").addEventListener("click", openPdf);
  $("download").addEventListener("click", function () { pdfBlobUrl = null; openPdf(); });
  // The worker's own pay on the employer's construction projects (expected vs received).
  function listPay() {
    call("GET", api + "/pay", null, {"X-Signing-Session": session}).then(function (r) {
      if (!r.ok || !r.body.months.length) return;
      var list = $("pay");
      r.body.months.forEach(function (m) {
        var text = fmt(T.pay_line, {month: m.month, project: m.project, paid: m.paid,
                                    expected: m.expected === null ? T.pay_unknown : m.expected});
        list.appendChild(el("li", text + (m.flags.length ? T.pay_risk : "")));
      });
      list.hidden = false; $("pay-title").hidden = false;
    });
  }
  // After signing: every document of the contract (amendments, renewal, termination,
  // certificate), each opened as a PDF through the verified session.
  function listDocuments() {
    call("GET", api + "/documents", null, {"X-Signing-Session": session}).then(function (r) {
      if (!r.ok || r.body.documents.length < 2) return;
      var list = $("documents");
      list.innerHTML = "";
      r.body.documents.forEach(function (d) {
        var li = document.createElement("li"), b = document.createElement("button");
        b.type = "button"; b.className = "secondary";
        b.textContent = d.title + " " + d.contract_no + (d.filing_number ? " · " + d.filing_number : "");
        b.addEventListener("click", function () {
          fetch(api + "/documents/" + d.position + "/pdf", {headers: {"X-Signing-Session": session}})
            .then(function (p) { return p.blob(); })
            .then(function (blob) { window.open(URL.createObjectURL(blob), "_blank"); });
        });
        li.appendChild(b); list.appendChild(li);
      });
      list.hidden = false; $("documents-title").hidden = false;
    });
  }
  $("to-sign").addEventListener("click", function () { $("s3").className = "on"; show("step-sign"); });
  $("to-decline").addEventListener("click", function () {
    $("to-decline").hidden = true; $("decline-box").hidden = false; $("reason").focus();
  });
  $("decline").addEventListener("click", function () {
    clearErrors();
    var reason = $("reason").value.trim();
    if (!reason) return showError({error: "validation_failed", fields: {reason: T.reason}});
    $("decline").disabled = true;
    call("POST", api + "/decline", {session: session, reason: reason}).then(function (r) {
      $("decline").disabled = false;
      if (!r.ok) return showError(r.body);
      document.querySelector(".steps").hidden = true;
      show("step-declined");
    });
  });

  var pad = $("pad"), ctx = pad.getContext("2d"), drawing = false, inked = false;
  ctx.lineWidth = 6; ctx.lineCap = "round"; ctx.lineJoin = "round"; ctx.strokeStyle = "#111";
  function point(e) {
    var r = pad.getBoundingClientRect(), p = e.touches ? e.touches[0] : e;
    return {x: (p.clientX - r.left) * pad.width / r.width, y: (p.clientY - r.top) * pad.height / r.height};
  }
  function start(e) { e.preventDefault(); drawing = true; var p = point(e); ctx.beginPath(); ctx.moveTo(p.x, p.y); }
  function move(e) {
    if (!drawing) return; e.preventDefault();
    var p = point(e); ctx.lineTo(p.x, p.y); ctx.stroke(); inked = true;
  }
  function end() { drawing = false; }
  pad.addEventListener("mousedown", start); pad.addEventListener("mousemove", move);
  window.addEventListener("mouseup", end);
  pad.addEventListener("touchstart", start, {passive: false});
  pad.addEventListener("touchmove", move, {passive: false});
  pad.addEventListener("touchend", end);
  $("clear").addEventListener("click", function () { ctx.clearRect(0, 0, pad.width, pad.height); inked = false; });
  $("sign").addEventListener("click", function () {
    clearErrors();
    if (!inked) return showError({error: "validation_failed", fields: {signature: T.draw}});
    $("sign").disabled = true;
    call("POST", api, {session: session, signature: pad.toDataURL("image/png"), consent: $("consent").checked})
      .then(function (r) {
        $("sign").disabled = false;
        if (!r.ok) return showError(r.body);
        if (r.body.filing) showFiled(r.body.filing.number);
        else { withNumber($("done-text"), T.filing, r.body.filing_number); awaitFiling(0); }
        $("download").hidden = false;
        show("step-done");
      });
  });
  // A filing number on one line: it moves to the next line as a whole, and where even a
  // line of its own is too narrow (200 % zoom) it breaks only after its hyphens.
  function filingNumber(number) {
    var b = document.createElement("b"), parts = String(number).split("-");
    b.className = "filing filing-no"; b.dataset.number = number;
    parts.forEach(function (part, i) {
      b.appendChild(el("span", part + (i < parts.length - 1 ? "-" : "")));
      if (i < parts.length - 1) b.appendChild(document.createElement("wbr"));
    });
    return b;
  }
  // ``text`` with its %(number)s (or, without one, its end) replaced by the number's element.
  function withNumber(box, text, number) {
    var at = text.indexOf("%(number)s"), before = at < 0 ? text : text.slice(0, at);
    box.textContent = before;
    box.appendChild(filingNumber(number));
    if (at >= 0) box.appendChild(document.createTextNode(text.slice(at + "%(number)s".length)));
  }
  function showFiled(number) {
    withNumber($("done-text"), T.filed, number);
    $("done-text").classList.add("filed");
  }
  // Signed but not yet filed: ask every 2 s (for about two minutes) until the filing exists.
  function awaitFiling(tries) {
    if (tries >= 60) return;
    setTimeout(function () {
      call("GET", api + "/contract", null, {"X-Signing-Session": session}).then(function (r) {
        if (r.ok && r.body.filing) showFiled(r.body.filing.number);
        else if (r.ok || !r.body || r.body.error !== "identity_required") {
          awaitFiling(tries + 1);
        }
      }, function () { awaitFiling(tries + 1); });
    }, 2000);
  }
})();
