// paygate admin: small behaviours that htmx attributes do not cover.
// Loaded as an external file: the Content-Security-Policy allows no inline script.
(function () {
  "use strict";

  // Copy buttons: <button data-copy="#id-of-element-or-text">.
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest("[data-copy]");
    if (!btn) return;
    var src = btn.getAttribute("data-copy");
    var el = src.charAt(0) === "#" ? document.querySelector(src) : null;
    var text = el ? (el.value || el.textContent) : src;
    var done = function () {
      var old = btn.textContent;
      btn.textContent = btn.getAttribute("data-copied") || "✓";
      setTimeout(function () { btn.textContent = old; }, 1500);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text.trim()).then(done);
    } else {
      var ta = document.createElement("textarea");
      ta.value = text.trim();
      document.body.appendChild(ta);
      ta.select();
      try { document.execCommand("copy"); done(); } catch (e) {}
      ta.remove();
    }
  });

  // Toasts: close on click; success messages fade after a few seconds.
  document.addEventListener("click", function (ev) {
    var close = ev.target.closest(".toast-close");
    if (close) {
      var t = close.closest(".toast");
      if (t) t.remove();
    }
  });
  function armToasts(root) {
    (root.querySelectorAll ? root.querySelectorAll(".toast.ok") : []).forEach(function (t) {
      if (t.dataset.armed) return;
      t.dataset.armed = "1";
      setTimeout(function () { t.remove(); }, 5000);
    });
  }
  document.addEventListener("htmx:afterSettle", function (ev) { armToasts(document); });
  document.addEventListener("DOMContentLoaded", function () { armToasts(document); });

  // Live regions ([data-live]) refresh themselves every few seconds; not
  // while the owner is typing or choosing inside one (it would be lost), nor
  // for a few seconds after they acted inside one, so they see the result.
  var liveQuietUntil = 0;
  document.addEventListener("htmx:beforeRequest", function (ev) {
    var el = ev.detail && ev.detail.elt;
    if (!el || !el.closest) return;
    var region = el.closest("[data-live]");
    if (!region) return;
    if (el !== region) {
      liveQuietUntil = Date.now() + 10000;
      // A refresh already on its way may predate the action: drop it.
      if (window.htmx) window.htmx.trigger(region, "htmx:abort");
      return;
    }
    var a = document.activeElement;
    if (Date.now() < liveQuietUntil || (a && region.contains(a) && /^(INPUT|SELECT|TEXTAREA)$/.test(a.tagName))) ev.preventDefault();
  });

  // A network failure (server stopped, Wi-Fi gone) gets a message instead of silence.
  document.addEventListener("htmx:sendError", function () {
    var box = document.getElementById("toast");
    if (!box) return;
    var zh = document.documentElement.lang !== "en";
    box.innerHTML = '<div class="toast err" role="alert"><span></span><button type="button" class="toast-close" aria-label="close">×</button></div>';
    box.querySelector("span").textContent = zh
      ? "连接不上 paygate：请检查网络或 paygate 是否还在运行，然后重试。"
      : "Cannot reach paygate: check the network and that paygate is running, then retry.";
  });
})();
