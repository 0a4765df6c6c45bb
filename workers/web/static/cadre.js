/* The cadre's day: record outcomes into the outbox, send it when the network is there.
 *
 * The outbox is replayed when the page opens, when the network comes back ("online"), when the
 * page returns to the foreground ("visibilitychange") and on 立即同步 — never left to Background
 * Sync or a service worker, which Safari and in-app webviews lack.
 */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("zf-route").textContent);
  var route = data.route, setup = data.setup, Outbox = window.ZFOutbox;
  var LABEL = { visited: "已走访", not_home: "未遇", refused: "拒访", moved: "已搬离", invalid: "无此户" };
  var FINAL = { visited: true, refused: true, moved: true, invalid: true };
  var $ = function (id) { return document.getElementById(id); };
  var unsent = 0, syncing = false, announced = false, requestTarget = null;

  try { localStorage.setItem("zf-route-" + route.cadre.id + "-" + route.day, JSON.stringify(route)); } catch (e) { /* full */ }
  var device = localStorage.getItem("zf-device");
  if (!device) { device = Outbox.uuid(); localStorage.setItem("zf-device", device); }

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function now() { var d = new Date(); return pad(d.getHours()) + ":" + pad(d.getMinutes()); }
  function card(target) { return document.querySelector('[data-target="' + target + '"]'); }
  function mark(target, text, cls) {
    var c = card(target);
    if (!c) return;
    c.querySelector("[data-state]").textContent = text;
    if (cls === "done") c.classList.remove("pending", "rejected");
    if (cls) c.classList.add(cls);
  }

  // What this phone has had accepted today: a page kept for a reload without signal is the
  // page as first loaded, so the marks of later outcomes are kept here.
  var DONE = "zf-done-" + route.cadre.id + "-" + route.day;
  function done() { try { return JSON.parse(localStorage.getItem(DONE) || "{}"); } catch (e) { return {}; } }
  function remember(r) {
    var d = done(); d[r.target_id] = { label: r.label, final: !!FINAL[r.status] && r.satisfied === undefined };
    try { localStorage.setItem(DONE, JSON.stringify(d)); } catch (e) { /* full */ }
  }
  var kept = done();
  Object.keys(kept).forEach(function (t) {
    mark(t, kept[t].label + " ✓", "done");
    if (kept[t].final) mark(t, kept[t].label + " ✓", "final");
  });

  // Every stop of the day has an outcome: offer the next day's stops (work ahead, DESIGN §4).
  function offerAhead() {
    var box = $("ahead"), cards = document.querySelectorAll("#stops > li");
    if (!box || !cards.length) return;
    for (var i = 0; i < cards.length; i++) {
      var c = cards[i].classList;
      if (!c.contains("done") && !c.contains("pending") && !c.contains("final")) return;
    }
    box.hidden = false;
  }

  function refresh() {
    return Outbox.all().then(function (rows) {
      unsent = rows.length;
      $("outbox-count").textContent = unsent;
      rows.forEach(function (r) {  // a target not on this page has no card: nothing happens
        mark(r.target_id, r.label + " · 待同步", "pending");
        if (FINAL[r.status] && r.satisfied === undefined) mark(r.target_id, r.label + " · 待同步", "final");
      });
      offerAhead();
      return rows;
    });
  }

  function banner(text, reload) {
    var b = $("banner");
    b.textContent = text + " ";
    if (reload) {
      var a = document.createElement("button");
      a.type = "button"; a.textContent = "刷新路线";
      a.onclick = function () { if (!unsent) location.reload(); else sync().then(function () { location.reload(); }); };
      b.appendChild(a);
    }
    b.hidden = false;
  }

  function showRejected(list) {
    var box = $("rejected");
    var kept = JSON.parse(localStorage.getItem("zf-rejected") || "[]").concat(list).slice(-20);
    localStorage.setItem("zf-rejected", JSON.stringify(kept));
    box.textContent = "";
    kept.forEach(function (r) {
      var p = document.createElement("p");
      p.textContent = "未保存：" + r.target_id + " " + r.label + " —— " + r.reason;
      box.appendChild(p);
    });
    box.hidden = !kept.length;
  }

  function checkVersion() {
    return fetch("/api/me/version?day=" + route.day, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (v) {
        if (!v || announced) return;
        if (v.plan_version !== route.plan_version) {
          announced = true; banner("今天的路线已调整（第 " + v.plan_version + " 版），请刷新。", true);
        } else if (v.current_version !== route.current_version) {
          announced = true; banner("计划已更新为第 " + v.current_version + " 版（今天之后的路线有变化）。", true);
        }
      }).catch(function () { /* offline: try again later */ });
  }

  var again = false;
  function sync() {
    if (syncing) { again = true; return Promise.resolve(); }  // outcomes saved meanwhile
    syncing = true;
    again = false;
    $("sync-state").textContent = "同步中…";
    return Outbox.all().then(function (rows) {
      var batch = rows.slice(0, 200).map(function (r) {
        var o = {}; for (var k in r) if (k !== "label" && k !== "saved_at") o[k] = r[k]; return o;
      });
      // A sync that hangs (a dead connection) is given up after 30 s and retried later.
      var abort = window.AbortController ? new AbortController() : null;
      if (abort) setTimeout(function () { abort.abort(); }, 30000);
      return fetch("/api/me/outcomes", {
        method: "POST", credentials: "same-origin", signal: abort ? abort.signal : undefined,
        headers: { "Content-Type": "application/json", "X-Zoufang-Device": device, "X-Zoufang-Backlog": String(rows.length) },
        body: JSON.stringify(batch)
      }).then(function (response) {
        if (response.status === 401) { banner("登录已失效：请重新打开您的专属链接（未同步的结果仍保存在本机）。"); throw new Error("401"); }
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      }).then(function (results) {
        var done = [], rejected = [], byId = {};
        rows.forEach(function (r) { byId[r.attempt_id] = r; });
        results.forEach(function (x) {
          var r = byId[x.attempt_id];
          if (!r) return;
          done.push(x.attempt_id);
          if (x.result === "rejected") { rejected.push({ target_id: r.target_id, label: r.label, reason: x.reason }); mark(r.target_id, r.label + " · 未保存", "rejected"); }
          else { mark(r.target_id, r.label + " ✓", "done"); remember(r); }
        });
        if (rejected.length) showRejected(rejected);
        return Outbox.remove(done);
      }).then(function () {
        $("sync-state").textContent = "已同步 " + now();
        return checkVersion();
      });
    }).catch(function (e) {
      $("sync-state").textContent = String(e.message) === "401" ? "未同步" : "离线，稍后自动重试";
    }).then(function () { syncing = false; return refresh(); }).then(function () {
      network();
      if (again && unsent) return sync();
    });
  }

  function withPlace(row) {
    if (!$("use-geo").checked || !navigator.geolocation) return Promise.resolve(row);
    return new Promise(function (resolve) {
      navigator.geolocation.getCurrentPosition(function (p) {
        row.lat = p.coords.latitude; row.lon = p.coords.longitude; row.accuracy = p.coords.accuracy; resolve(row);
      }, function () { resolve(row); }, { timeout: 3000, maximumAge: 120000 });
    });
  }

  // The day an outcome happened: today, or the page's day if that is earlier (entered late);
  // a return visit is always today's.
  function dayOf(extra) {
    if (extra && extra.satisfied !== undefined) return route.today;
    return route.today >= 1 ? Math.min(route.day, route.today) : route.day;
  }

  var used = {};
  function record(target, status, extra) {
    var time = now(), key = target + "|" + status;
    // An outcome is (target, day, status, time): a second request of one visit takes the next minute.
    while ((used[key] || []).indexOf(time) >= 0) {
      var m = (parseInt(time.slice(0, 2), 10) * 60 + parseInt(time.slice(3), 10) + 1) % 1440;
      time = pad(Math.floor(m / 60)) + ":" + pad(m % 60);
    }
    (used[key] = used[key] || []).push(time);
    var row = { attempt_id: Outbox.uuid(), target_id: target, day: dayOf(extra), status: status, time: time,
      category: "", request: "", label: LABEL[status], saved_at: Date.now() };
    for (var k in extra || {}) row[k] = extra[k];
    return withPlace(row).then(Outbox.add).then(function () {
      mark(target, row.label + " · 待同步", "pending");
      if (FINAL[status] && row.satisfied === undefined) mark(target, row.label + " · 待同步", "final");
      return refresh();
    }).then(function () { if (navigator.onLine !== false) return sync(); });
  }

  $("stops").addEventListener("click", function (e) {
    var b = e.target.closest("button"), li = e.target.closest("li");
    if (!b || !li) return;
    var target = li.getAttribute("data-target"), status = b.getAttribute("data-status");
    var after = li.querySelector("[data-after]");
    if (status === "visited") { after.hidden = !after.hidden; return; }
    if (b.hasAttribute("data-finish")) { after.hidden = true; record(target, "visited"); return; }
    if (b.hasAttribute("data-request")) { openRequest(target, li); return; }
    if (b.hasAttribute("data-confirm") && !b.classList.contains("armed")) {
      b.classList.add("armed"); b.setAttribute("data-text", b.textContent); b.textContent = "确认" + b.textContent + "？";
      setTimeout(function () { b.classList.remove("armed"); b.textContent = b.getAttribute("data-text"); }, 4000);
      return;
    }
    if (status) { b.classList.remove("armed"); if (b.getAttribute("data-text")) b.textContent = b.getAttribute("data-text"); record(target, status); }
  });

  var returns = $("returns");
  if (returns) returns.addEventListener("click", function (e) {
    var b = e.target.closest("button[data-satisfied]"), li = e.target.closest("li");
    if (!b) return;
    var yes = b.getAttribute("data-satisfied") === "1";
    record(li.getAttribute("data-target"), "visited", { satisfied: yes, label: yes ? "回访满意" : "回访不满意" });
  });

  function choices(box, items, name) {
    Object.keys(items).forEach(function (k) {
      var label = document.createElement("label"), input = document.createElement("input");
      input.type = "radio"; input.name = name; input.value = k;
      label.appendChild(input); label.appendChild(document.createTextNode(items[k]));
      box.appendChild(label);
    });
  }
  choices($("classes"), setup.classes, "class");
  choices($("subjects"), setup.subjects, "subject");

  function openRequest(target, li) {
    requestTarget = target;
    $("request-who").textContent = li.querySelector(".name").firstChild.textContent;
    $("request-text").value = "";
    document.querySelectorAll("#request-form input[type=radio]").forEach(function (r) { r.checked = false; });
    var d = $("request-form");
    if (d.showModal) d.showModal(); else d.setAttribute("open", "");
  }
  function closeRequest() { var d = $("request-form"); if (d.close) d.close(); else d.removeAttribute("open"); }
  $("request-cancel").onclick = closeRequest;
  $("request-save").onclick = function () {
    var c = document.querySelector("#request-form input[name=class]:checked");
    var s = document.querySelector("#request-form input[name=subject]:checked");
    var text = $("request-text").value.trim();
    if (!c || !s || !text) { alert("请选择两个类别并填写诉求内容"); return; }
    var li = card(requestTarget);
    if (li) li.querySelector("[data-after]").hidden = true;
    closeRequest();
    record(requestTarget, "visited", { category: c.value + "-" + s.value, request: text });
  };

  function network() {
    var on = navigator.onLine !== false;
    $("net").textContent = on ? "在线" : "离线";
    $("net").className = "net " + (on ? "on" : "off");
  }

  $("sync-now").onclick = function () { sync(); };
  $("use-geo").checked = localStorage.getItem("zf-geo") === "1";
  $("use-geo").onchange = function () { localStorage.setItem("zf-geo", this.checked ? "1" : "0"); };
  window.addEventListener("online", function () { network(); sync(); });
  window.addEventListener("offline", network);
  document.addEventListener("visibilitychange", function () { if (document.visibilityState === "visible") sync(); });
  window.addEventListener("beforeunload", function (e) {
    if (unsent > 0) { e.preventDefault(); e.returnValue = "还有未同步的走访结果"; return e.returnValue; }
  });
  setInterval(function () { if (unsent) sync(); else checkVersion(); }, 60000);
  showRejected([]);
  network();
  refresh().then(sync);

  function load(tag, attrs) {
    return new Promise(function (resolve, reject) {
      var el = document.createElement(tag);
      for (var k in attrs) el.setAttribute(k, attrs[k]);
      el.onload = resolve; el.onerror = reject;
      document.head.appendChild(el);
    });
  }
  // The map is second and loaded on demand: Leaflet and tiles would outweigh the whole list.
  $("show-map").onclick = function () {
    this.disabled = true; this.textContent = "地图加载中…";
    var v = document.querySelector('script[src*="cadre.js"]').src.split("?")[1] || "";
    Promise.all([
      load("link", { rel: "stylesheet", href: setup.leaflet + "leaflet.css" }),
      load("script", { src: setup.leaflet + "leaflet.js" })
    ]).then(function () { return load("script", { src: "/m/static/daymap.js?" + v }); })
      .then(function () { window.ZFMap(route, setup, $("map-box")); })
      .catch(function () { $("show-map").disabled = false; $("show-map").textContent = "地图加载失败，点此重试"; });
  };
  // Keep this page and its files for a reload without signal (served by sw.js). Optional:
  // where there is no Cache API or service worker the open page works on as it is.
  if ("serviceWorker" in navigator) navigator.serviceWorker.register("/m/sw.js").catch(function () {});
  if (window.caches) {
    var files = [location.href];
    document.querySelectorAll('script[src^="/m/"]').forEach(function (el) { files.push(el.src); });
    // After the page is up: on a slow network the list comes first.
    setTimeout(function () {
      caches.open("zoufang-shell-v1").then(function (c) { return c.addAll(files); }).catch(function () {});
    }, 1500);
  }
})();
