// paygate 收款播报: says each new payment aloud ("支付宝到账 12.50 元") with the
// browser's speech synthesis and shows a notification, as a 收款音箱 does.
// Used by the cashier screen (/admin/cashier) and the dashboard's toggle:
// any element with data-announcer. It polls /admin/arrivals?after=<seq> for
// the payments recorded since the last one it saw. A browser lets a page
// speak only after a tap on it, so turning it on is a button, and after a
// reload the first tap on the page brings the voice back.
(function () {
  "use strict";
  var STORE = "paygate.announce"; // "1" while on, remembered across reloads
  var POLL_MS = 3000;

  function init() {
    var root = document.querySelector("[data-announcer]");
    if (!root) return;
    var button = root.querySelector("[data-announce-toggle]");
    var status = root.querySelector("[data-announce-status]");
    var msg = function (name) { return root.getAttribute("data-msg-" + name) || ""; };
    var lang = document.documentElement.lang || "zh-CN";
    var on = false, after = "", timer = null, voiceReady = false, wakeLock = null;

    function say(text) {
      if (!("speechSynthesis" in window) || !voiceReady) return;
      var u = new SpeechSynthesisUtterance(text);
      u.lang = lang === "en" ? "en-US" : "zh-CN";
      u.rate = 1;
      window.speechSynthesis.speak(u);
    }

    function notify(p) {
      if (!("Notification" in window) || Notification.permission !== "granted") return;
      try { new Notification(p.title, { body: p.body, tag: "paygate-" + p.seq, icon: "/assets/favicon.svg" }); } catch (e) { /* Android wants a service worker: the screen and the voice still work */ }
    }

    function setStatus(text) { if (status) status.textContent = text; }

    function show(p) {
      var last = root.querySelector("[data-announce-last]");
      if (last) {
        last.hidden = false;
        last.querySelector("[data-announce-method]").textContent = p.title;
        last.querySelector("[data-announce-amount]").textContent = "¥" + p.amount;
        last.querySelector("[data-announce-detail]").textContent = p.body + " · " + p.at.slice(11, 16);
      }
      var feed = root.querySelector("[data-announce-feed]");
      if (feed) {
        var empty = feed.querySelector("[data-announce-empty]");
        if (empty) empty.remove();
        var li = document.createElement("li");
        li.className = "announced";
        li.setAttribute("data-seq", String(p.seq));
        var t = document.createElement("span"); t.className = "feed-time"; t.textContent = p.at.slice(11, 16);
        var w = document.createElement("span"); w.className = "feed-what"; w.textContent = p.say;
        var b = document.createElement("span"); b.className = "sub"; b.textContent = p.body;
        w.appendChild(b);
        li.appendChild(t); li.appendChild(w);
        feed.insertBefore(li, feed.firstChild);
        while (feed.children.length > 20) feed.lastChild.remove();
      }
    }

    function poll() {
      if (!on) return;
      var url = "/admin/arrivals" + (after === "" ? "" : "?after=" + encodeURIComponent(after));
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
        .then(function (r) {
          if (r.status === 401) { stop(); setStatus(msg("login")); return null; }
          if (!r.ok) throw new Error("HTTP " + r.status);
          return r.json();
        })
        .then(function (data) {
          if (!data || !on) return;
          (data.payments || []).forEach(function (p) { say(p.say); notify(p); show(p); });
          // A cursor ahead of the database (restored from a backup) starts again from its newest payment.
          after = String(data.last);
          setStatus(voiceReady ? msg("on") : msg("tap"));
        })
        .catch(function () { setStatus(msg("offline")); })
        .then(function () { if (on) timer = setTimeout(poll, POLL_MS); });
    }

    // unlockVoice must run inside a tap: browsers refuse speech otherwise.
    function unlockVoice() {
      if (voiceReady || !("speechSynthesis" in window)) return;
      voiceReady = true;
      say(msg("hello"));
      setStatus(msg("on"));
    }

    function keepAwake() {
      if (!root.hasAttribute("data-cashier") || !("wakeLock" in navigator) || wakeLock) return;
      navigator.wakeLock.request("screen").then(function (l) {
        wakeLock = l;
        l.addEventListener("release", function () { wakeLock = null; });
      }).catch(function () {});
    }

    function start(byTap) {
      on = true;
      try { localStorage.setItem(STORE, "1"); } catch (e) {}
      if (byTap) {
        unlockVoice();
        if ("Notification" in window && Notification.permission === "default") Notification.requestPermission();
        keepAwake();
      } else {
        setStatus(msg("tap"));
      }
      var help = root.querySelector("[data-announce-help]");
      if (help && !("Notification" in window && window.isSecureContext)) help.hidden = false;
      if (button) { button.textContent = button.getAttribute("data-on"); button.setAttribute("aria-pressed", "true"); }
      after = "";
      clearTimeout(timer);
      poll();
    }

    function stop() {
      on = false;
      clearTimeout(timer);
      try { localStorage.removeItem(STORE); } catch (e) {}
      if ("speechSynthesis" in window) window.speechSynthesis.cancel();
      if (wakeLock) { wakeLock.release(); wakeLock = null; }
      if (button) { button.textContent = button.getAttribute("data-off"); button.setAttribute("aria-pressed", "false"); }
      setStatus(msg("off"));
    }

    if (button) {
      button.addEventListener("click", function () { if (on) stop(); else start(true); });
    }
    // After a reload it goes on by itself, silently, until the first tap
    // anywhere (a click, which browsers count as a gesture; not pointerdown,
    // whose status change would move the button under the finger).
    document.addEventListener("click", function (ev) {
      if (on && !(button && button.contains(ev.target))) { unlockVoice(); keepAwake(); }
    }, true);
    document.addEventListener("visibilitychange", function () {
      if (on && document.visibilityState === "visible") { keepAwake(); clearTimeout(timer); poll(); }
    });
    var remembered = false;
    try { remembered = localStorage.getItem(STORE) === "1"; } catch (e) {}
    if (remembered) start(false);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
