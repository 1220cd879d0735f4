/* tktit Field: the service worker that keeps the app readable without a connection.
 *
 * Served at /field/sw.js with the scope /field (controllers/field.py). The pages are
 * fetched from the network first, and the last good copy of each (never a login page,
 * never an error page) is kept for when the network is gone. When /field is opened,
 * the page asks for its visits to be saved at once (message "precache"), so that a
 * visit never opened before is readable on site too. Only GET requests of this origin
 * are touched: posts (hours, materials, signatures) always go to the server; a
 * signature taken offline waits in the page's outbox (field_app.js), not here. The
 * worker's own page (a page never saved) is in the operator's language: each page
 * gives the worker its translated texts (message "texts"), kept in the cache. */
"use strict";

var CACHE = "tktit-field-v1";
var STATIC = [
    "/tktit_helpdesk_billing/static/src/css/field.css",
    "/tktit_helpdesk_billing/static/src/js/field_app.js",
    "/tktit_helpdesk_billing/static/src/js/field_signature.js",
];

// where the pages' texts are kept (never asked from the network)
var TEXTS = "/field/sw-texts.json";
var ENGLISH = {
    lang: "en-US", dir: "ltr", texts: {
        brand: "tktit Field", title: "Offline", heading: "No connection",
        missing: "This page was not saved on this tablet. Open {my_visits}: the visits " +
            "saved there stay readable without a connection.",
        my_visits: "My visits",
    },
};

function isApp(url) {
    return url.origin === self.location.origin &&
        (url.pathname === "/field" || url.pathname.indexOf("/field/ticket/") === 0 ||
         STATIC.indexOf(url.pathname) !== -1);
}

function keep(cache, request, response) {
    // a redirect (to /web/login when the session ended) or an error is not a copy
    if (response && response.ok && !response.redirected && response.type === "basic") {
        return cache.put(request, response.clone()).then(function () {
            return response;
        });
    }
    return Promise.resolve(response);
}

function escape(text) {
    return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
        .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/* The texts the pages gave (ENGLISH until one did), each text escaped. */
function pageTexts() {
    return caches.open(CACHE).then(function (cache) {
        return cache.match(TEXTS);
    }).then(function (kept) {
        return kept ? kept.json() : ENGLISH;
    }).catch(function () {
        return ENGLISH;
    }).then(function (given) {
        var texts = {};
        Object.keys(ENGLISH.texts).forEach(function (key) {
            var text = given.texts && given.texts[key];
            texts[key] = escape(typeof text === "string" && text ? text : ENGLISH.texts[key]);
        });
        return {lang: escape(given.lang || ENGLISH.lang),
                dir: given.dir === "rtl" ? "rtl" : "ltr", texts: texts};
    });
}

function offlinePage() {
    return pageTexts().then(function (page) {
        var text = page.texts;
        var missing = text.missing.replace("{my_visits}", function () {
            return "<a href='/field'>" + text.my_visits + "</a>";
        });
        var html = "<!DOCTYPE html><html lang='" + page.lang + "' dir='" + page.dir + "'>" +
            "<head><meta charset='utf-8'>" +
            "<meta name='viewport' content='width=device-width, initial-scale=1'>" +
            "<link rel='stylesheet' href='/tktit_helpdesk_billing/static/src/css/field.css'>" +
            "<title>" + text.title + " · " + text.brand + "</title></head>" +
            "<body class='o_field_app'><header class='o_field_bar'>" +
            "<a class='o_field_home' href='/field'>" + text.brand + "</a></header>" +
            "<main class='o_field_main'>" +
            "<section class='o_field_error o_field_offline_missing'>" +
            "<h1>" + text.heading + "</h1><p class='o_field_error_message'>" + missing +
            "</p></section></main></body></html>";
        return new Response(html, {status: 503,
                                   headers: {"Content-Type": "text/html; charset=utf-8"}});
    });
}

self.addEventListener("install", function (event) {
    event.waitUntil(caches.open(CACHE).then(function (cache) {
        return cache.addAll(STATIC);
    }).then(function () {
        return self.skipWaiting();
    }));
});

self.addEventListener("activate", function (event) {
    event.waitUntil(caches.keys().then(function (names) {
        return Promise.all(names.filter(function (name) {
            return name.indexOf("tktit-field-") === 0 && name !== CACHE;
        }).map(function (name) {
            return caches.delete(name);
        }));
    }).then(function () {
        return self.clients.claim();
    }));
});

self.addEventListener("fetch", function (event) {
    var request = event.request;
    if (request.method !== "GET") {
        return;
    }
    var url = new URL(request.url);
    if (!isApp(url)) {
        return;
    }
    event.respondWith(caches.open(CACHE).then(function (cache) {
        return fetch(request).then(function (response) {
            return keep(cache, request, response);
        }).catch(function () {
            return cache.match(request, {ignoreVary: true}).then(function (copy) {
                if (copy) {
                    return copy;
                }
                return request.mode === "navigate" ? offlinePage() : Response.error();
            });
        });
    }));
});

/* {type: "precache", urls: [...]} from /field: fetch and keep each page; answers on
 * the message's port with {type: "precached", saved: n, failed: m}. */
self.addEventListener("message", function (event) {
    var data = event.data || {};
    var port = event.ports && event.ports[0];
    if (data.type === "precache") {
        event.waitUntil(caches.open(CACHE).then(function (cache) {
            return Promise.all((data.urls || []).map(function (path) {
                var url = new URL(path, self.location.origin);
                if (!isApp(url)) {
                    return false;
                }
                var request = new Request(url.href, {credentials: "same-origin"});
                return fetch(request).then(function (response) {
                    return keep(cache, request, response).then(function () {
                        return response.ok && !response.redirected;
                    });
                }).catch(function () {
                    return false;
                });
            }));
        }).then(function (results) {
            var saved = results.filter(Boolean).length;
            if (port) {
                port.postMessage({type: "precached", saved: saved,
                                  failed: results.length - saved});
            }
        }));
    } else if (data.type === "texts") {
        // the page's language: the worker's own page speaks it too
        event.waitUntil(caches.open(CACHE).then(function (cache) {
            return cache.put(TEXTS, new Response(JSON.stringify({
                lang: data.lang, dir: data.dir, texts: data.texts || {},
            }), {headers: {"Content-Type": "application/json"}}));
        }));
    } else if (data.type === "forget") {
        // logging out: what this operator's pages said leaves the tablet
        event.waitUntil(caches.delete(CACHE).then(function () {
            if (port) {
                port.postMessage({type: "forgotten"});
            }
        }));
    }
});
