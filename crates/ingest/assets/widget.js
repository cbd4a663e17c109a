/* Civic Pulse page feedback widget. No dependencies, no cookies, no third-party requests:
   it talks only to the gateway that served it. A page puts
   <div data-civicpulse-site="SITE_KEY" data-service="SERVICE_ID"></div>
   and <script src="https://GATEWAY/widget.js" defer></script>. */
(function () {
  "use strict";
  var TEXTS = __CIVICPULSE_TEXTS__;
  var script = document.currentScript;
  var endpoint = new URL("/v1/public/feedback", script ? script.src : location.href).href;
  var lang = (document.documentElement.lang || "en").slice(0, 2).toLowerCase() === "fr" ? "fr" : "en";
  var t = TEXTS[lang];
  var count = 0;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text) node.textContent = text;
    return node;
  }

  // A random id per widget shown: sending again (a retry, a double click) is one event.
  function token() {
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function render(host) {
    var id = "civicpulse-" + (++count);
    var shownAt = Date.now();
    var sent = token();
    var answer = null;
    var box = el("section", { "class": "civicpulse", "aria-labelledby": id + "-q", lang: lang });
    var question = el("p", { id: id + "-q", "class": "civicpulse-question" }, t.question);
    var buttons = el("div", { role: "group", "aria-labelledby": id + "-q" });
    var yes = el("button", { type: "button" }, t.yes);
    var no = el("button", { type: "button" }, t.no);
    buttons.appendChild(yes);
    buttons.appendChild(no);
    var status = el("p", { "class": "civicpulse-status", role: "status", "aria-live": "polite", tabindex: "-1" });
    var form = el("form", { hidden: "" });
    // Focusable by script, so "No" takes a screen reader to the reason question first.
    var reasons = el("fieldset", { hidden: "", tabindex: "-1" });
    reasons.appendChild(el("legend", {}, t.reason_label));
    t.reasons.forEach(function (reason) {
      var option = el("label");
      option.appendChild(el("input", { type: "radio", name: id + "-reason", value: reason[0] }));
      option.appendChild(document.createTextNode(" " + reason[1]));
      reasons.appendChild(option);
    });
    // The A-11 items the page asks for: data-items="satisfaction ease" (none by default).
    var wanted = (host.getAttribute("data-items") || "").split(/\s+/).filter(Boolean);
    var items = t.items.filter(function (item) { return wanted.indexOf(item[0]) >= 0; }).map(function (item) {
      var group = el("fieldset", { "data-item": item[0] });
      group.appendChild(el("legend", {}, item[1]));
      t.agree_scale.forEach(function (text, index) {
        var option = el("label");
        option.appendChild(el("input", { type: "radio", name: id + "-" + item[0], value: String(index + 1) }));
        option.appendChild(document.createTextNode(" " + text));
        group.appendChild(option);
      });
      return group;
    });
    var label = el("label", { "for": id + "-comment" }, t.comment_label);
    var hint = el("p", { id: id + "-hint", "class": "civicpulse-hint" }, t.comment_hint);
    var comment = el("textarea", { id: id + "-comment", name: "comment", maxlength: "2000", "aria-describedby": id + "-hint" });
    var trap = el("div", { "aria-hidden": "true", style: "position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden" });
    var website = el("input", { type: "text", name: "website", tabindex: "-1", autocomplete: "off", "aria-label": t.honeypot_label });
    trap.appendChild(website);
    var send = el("button", { type: "submit" }, t.send);
    [reasons].concat(items, [label, hint, comment, trap, send]).forEach(function (n) { form.appendChild(n); });
    [question, buttons, form, status].forEach(function (n) { box.appendChild(n); });
    host.appendChild(box);

    function choose(value, button) {
      answer = value;
      yes.setAttribute("aria-pressed", String(value === "yes"));
      no.setAttribute("aria-pressed", String(value === "no"));
      form.hidden = false;
      // A reason is asked only when the page did not help: focus goes to its question.
      reasons.hidden = value !== "no";
      (reasons.hidden ? comment : reasons).focus();
    }
    yes.addEventListener("click", function () { choose("yes", yes); });
    no.addEventListener("click", function () { choose("no", no); });

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!answer) { status.textContent = t.choose_answer; return; }
      send.disabled = true;
      var body = {
        site: host.getAttribute("data-civicpulse-site"),
        service_id: host.getAttribute("data-service"),
        helpful: answer,
        lang: lang,
        shown_at: shownAt,
        token: sent,
        website: website.value
      };
      if (comment.value.trim()) body.comment = comment.value;
      var reason = reasons.hidden ? null : reasons.querySelector("input:checked");
      if (reason) body.reason = reason.value;
      items.forEach(function (group) {
        var chosen = group.querySelector("input:checked");
        if (chosen) body[group.getAttribute("data-item")] = Number(chosen.value);
      });
      fetch(endpoint, {
        method: "POST",
        credentials: "omit",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body)
      }).then(function (response) {
        if (response.ok) {
          buttons.hidden = true;
          form.hidden = true;
          status.textContent = t.thanks;
          status.focus();
          return;
        }
        // The gateway names what the person can do (its `advice`), never its own cause.
        return response.json().catch(function () { return {}; }).then(function (body) {
          var advice = body && body.error && body.error.advice;
          send.disabled = false;
          status.textContent = t[advice] || t.not_recorded;
          status.focus();
        });
      }).catch(function () {
        send.disabled = false;
        status.textContent = t.not_recorded;
        status.focus();
      });
    });
  }

  function start() {
    var hosts = document.querySelectorAll("[data-civicpulse-site]");
    for (var i = 0; i < hosts.length; i++) render(hosts[i]);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
