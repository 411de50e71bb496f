// paygate checkout: the countdown, the live order status, copy buttons, and
// a busy button on the forms. No framework; about 1.7 kB gzipped.
(function () {
  "use strict";
  var zh = document.documentElement.lang !== "en";
  var status = document.getElementById("status");
  var countdown = document.getElementById("countdown");
  var failures = 0;

  // Countdown to expiry, in the server's time: a phone's clock may be off.
  if (countdown) {
    var expires = +countdown.getAttribute("data-expires");
    var skew = Date.now() - (+countdown.getAttribute("data-now"));
    var tick = function () {
      var left = Math.max(0, Math.round((expires - (Date.now() - skew)) / 1000));
      var s = left % 60;
      countdown.textContent = Math.floor(left / 60) + ":" + (s < 10 ? "0" : "") + s;
      if (left < 60) countdown.className = "low";
      if (left > 0) setTimeout(tick, 1000 - (Date.now() % 1000));
      else setTimeout(poll, 1500); // the page turns into the expired one
    };
    tick();
  }

  // Live status: ask every 3 s (every 10 s in a background tab); anything
  // but "pending" reloads the page, which then shows paid, expired or closed.
  function poll() {
    if (!status || status.getAttribute("data-status") !== "pending") return;
    var xhr = new XMLHttpRequest();
    xhr.open("GET", status.getAttribute("data-poll"), true);
    xhr.timeout = 10000;
    xhr.onload = function () {
      if (xhr.status !== 200) { location.reload(); return; }
      failures = 0;
      var box = document.createElement("div");
      box.innerHTML = xhr.responseText;
      var fresh = box.querySelector("#status");
      if (!fresh || fresh.getAttribute("data-status") !== "pending" ||
          fresh.getAttribute("data-method") !== status.getAttribute("data-method")) { location.reload(); return; }
      status.parentNode.replaceChild(fresh, status);
      status = fresh;
      next();
    };
    xhr.onerror = xhr.ontimeout = function () {
      failures++;
      if (failures >= 2) {
        status.className = "status offline";
        status.textContent = zh ? "网络不稳定，正在重新连接…已付款的话不用重复付款。" : "The connection is weak; reconnecting… If you have paid, do not pay again.";
      }
      next();
    };
    xhr.send();
  }
  function next() { setTimeout(poll, document.hidden ? 10000 : 3000); }
  if (status) {
    next();
    document.addEventListener("visibilitychange", function () { if (!document.hidden) poll(); });
  }

  // Copy buttons: data-copy names the element whose text is copied.
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest ? ev.target.closest("[data-copy]") : null;
    if (!btn) return;
    var el = document.querySelector(btn.getAttribute("data-copy"));
    if (!el) return;
    var text = el.textContent.trim(), done = function () {
      var was = btn.getAttribute("data-was") || btn.textContent;
      btn.setAttribute("data-was", was);
      btn.textContent = btn.getAttribute("data-copied") || (zh ? "已复制" : "Copied");
      setTimeout(function () { btn.textContent = was; }, 2000);
    };
    var fallback = function () {
      var ta = document.createElement("textarea");
      ta.value = text;
      ta.setAttribute("readonly", "");
      ta.style.position = "fixed";
      ta.style.opacity = "0";
      document.body.appendChild(ta);
      ta.select();
      try { document.execCommand("copy"); done(); } catch (e) { /* the text stays selectable */ }
      document.body.removeChild(ta);
    };
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text).then(done, fallback);
    else fallback();
  });

  // The payment-link form: one tap, one order.
  document.addEventListener("submit", function (ev) {
    var btn = ev.target.querySelector("button[type=submit]");
    if (!btn) return;
    if (btn.disabled) { ev.preventDefault(); return; }
    setTimeout(function () {
      btn.disabled = true;
      if (btn.getAttribute("data-busy")) btn.textContent = btn.getAttribute("data-busy");
    }, 0);
  });
  // Coming back with the browser's back button shows the form usable again.
  window.addEventListener("pageshow", function () {
    var b = document.querySelectorAll("button[disabled][data-busy]");
    for (var i = 0; i < b.length; i++) b[i].disabled = false;
  });
})();
