/* Keeps the day's page and its files on the phone, so a reload without signal still opens it.
 * Nothing depends on this worker: the outbox lives in the page (IndexedDB), and phones or
 * webviews without service workers simply keep the page open. API calls are never touched. */
"use strict";
var CACHE = "zoufang-shell-v1";

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (e) { e.waitUntil(self.clients.claim()); });

self.addEventListener("fetch", function (e) {
  var url = new URL(e.request.url);
  if (e.request.method !== "GET" || url.origin !== location.origin) return;
  if (url.pathname === "/m/" || url.pathname.indexOf("/m/static/") === 0 ||
      url.pathname.indexOf("/vendor/") === 0) {
    // Network first (the route may have changed), the kept copy when there is no network.
    e.respondWith(fetch(e.request).then(function (response) {
      if (response.ok) {
        var copy = response.clone();
        caches.open(CACHE).then(function (c) { c.put(e.request, copy); });
      }
      return response;
    }).catch(function () {
      return caches.open(CACHE).then(function (c) {
        return c.match(e.request).then(function (hit) {
          return hit || c.match(e.request, { ignoreSearch: true });
        }).then(function (hit) {
          return hit || new Response("离线：这一页尚未保存在本机。",
            { status: 503, headers: { "Content-Type": "text/plain; charset=utf-8" } });
        });
      });
    }));
  }
});
