/* The outbox: outcomes recorded on this phone and not yet accepted by the server.
 *
 * Kept in IndexedDB (localStorage where a webview has no IndexedDB), so they survive a reload,
 * a closed tab or a dead battery. Each row carries an attempt id made here: sending it again is
 * a no-op on the server, so the outbox may always resend everything it holds.
 */
(function () {
  "use strict";
  var DB = "zoufang", STORE = "outbox", FALLBACK = "zf-outbox";
  var opened = null;

  function idb() {
    if (!window.indexedDB) return Promise.resolve(null);
    if (!opened) {
      opened = new Promise(function (resolve) {
        var request;
        try { request = indexedDB.open(DB, 1); } catch (e) { resolve(null); return; }
        request.onupgradeneeded = function () {
          request.result.createObjectStore(STORE, { keyPath: "attempt_id" });
        };
        request.onsuccess = function () { resolve(request.result); };
        request.onerror = function () { resolve(null); };
        request.onblocked = function () { resolve(null); };
      });
    }
    return opened;
  }

  function local() {
    try { return JSON.parse(localStorage.getItem(FALLBACK) || "[]"); } catch (e) { return []; }
  }

  function saveLocal(rows) { localStorage.setItem(FALLBACK, JSON.stringify(rows)); }

  function tx(db, mode, work) {
    return new Promise(function (resolve, reject) {
      var t = db.transaction(STORE, mode), result;
      t.oncomplete = function () { resolve(result); };
      t.onerror = function () { reject(t.error); };
      t.onabort = function () { reject(t.error); };
      result = work(t.objectStore(STORE));
    });
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = new Uint8Array(16);
    if (window.crypto && crypto.getRandomValues) crypto.getRandomValues(b);
    else for (var i = 0; i < 16; i++) b[i] = Math.floor(Math.random() * 256);
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); });
    return h.slice(0, 4).join("") + "-" + h.slice(4, 6).join("") + "-" + h.slice(6, 8).join("") +
      "-" + h.slice(8, 10).join("") + "-" + h.slice(10).join("");
  }

  var Outbox = {
    uuid: uuid,
    add: function (row) {
      return idb().then(function (db) {
        if (!db) { var rows = local(); rows.push(row); saveLocal(rows); return; }
        return tx(db, "readwrite", function (s) { s.put(row); });
      });
    },
    all: function () {
      return idb().then(function (db) {
        if (!db) return local();
        return new Promise(function (resolve, reject) {
          var out = [], t = db.transaction(STORE, "readonly");
          t.objectStore(STORE).openCursor().onsuccess = function (e) {
            var c = e.target.result;
            if (c) { out.push(c.value); c.continue(); }
          };
          t.oncomplete = function () {
            out.sort(function (a, b) { return a.saved_at < b.saved_at ? -1 : 1; });
            resolve(out);
          };
          t.onerror = function () { reject(t.error); };
        });
      });
    },
    remove: function (ids) {
      var drop = {};
      ids.forEach(function (id) { drop[id] = true; });
      return idb().then(function (db) {
        if (!db) { saveLocal(local().filter(function (r) { return !drop[r.attempt_id]; })); return; }
        return tx(db, "readwrite", function (s) { ids.forEach(function (id) { s.delete(id); }); });
      });
    },
    count: function () { return Outbox.all().then(function (rows) { return rows.length; }); }
  };
  window.ZFOutbox = Outbox;
})();
