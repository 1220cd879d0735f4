/* tktit Field: the customer's signature on the delivery note.
 *
 * Pointer events (touch, pen and mouse) draw on the canvas; "Clear" starts again. On
 * submit the canvas becomes a PNG data URL, with a key made on the device ("sign_key":
 * the server treats the same key again as the same signature) and the fingerprint of
 * the note the customer read ("lines_digest"); it goes into the outbox of
 * field_app.js, which sends it now or when the connection returns. Without that
 * outbox, the form posts itself. A pad with no ink, or only a dot, is refused here as
 * it is on the server. What it says comes translated from the page (#o_field_i18n, see
 * field_app.js), English when the page has no text for it. No framework, no Odoo web
 * client. */
(function () {
    "use strict";

    var MIN_EXTENT = 20; // CSS pixels: a signature is wider or taller than a dot

    /* The page's text ``key`` (field_layout's #o_field_i18n), else ``english``. */
    function t(key, english) {
        var node = document.querySelector("#o_field_i18n [data-key='" + key + "']");
        var text = node ? node.textContent.replace(/\s+/g, " ").trim() : "";
        return text || english;
    }

    function newKey() {
        if (window.crypto && window.crypto.randomUUID) {
            return window.crypto.randomUUID();
        }
        var bytes = new Uint8Array(16);
        if (window.crypto && window.crypto.getRandomValues) {
            window.crypto.getRandomValues(bytes);
        } else {
            for (var i = 0; i < bytes.length; i++) {
                bytes[i] = Math.floor(Math.random() * 256);
            }
        }
        return Array.prototype.map.call(bytes, function (b) {
            return ("0" + b.toString(16)).slice(-2);
        }).join("");
    }

    function SignaturePad(form) {
        this.form = form;
        this.canvas = form.querySelector(".o_field_pad");
        this.hint = form.querySelector(".o_field_pad_hint");
        this.error = form.querySelector(".o_field_pad_error");
        this.ctx = this.canvas.getContext("2d");
        this.canvas.setAttribute("aria-label", t("pad_label",
                                                 this.canvas.getAttribute("aria-label")));
        this.drawing = false;
        this.pointerId = null;
        this.box = null; // extent of the ink, in CSS pixels
        this.last = null;
        this.resize();
        this.bind();
        var self = this;
        window.addEventListener("resize", function () {
            if (!self.box) {
                self.resize(); // a turn of the tablet: redraw the empty pad sharply
            }
        });
        var button = form.querySelector("button[type='submit']");
        this.label = button ? button.textContent : "";
        var key = form.querySelector("input[name='sign_key']");
        if (key && !key.value) {
            key.value = newKey();
        }
    }

    SignaturePad.prototype.resize = function () {
        // a sharp line on high-density screens: the bitmap follows the device pixels
        var ratio = Math.max(window.devicePixelRatio || 1, 1);
        var rect = this.canvas.getBoundingClientRect();
        this.canvas.width = Math.round(rect.width * ratio);
        this.canvas.height = Math.round(rect.height * ratio);
        this.ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
        this.ctx.lineWidth = 3;
        this.ctx.lineCap = "round";
        this.ctx.lineJoin = "round";
        this.ctx.strokeStyle = "#0a1a40";
        this.ctx.fillStyle = "#0a1a40";
        this.box = null;
        this.showHint(true);
    };

    SignaturePad.prototype.point = function (event) {
        var rect = this.canvas.getBoundingClientRect();
        return {x: event.clientX - rect.left, y: event.clientY - rect.top};
    };

    SignaturePad.prototype.grow = function (p) {
        if (!this.box) {
            this.box = {x0: p.x, y0: p.y, x1: p.x, y1: p.y};
        } else {
            this.box.x0 = Math.min(this.box.x0, p.x);
            this.box.y0 = Math.min(this.box.y0, p.y);
            this.box.x1 = Math.max(this.box.x1, p.x);
            this.box.y1 = Math.max(this.box.y1, p.y);
        }
    };

    SignaturePad.prototype.showHint = function (visible) {
        if (this.hint) {
            this.hint.style.visibility = visible ? "visible" : "hidden";
        }
    };

    SignaturePad.prototype.bind = function () {
        var self = this;
        var canvas = this.canvas;
        canvas.addEventListener("pointerdown", function (event) {
            if (self.drawing) {
                return; // one finger (or pen) at a time
            }
            event.preventDefault();
            self.drawing = true;
            self.pointerId = event.pointerId;
            canvas.setAttribute("data-pointer-type", event.pointerType || "");
            if (canvas.setPointerCapture) {
                canvas.setPointerCapture(event.pointerId);
            }
            var p = self.point(event);
            self.last = p;
            self.grow(p);
            self.ctx.beginPath();
            self.ctx.arc(p.x, p.y, 1.5, 0, 2 * Math.PI);
            self.ctx.fill();
            self.showHint(false);
            self.setError("");
        });
        canvas.addEventListener("pointermove", function (event) {
            if (!self.drawing || event.pointerId !== self.pointerId) {
                return;
            }
            event.preventDefault();
            var events = event.getCoalescedEvents ? event.getCoalescedEvents() : [event];
            if (!events.length) {
                events = [event];
            }
            self.ctx.beginPath();
            self.ctx.moveTo(self.last.x, self.last.y);
            for (var i = 0; i < events.length; i++) {
                var p = self.point(events[i]);
                self.ctx.lineTo(p.x, p.y);
                self.grow(p);
                self.last = p;
            }
            self.ctx.stroke();
        });
        var stop = function (event) {
            if (self.drawing && event.pointerId === self.pointerId) {
                self.drawing = false;
                self.pointerId = null;
            }
        };
        canvas.addEventListener("pointerup", stop);
        canvas.addEventListener("pointercancel", stop);
        canvas.addEventListener("lostpointercapture", stop);

        var clear = this.form.querySelector(".o_field_pad_clear");
        if (clear) {
            clear.addEventListener("click", function () {
                self.clear();
            });
        }
        this.form.addEventListener("submit", function (event) {
            self.submit(event);
        });
    };

    SignaturePad.prototype.clear = function () {
        this.ctx.save();
        this.ctx.setTransform(1, 0, 0, 1, 0, 0);
        this.ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
        this.ctx.restore();
        this.box = null;
        this.showHint(true);
        this.setError("");
    };

    SignaturePad.prototype.setError = function (text) {
        if (!this.error) {
            return;
        }
        this.error.textContent = text;
        this.error.hidden = !text;
    };

    SignaturePad.prototype.isSigned = function () {
        var box = this.box;
        return !!box && Math.max(box.x1 - box.x0, box.y1 - box.y0) >= MIN_EXTENT;
    };

    SignaturePad.prototype.value = function (name) {
        var input = this.form.querySelector("input[name='" + name + "']");
        return input ? input.value : "";
    };

    /* The form's own POST when the outbox cannot be used (no storage, no fetch). */
    SignaturePad.prototype.postForm = function (signature) {
        this.form.querySelector("input[name='signature']").value = signature;
        this.busy(true);
        this.form.submit();
    };

    SignaturePad.prototype.busy = function (sending) {
        var button = this.form.querySelector("button[type='submit']");
        if (button) {
            button.disabled = sending;
            button.textContent = sending ? t("sending", "Sending…") : this.label;
        }
    };

    /* Submit: checked here (the server checks again), kept in the outbox first, then
     * sent (field_app.js): offline, it waits on the tablet and the page says so. */
    SignaturePad.prototype.submit = function (event) {
        var name = this.form.querySelector("input[name='signed_by']");
        event.preventDefault();
        if (name && !name.value.trim()) {
            this.setError(t("sign_need_name", "Type the customer's name first."));
            name.focus();
            return;
        }
        if (!this.isSigned()) {
            this.setError(t("sign_need_ink",
                            "Please sign in the box (a dot is not a signature)."));
            return;
        }
        var signature = this.canvas.toDataURL("image/png");
        var app = window.tktitField;
        if (!app || !window.fetch || !window.URLSearchParams) {
            this.postForm(signature);
            return;
        }
        var form = this.form;
        var item = {
            key: this.value("sign_key"),
            noteId: parseInt(form.getAttribute("data-note-id"), 10),
            noteName: form.getAttribute("data-note-name"),
            ticketId: parseInt(form.getAttribute("data-ticket-id"), 10),
            ticketNumber: form.getAttribute("data-ticket-number"),
            signedBy: name.value.trim(),
            signature: signature,
            linesDigest: this.value("lines_digest"),
            uid: app.uid(),
            takenAt: new Date().toISOString(),
            state: "waiting",
            message: "",
        };
        try {
            app.outbox.add(item);
        } catch (error) {
            if (navigator.onLine === false) {
                this.setError(t("sign_storage_full", "This tablet cannot keep the " +
                                "signature (its storage is full) and there is no " +
                                "connection: sign again once online."));
                return;
            }
            this.postForm(signature);
            return;
        }
        var self = this;
        this.busy(true);
        app.render();
        app.flush().then(function () {
            var kept = app.outbox.forNote(item.noteId);
            self.busy(false);
            if (kept && kept.state === "refused") {
                self.setError(kept.message);
            }
        });
    };

    function init() {
        var forms = document.querySelectorAll(".o_field_sign_form");
        for (var i = 0; i < forms.length; i++) {
            forms[i].tktitPad = new SignaturePad(forms[i]);
        }
    }

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", init);
    } else {
        init();
    }
}());
