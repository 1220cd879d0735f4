/* tktit Field: what keeps the app working when the connection drops.
 *
 * - The service worker (/field/sw.js) keeps the last copy of the app's pages; opening
 *   /field saves each listed visit too, so the day's visits are readable on site.
 * - The outbox: a signature is kept on the device (localStorage) *before* it is sent,
 *   with the key made on the device; it is sent when the connection is there (now, on
 *   the "online" event, every 20 s, on every page load) and removed only when the
 *   server said "signed". The server treats the same key as the same signature, so a
 *   signature sent twice (an answer lost on the way) is signed once.
 * - The header says whether the tablet is online; the outbox says what is waiting.
 * - What it says is translated by the server: the page carries its texts, keyed, in
 *   #o_field_i18n (field_layout); t(key, english, values) reads them, "{name}" in a
 *   text is replaced by values.name; the English text is the fallback.
 * No framework, no Odoo web client: ES5 for the tablets' older browsers. */
(function () {
    "use strict";

    var OUTBOX = "tktit_field_outbox";
    var SENT = "tktit_field_sent";
    var RETRY_MS = 20000;

    function $(selector, root) {
        return (root || document).querySelector(selector);
    }

    // ---------------------------------------------------------- the texts
    var texts = null;

    function readTexts() {
        var found = {};
        var root = document.getElementById("o_field_i18n");
        var nodes = root ? root.querySelectorAll("[data-key]") : [];
        for (var i = 0; i < nodes.length; i++) {
            var text = nodes[i].textContent.replace(/\s+/g, " ").trim();
            if (text) {
                found[nodes[i].getAttribute("data-key")] = text;
            }
        }
        return found;
    }

    /* The page's text ``key`` (``english`` when the page has none), its "{name}"
     * placeholders replaced by ``values``. */
    function t(key, english, values) {
        if (!texts) {
            texts = readTexts();
        }
        var text = texts.hasOwnProperty(key) ? texts[key] : english;
        return text.replace(/\{(\w+)\}/g, function (placeholder, name) {
            return values && values.hasOwnProperty(name) ? String(values[name]) : placeholder;
        });
    }

    function el(tag, className, text) {
        var node = document.createElement(tag);
        if (className) {
            node.className = className;
        }
        if (text) {
            node.textContent = text;
        }
        return node;
    }

    function uid() {
        return parseInt(document.body.getAttribute("data-uid") || "0", 10);
    }

    function clock(iso) {
        var d = new Date(iso);
        return ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2);
    }

    // ------------------------------------------------------------- outbox
    function read(store, name) {
        try {
            return JSON.parse(store.getItem(name) || "[]");
        } catch (error) {
            return [];
        }
    }

    function write(store, name, items) {
        store.setItem(name, JSON.stringify(items)); // throws when the device is full
    }

    var outbox = {
        items: function () {
            return read(window.localStorage, OUTBOX);
        },
        forNote: function (noteId) {
            return outbox.items().filter(function (item) {
                return item.noteId === noteId;
            })[0] || null;
        },
        add: function (item) {
            var items = outbox.items().filter(function (other) {
                return other.key !== item.key;
            });
            items.push(item);
            write(window.localStorage, OUTBOX, items);
        },
        update: function (key, changes) {
            var items = outbox.items();
            items.forEach(function (item) {
                if (item.key === key) {
                    Object.keys(changes).forEach(function (name) {
                        item[name] = changes[name];
                    });
                }
            });
            write(window.localStorage, OUTBOX, items);
        },
        remove: function (key) {
            write(window.localStorage, OUTBOX, outbox.items().filter(function (item) {
                return item.key !== key;
            }));
        },
    };

    // what was sent: shown on this page, and on the next one when sending reloads it
    var shown = [];

    function remember(sent) {
        shown.push(sent);
        var items = read(window.sessionStorage, SENT);
        items.push(sent);
        try {
            write(window.sessionStorage, SENT, items.slice(-5));
        } catch (error) {
            // only the "sent" banner is lost
        }
    }

    function takeRemembered() {
        shown = read(window.sessionStorage, SENT);
        window.sessionStorage.removeItem(SENT);
    }

    // -------------------------------------------------------------- sending
    var flushing = null;
    // the last try found no server: the tablet may say "online" (Wi-Fi without a way
    // out) while nothing gets through
    var unreachable = false;

    function offline() {
        return navigator.onLine === false || unreachable;
    }

    function post(item, session) {
        var body = new URLSearchParams();
        body.append("csrf_token", session.csrf_token);
        body.append("signed_by", item.signedBy);
        body.append("signature", item.signature);
        body.append("sign_key", item.key);
        if (item.linesDigest) {
            body.append("lines_digest", item.linesDigest);
        }
        return fetch("/field/note/" + item.noteId + "/sign", {
            method: "POST", body: body, credentials: "same-origin",
            headers: {"Accept": "application/json"},
        }).then(function (response) {
            return response.json().catch(function () {
                return null;
            }).then(function (data) {
                if (response.status === 200 && data && data.status === "signed") {
                    outbox.remove(item.key);
                    remember({note: data.note, noteId: data.note_id, ticketId: data.ticket_id,
                              signedBy: data.signed_by, invoice: data.invoice,
                              invoiceTo: data.invoice_sent_to, pdf: data.pdf_url});
                    return data;
                }
                if (data && data.status === "error" && response.status >= 400 &&
                        response.status < 500) {
                    // refused for good (the note changed, was cancelled...): kept in
                    // sight until the operator removes it, never retried blindly
                    outbox.update(item.key, {state: "refused", message: data.message});
                } else {
                    outbox.update(item.key, {message: t("retry_later",
                        "The server did not accept it yet ({status}): it will be sent again.",
                        {status: response.status})});
                }
                return null;
            });
        });
    }

    /* Send what waits, one after the other; resolves with the notes signed. */
    function flush() {
        if (flushing) {
            return flushing;
        }
        var waiting = outbox.items().filter(function (item) {
            return item.state === "waiting";
        });
        if (!waiting.length || navigator.onLine === false) {
            render();
            return Promise.resolve([]);
        }
        var signed = [];
        flushing = fetch("/field/session", {
            credentials: "same-origin", cache: "no-store",
            headers: {"Accept": "application/json"},
        }).then(function (response) {
            return response.json().then(function (session) {
                if (response.status !== 200) {
                    setNotice(session.message);
                    return null;
                }
                setNotice("");
                return waiting.reduce(function (chain, item) {
                    return chain.then(function () {
                        if (item.uid !== session.uid) {
                            outbox.update(item.key, {message: t("other_operator",
                                "Waiting for the operator who took it to log in.")});
                            return null;
                        }
                        return post(item, session).then(function (data) {
                            if (data) {
                                signed.push(data);
                            }
                        });
                    });
                }, Promise.resolve());
            });
        }).then(function () {
            unreachable = false;
        }, function () {
            unreachable = true; // no connection after all: everything stays waiting
        }).then(function () {
            flushing = null;
            render();
            afterSent(signed);
            return signed;
        });
        return flushing;
    }

    function afterSent(signed) {
        var page = document.body.getAttribute("data-ticket-id");
        var here = signed.filter(function (data) {
            return String(data.ticket_id) === page;
        });
        if (here.length) {
            // this visit's page shows the signed note, its PDF and the invoice (a new
            // hash alone would only scroll: the page is loaded again)
            var target = "/field/ticket/" + page;
            if (window.location.pathname === target) {
                window.location.hash = "signed-notes";
                window.location.reload();
            } else {
                window.location.replace(target + "#signed-notes");
            }
        }
    }

    // ------------------------------------------------------------- showing
    function setNotice(text) {
        var notice = $(".o_field_outbox_notice");
        if (notice) {
            notice.textContent = text || "";
            notice.hidden = !text;
        }
    }

    function renderNetwork() {
        var badge = $(".o_field_net");
        var online = navigator.onLine !== false;
        document.body.classList.toggle("o_field_is_offline", !online);
        if (badge) {
            badge.textContent = online ? t("online", "Online") : t("offline", "Offline");
            badge.className = "o_field_net " + (online ? "o_field_net_on" : "o_field_net_off");
        }
        var saved = document.body.getAttribute("data-saved-at");
        var copy = $(".o_field_offline_copy");
        if (copy) {
            copy.hidden = online;
            if (online) {
                copy.textContent = "";
            } else if (saved) {
                copy.textContent = t("offline_copy_at", "No connection: this is the copy " +
                    "saved on this tablet at {time}. Signatures are kept here and sent " +
                    "when the connection returns.", {time: saved});
            } else {
                copy.textContent = t("offline_copy", "No connection: this is the copy " +
                    "saved on this tablet. Signatures are kept here and sent when the " +
                    "connection returns.");
            }
        }
    }

    function renderOutbox() {
        var box = $(".o_field_outbox");
        if (!box) {
            return;
        }
        var list = $(".o_field_outbox_list", box);
        list.innerHTML = "";
        var items = outbox.items();
        items.forEach(function (item) {
            var li = el("li", "o_field_outbox_item o_field_outbox_" + item.state);
            li.setAttribute("data-note-id", item.noteId);
            var what = {note: item.noteName, ticket: item.ticketNumber, name: item.signedBy,
                        time: clock(item.takenAt)};
            li.appendChild(el("strong", "", item.state === "refused" ?
                t("outbox_refused", "Not accepted: {note} ({ticket}) signed by {name} at " +
                  "{time}", what) :
                t("outbox_waiting", "Waiting to send: {note} ({ticket}) signed by {name} " +
                  "at {time}", what)));
            if (item.message) {
                li.appendChild(el("div", "o_field_outbox_message", item.message));
            }
            if (item.state === "refused") {
                var drop = el("button", "o_field_btn o_field_outbox_drop",
                              t("outbox_drop", "Remove from this tablet"));
                drop.type = "button";
                drop.addEventListener("click", function () {
                    if (window.confirm(t("outbox_drop_confirm",
                                         "Remove the signature of {name} from this tablet?",
                                         {name: item.signedBy}))) {
                        outbox.remove(item.key);
                        render();
                    }
                });
                li.appendChild(drop);
            }
            list.appendChild(li);
        });
        var waiting = items.filter(function (item) {
            return item.state === "waiting";
        }).length;
        var title = $(".o_field_outbox_title", box);
        title.textContent = waiting === 1 ?
            t("outbox_title_one", "1 signature is waiting to be sent") :
            t("outbox_title_many", "{count} signatures are waiting to be sent",
              {count: waiting});
        title.hidden = !waiting;
        $(".o_field_outbox_hint", box).hidden = !waiting;
        $(".o_field_outbox_send", box).hidden = !waiting || navigator.onLine === false;
        var sent = shown;
        var sentList = $(".o_field_outbox_sent", box);
        sentList.innerHTML = "";
        sent.forEach(function (data) {
            var text = t("sent", "Sent: {note} signed by {name}.",
                         {note: data.note, name: data.signedBy}) +
                (data.invoiceTo ? " " + t("sent_invoice",
                                          "The invoice {invoice} was sent to {email}.",
                                          {invoice: data.invoice || "",
                                           email: data.invoiceTo}) : "");
            sentList.appendChild(el("li", "o_field_outbox_done", text));
        });
        box.hidden = !items.length && !sent.length;
        box.classList.toggle("o_field_outbox_sent_only", !items.length);
    }

    function renderSignForms() {
        var forms = document.querySelectorAll(".o_field_sign_form");
        for (var i = 0; i < forms.length; i++) {
            var form = forms[i];
            var item = outbox.forNote(parseInt(form.getAttribute("data-note-id"), 10));
            var panel = form.parentNode.querySelector(".o_field_sign_waiting");
            var waiting = !!item && item.state === "waiting";
            form.hidden = waiting;
            if (panel) {
                panel.hidden = !waiting;
                if (waiting) {
                    var who = {name: item.signedBy, time: clock(item.takenAt)};
                    $(".o_field_sign_waiting_text", panel).textContent = offline() ?
                        t("sign_waiting", "Signed on this tablet by {name} at {time}: " +
                          "waiting to send. It is sent by itself as soon as the " +
                          "connection returns; keep this tablet on.", who) :
                        t("sign_sending", "Signed on this tablet by {name} at {time}: " +
                          "sending…", who);
                    $("img", panel).src = item.signature;
                }
            }
        }
    }

    function render() {
        renderNetwork();
        renderOutbox();
        renderSignForms();
    }

    // --------------------------------------------------- the service worker
    function precache() {
        var status = $(".o_field_offline_ready");
        if (!status || !navigator.serviceWorker) {
            return;
        }
        var urls = ["/field"];
        var links = document.querySelectorAll("a.o_field_visit_open");
        for (var i = 0; i < links.length; i++) {
            urls.push(links[i].getAttribute("href"));
        }
        navigator.serviceWorker.ready.then(function (registration) {
            var channel = new MessageChannel();
            channel.port1.onmessage = function (event) {
                var saved = event.data.saved - 1; // "/field" itself
                var values = {count: saved, time: clock(new Date().toISOString())};
                status.textContent = saved === 1 ?
                    t("saved_one", "Saved on this tablet for use without a connection: " +
                      "{count} visit ({time}).", values) :
                    t("saved_many", "Saved on this tablet for use without a connection: " +
                      "{count} visits ({time}).", values);
                status.setAttribute("data-saved", String(saved));
                status.hidden = false;
            };
            registration.active.postMessage({type: "precache", urls: urls}, [channel.port2]);
        });
    }

    /* The worker's own page (a page never saved, opened offline) in the operator's
     * language and direction: the worker keeps what it is given here. */
    function shareTexts(registration) {
        var worker = registration.active;
        if (!worker) {
            return;
        }
        var home = $(".o_field_home");
        var root = document.documentElement;
        worker.postMessage({type: "texts", lang: root.getAttribute("lang") || "",
                            dir: root.getAttribute("dir") || "ltr", texts: {
            brand: home ? home.textContent.trim() : "tktit Field",
            title: t("sw_title", "Offline"),
            heading: t("sw_heading", "No connection"),
            missing: t("sw_missing", "This page was not saved on this tablet. Open " +
                       "{my_visits}: the visits saved there stay readable without a " +
                       "connection."),
            my_visits: t("sw_my_visits", "My visits"),
        }});
    }

    function register() {
        if (!navigator.serviceWorker) {
            return; // an old browser, or not https: the app works online only
        }
        navigator.serviceWorker.register("/field/sw.js", {scope: "/field"}).then(
            function () {
                navigator.serviceWorker.ready.then(shareTexts);
                precache();
            }, function () {
                var status = $(".o_field_offline_ready");
                if (status) {
                    status.textContent = t("no_offline",
                                           "This browser cannot keep the visits offline.");
                    status.hidden = false;
                }
            });
    }

    function bindLogout() {
        var link = $(".o_field_logout");
        if (!link) {
            return;
        }
        link.addEventListener("click", function (event) {
            var waiting = outbox.items().filter(function (item) {
                return item.state === "waiting";
            }).length;
            if (waiting && !window.confirm(t("logout_confirm", "{count} signature(s) still " +
                    "wait to be sent. They stay on this tablet and are sent when you log in " +
                    "again. Log out now?", {count: waiting}))) {
                event.preventDefault();
                return;
            }
            if (navigator.serviceWorker && navigator.serviceWorker.controller) {
                // the saved pages are this operator's: they do not stay for the next one
                event.preventDefault();
                var channel = new MessageChannel();
                var go = function () {
                    window.location.href = link.href;
                };
                channel.port1.onmessage = go;
                navigator.serviceWorker.controller.postMessage({type: "forget"},
                                                               [channel.port2]);
                window.setTimeout(go, 1500);
            }
        });
    }

    function init() {
        takeRemembered();
        render();
        register();
        bindLogout();
        var send = $(".o_field_outbox_send");
        if (send) {
            send.addEventListener("click", flush);
        }
        window.addEventListener("online", function () {
            render();
            flush();
        });
        window.addEventListener("offline", render);
        window.addEventListener("storage", render); // another tab of the app
        window.setInterval(flush, RETRY_MS);
        flush();
    }

    window.tktitField = {outbox: outbox, flush: flush, render: render, uid: uid, t: t};

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", init);
    } else {
        init();
    }
}());
