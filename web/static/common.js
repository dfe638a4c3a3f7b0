// Shared by every page: language, the node's API, DOM building, SHA-256 and
// SM3 (the hash of a 国密 chain).
"use strict";
(function () {
  const weid = (window.weid = window.weid || {});
  const LANG_KEY = "weid.lang";
  const TOKEN_KEY = "weid.token";
  const listeners = [];

  // ---- language --------------------------------------------------------

  // The pages' languages: English, Simplified Chinese and Traditional
  // Chinese as written in Hong Kong and Macau.
  const LANGS = ["en", "zh-CN", "zh-HK"];

  // langOf maps a BCP 47 tag to one of LANGS: Traditional Chinese
  // (zh-Hant, and zh-HK, zh-MO, zh-TW without a script) to zh-HK, other
  // Chinese to zh-CN, English to en; a language the pages lack to "".
  function langOf(tag) {
    tag = String(tag || "");
    if (/^en\b/i.test(tag)) return "en";
    if (!/^zh\b/i.test(tag)) return "";
    if (/-hans\b/i.test(tag)) return "zh-CN";
    return /-(hant|hk|mo|tw)\b/i.test(tag) ? "zh-HK" : "zh-CN";
  }
  weid.langOf = langOf;

  // pickLang is the language the user chose on a page (remembered), else
  // the first of the browser's languages, in its order of preference, that
  // the pages have (a clerk in Macau whose browser lists pt-MO, then
  // zh-MO, reads Traditional Chinese), else English.
  function pickLang() {
    let saved = null;
    try { saved = localStorage.getItem(LANG_KEY); } catch (e) { /* storage off */ }
    if (LANGS.includes(saved)) return saved;
    const prefs = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language];
    for (const tag of prefs) {
      const lang = langOf(tag);
      if (lang) return lang;
    }
    return "en";
  }

  weid.lang = pickLang();

  // t returns the text of key in the current language with {name}
  // placeholders filled from vars; an unknown key is returned as is. A key
  // with a singular form ("key.one") takes it when its count, the number
  // in vars, is 1 (plurals right in English; Chinese has one form).
  weid.t = function (key, vars) {
    if (vars && weid.i18n.en[key + ".one"] !== undefined && Object.values(vars).some((v) => Number(v) === 1 && String(v) === "1")) key += ".one";
    const dict = weid.i18n[weid.lang] || weid.i18n.en;
    let s = dict[key];
    if (s === undefined) s = weid.i18n.en[key];
    if (s === undefined) return key;
    if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (vars[k] === undefined ? m : String(vars[k])));
    return s;
  };

  // applyI18n fills the texts of root's data-i18n elements.
  weid.applyI18n = function (root) {
    root = root || document;
    root.querySelectorAll("[data-i18n]").forEach((e) => { e.textContent = weid.t(e.dataset.i18n); });
    root.querySelectorAll("[data-i18n-placeholder]").forEach((e) => { e.placeholder = weid.t(e.dataset.i18nPlaceholder); });
    root.querySelectorAll("[data-i18n-aria-label]").forEach((e) => { e.setAttribute("aria-label", weid.t(e.dataset.i18nAriaLabel)); });
    root.querySelectorAll("[data-i18n-title]").forEach((e) => { e.title = weid.t(e.dataset.i18nTitle); });
    root.querySelectorAll("[data-i18n-msg]").forEach((e) => { e.textContent = weid.t(e.dataset.i18nMsg, JSON.parse(e.dataset.i18nVars || "{}")); });
  };

  weid.setLang = function (lang) {
    weid.lang = LANGS.includes(lang) ? lang : "en";
    try { localStorage.setItem(LANG_KEY, weid.lang); } catch (e) { /* storage off */ }
    document.documentElement.lang = weid.lang;
    weid.applyI18n(document);
    document.querySelectorAll("[data-problem]").forEach((p) => {
      const r = problems.get(p);
      if (r) p.querySelector(".text").textContent = weid.problemText(r);
    });
    const sel = document.getElementById("lang");
    if (sel) sel.value = weid.lang;
    listeners.forEach((f) => f(weid.lang));
  };

  // onLang registers f to re-render a page's dynamic parts after a switch.
  weid.onLang = function (f) { listeners.push(f); };

  // ---- schemas in the institution's words ----------------------------------

  // schemaText is a JSON Schema's (or one property's) "title" or
  // "description" (field) in the page's language: from its x-weid-i18n
  // annotation's entry for the language (tags compared without regard to
  // case), else for the primary language ("zh"), else the schema's own; ""
  // when it has none. The node checks the annotation's form at
  // registration (schemas.I18nKeyword); the page reads it defensively all
  // the same, as any client of a public ledger must.
  weid.schemaText = function (node, field) {
    if (!node || typeof node !== "object") return "";
    const ann = node["x-weid-i18n"];
    if (ann && typeof ann === "object") {
      const want = weid.lang.toLowerCase();
      const primary = want.split("-")[0];
      let exact = null, base = null;
      for (const [tag, t] of Object.entries(ann)) {
        if (!t || typeof t !== "object" || typeof t[field] !== "string" || !t[field].trim()) continue;
        if (tag.toLowerCase() === want) exact = t[field];
        else if (tag.toLowerCase() === primary) base = t[field];
      }
      if (exact || base) return exact || base;
    }
    return typeof node[field] === "string" ? node[field] : "";
  };

  // claimLabel is how a schema names the claim key: its property's title
  // in the page's language, else the key itself.
  weid.claimLabel = function (schema, key) {
    const props = schema && typeof schema === "object" && schema.properties;
    const p = props && typeof props === "object" && Object.prototype.hasOwnProperty.call(props, key) ? props[key] : null;
    return weid.schemaText(p, "title").trim() || key;
  };

  // valueLabel is how a schema property (node) names the value v of its
  // "enum": the label in its x-weid-i18n entry's "enum" for the page's
  // language, else for the primary language ("zh"), else v itself.
  weid.valueLabel = function (node, v) {
    const text = typeof v === "string" ? v : JSON.stringify(v);
    const ann = node && typeof node === "object" ? node["x-weid-i18n"] : null;
    if (typeof v !== "string" || !ann || typeof ann !== "object") return text;
    const want = weid.lang.toLowerCase();
    const primary = want.split("-")[0];
    let exact = null, base = null;
    for (const [tag, t] of Object.entries(ann)) {
      const e = t && typeof t === "object" && t.enum && typeof t.enum === "object" ? t.enum : null;
      if (!e || !Object.prototype.hasOwnProperty.call(e, v) || typeof e[v] !== "string" || !e[v].trim()) continue;
      if (tag.toLowerCase() === want) exact = e[v];
      else if (tag.toLowerCase() === primary) base = e[v];
    }
    return exact || base || text;
  };

  // schemaRules lists the constraints of a JSON Schema property (node)
  // that the value v breaks, as [keyword, bound] pairs — "integer" for a
  // type integer with a fraction, minimum, maximum, exclusiveMinimum,
  // exclusiveMaximum, minLength, maxLength (in code points, as JSON Schema
  // 2020-12 §6.3 counts them), pattern (ECMA-262, §6.3.3), minItems,
  // maxItems, uniqueItems (§6.4; a list's items are the caller's to check
  // against "items") and enum — so a form can name the field and the bound
  // before the node refuses it.
  // The node checks the whole schema all the same.
  weid.schemaRules = function (node, v) {
    const out = [];
    if (!node || typeof node !== "object") return out;
    const num = (k) => typeof node[k] === "number";
    if (typeof v === "number") {
      if (node.type === "integer" && !Number.isInteger(v)) out.push(["integer", ""]);
      if (num("minimum") && v < node.minimum) out.push(["minimum", node.minimum]);
      if (num("maximum") && v > node.maximum) out.push(["maximum", node.maximum]);
      if (num("exclusiveMinimum") && v <= node.exclusiveMinimum) out.push(["exclusiveMinimum", node.exclusiveMinimum]);
      if (num("exclusiveMaximum") && v >= node.exclusiveMaximum) out.push(["exclusiveMaximum", node.exclusiveMaximum]);
    }
    if (typeof v === "string") {
      const n = Array.from(v).length;
      if (num("minLength") && n < node.minLength) out.push(["minLength", node.minLength]);
      if (num("maxLength") && n > node.maxLength) out.push(["maxLength", node.maxLength]);
      if (typeof node.pattern === "string") {
        let re = null;
        // The node reads JSON Schema patterns as Go's RE2 does, where \s
        // and \S are ASCII white space only; in JavaScript they take
        // Unicode spaces too (U+3000, which Chinese input methods type).
        // A pattern with either is left to the node's check.
        const unicodeSpace = /(^|[^\\])(\\\\)*\\[sS]/.test(node.pattern);
        const pattern = unicodeSpace ? null : node.pattern;
        try { re = pattern === null ? null : new RegExp(pattern, "u"); } catch (e) { re = null; } // the node's check stands
        if (re && !re.test(v)) out.push(["pattern", ""]);
      }
    }
    if (Array.isArray(v)) {
      if (num("minItems") && v.length < node.minItems) out.push(["minItems", node.minItems]);
      if (num("maxItems") && v.length > node.maxItems) out.push(["maxItems", node.maxItems]);
      if (node.uniqueItems === true && new Set(v.map((x) => weid.jcs(x))).size < v.length) out.push(["uniqueItems", ""]);
    }
    if (Array.isArray(node.enum) && !node.enum.some((e) => JSON.stringify(e) === JSON.stringify(v))) out.push(["enum", ""]);
    return out;
  };

  // ---- API ---------------------------------------------------------------

  // apiTimeoutMs bounds each API call: a node that accepts the connection
  // but does not answer (stopped, overloaded, behind a stuck proxy) must
  // not leave the page waiting for ever. The calls the pages make are
  // single lookups and single writes (a write waits for its block, well
  // within this), none a batch.
  weid.apiTimeoutMs = 30000;

  // api calls the node's API and resolves to {status, ok, body} (body is
  // the parsed JSON, or the text). A call that cannot reach the node
  // resolves to status 0 with failure "network", one the node does not
  // answer within apiTimeoutMs (opts.timeoutMs) to status 0 with failure
  // "timeout"; problemText says each in the page's language. Aborting
  // opts.signal rejects with its AbortError, as fetch does.
  weid.api = async function (method, path, opts) {
    opts = opts || {};
    const headers = { Accept: "application/json" };
    // fetch throws on a header value beyond Latin-1, which would read as
    // an unreachable node: a token pasted with words around it ("令牌：…")
    // is said to be no token instead.
    if (opts.token && !tokenForm.test(opts.token)) return { status: 0, ok: false, body: null, failure: "token" };
    if (opts.token) headers.Authorization = "Bearer " + opts.token;
    let body;
    if (opts.body !== undefined) {
      headers["Content-Type"] = "application/json";
      body = typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body);
    }
    const ctl = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; ctl.abort(); }, opts.timeoutMs || weid.apiTimeoutMs);
    const stop = () => ctl.abort();
    if (opts.signal) {
      if (opts.signal.aborted) ctl.abort();
      else opts.signal.addEventListener("abort", stop);
    }
    let resp, text;
    try {
      resp = await fetch(path, { method, headers, body, cache: "no-store", signal: ctl.signal });
      text = await resp.text();
    } catch (e) {
      if (!timedOut && e && e.name === "AbortError") throw e;
      return { status: 0, ok: false, body: null, failure: timedOut ? "timeout" : "network" };
    } finally {
      clearTimeout(timer);
      if (opts.signal) opts.signal.removeEventListener("abort", stop);
    }
    let parsed = text;
    try { parsed = text ? JSON.parse(text) : null; } catch (e) { /* not JSON */ }
    return { status: resp.status, ok: resp.ok, body: parsed };
  };

  // tokenForm is an account token's alphabet: "weid_" and base64url
  // (keystore's), ASCII only.
  const tokenForm = /^[A-Za-z0-9_-]+$/;

  // readToken is the token typed or pasted in input: full-width letters
  // and digits (a Chinese input method's) as ASCII, white space around it
  // dropped. api refuses one with anything else in it (failure "token").
  weid.readToken = function (input) { return weid.halfWidth(input.value).trim(); };

  // has reports whether key has a text (in English, hence in every
  // language: a test keeps the tables in step).
  weid.has = function (key) { return Object.prototype.hasOwnProperty.call(weid.i18n.en, key); };

  // problemText is the message of a failed API answer in the page's
  // language: the text of its RFC 9457 problem code ("problem.<code>"),
  // or a sentence naming the status. The English detail is
  // problemDetail's.
  weid.problemText = function (r) {
    const b = r && r.body;
    if (r && r.status === 0 && r.failure === "token") return weid.t("token.badForm");
    if (r && r.status === 0) return r.failure === "timeout" ? weid.t("err.timeout", { seconds: weid.apiTimeoutMs / 1000 }) : weid.t("err.network");
    if (b && typeof b === "object" && b.code && weid.has("problem." + b.code)) return weid.t("problem." + b.code);
    if (b && typeof b === "object" && b.error_description && weid.lang === "en") return b.error_description;
    return weid.t("problem.generic", { status: r ? r.status : "?" });
  };

  // problemDetail is the node's own English words on a failed answer
  // (detail and code), "" if it gave none.
  weid.problemDetail = function (r) {
    const b = r && r.body;
    if (!b || typeof b !== "object") return typeof b === "string" ? b.slice(0, 500) : "";
    const d = b.detail || b.error_description || b.title || "";
    return d + (b.code ? " (" + b.code + ")" : b.error ? " (" + b.error + ")" : "");
  };

  // english is a <details> with the English detail of a verdict or
  // problem, shown on demand; when there is none, an empty fragment, so
  // that append(…, english(d)) adds nothing (append writes null as "null").
  weid.english = function (detail) {
    if (!detail) return document.createDocumentFragment();
    return weid.el("details", { class: "english", lang: "en" },
      weid.el("summary", { i18n: "detail.english" }), weid.el("span", { class: "detail" }, detail));
  };

  // problemMessage shows a failed answer in target: the sentence in the
  // page's language, the English detail on demand; redrawn after a
  // language switch.
  weid.problemMessage = function (target, r) {
    const p = weid.el("p", { class: "msg error", role: "alert" }, weid.el("span", { class: "text" }, weid.problemText(r)));
    p.dataset.problem = "";
    weid.clear(target).append(p, weid.english(weid.problemDetail(r)));
    problems.set(p, r);
  };
  const problems = new WeakMap();

  weid.getToken = function () {
    try { return sessionStorage.getItem(TOKEN_KEY) || ""; } catch (e) { return ""; }
  };
  weid.setToken = function (tok) {
    try {
      if (tok) sessionStorage.setItem(TOKEN_KEY, tok);
      else sessionStorage.removeItem(TOKEN_KEY);
    } catch (e) { /* storage off */ }
  };

  // ---- DOM -----------------------------------------------------------------

  // el builds an element: attrs are attributes (on* keys are listeners,
  // "text" sets textContent, "i18n" a data-i18n key), children are nodes
  // or strings (text, never HTML).
  weid.el = function (tag, attrs, ...children) {
    const e = document.createElement(tag);
    if (attrs) {
      for (const [k, v] of Object.entries(attrs)) {
        if (v === undefined || v === null || v === false) continue;
        if (k === "text") e.textContent = v;
        else if (k === "i18n") { e.dataset.i18n = v; e.textContent = weid.t(v); }
        else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
        else if (k === "dataset") Object.assign(e.dataset, v);
        else e.setAttribute(k, v === true ? "" : v);
      }
    }
    for (const c of children.flat()) {
      if (c === undefined || c === null || c === false) continue;
      e.append(c instanceof Node ? c : String(c));
    }
    return e;
  };

  weid.clear = function (e) { while (e.firstChild) e.removeChild(e.firstChild); return e; };

  // loopback reports whether a URL's hostname is this machine alone:
  // localhost (RFC 6761 §6.3), 127.0.0.0/8 (RFC 1122 §3.2.1.3), ::1
  // (RFC 4291 §2.5.3), or the unspecified 0.0.0.0 and ::.
  weid.loopback = function (host) {
    const h = host.replace(/^\[|\]$/g, "").toLowerCase();
    return h === "localhost" || h.endsWith(".localhost") || /^127\.\d+\.\d+\.\d+$/.test(h) || h === "::1" || h === "0.0.0.0" || h === "::";
  };

  // explorerLink links to the explorer's view of a height, tx or DID.
  weid.explorerLink = function (kind, value, text) {
    return weid.el("a", { href: "/explorer#" + kind + "=" + encodeURIComponent(value), class: kind === "block" ? "" : "mono" }, text || String(value));
  };

  weid.short = function (s, n) {
    s = String(s);
    n = n || 10;
    return s.length > 2 * n + 1 ? s.slice(0, n) + "…" + s.slice(-n) : s;
  };

  // halfWidth is s with full-width forms (U+FF01–FF5E, as a Chinese input
  // method types digits, letters and punctuation) and the ideographic
  // space read as their ASCII forms.
  weid.halfWidth = function (s) {
    return String(s).replace(/[\uff01-\uff5e]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/\u3000/g, " ");
  };

  // isoDate reads a day as a clerk may type it — 2026-06-30, 2026/6/30,
  // 2026.6.30, 2026年6月30日 or 20260630, in half- or full-width
  // characters — as RFC 3339's full-date (§5.6; JSON Schema's "date"
  // format), or "" when it is no day of the calendar.
  weid.isoDate = function (s) {
    s = weid.halfWidth(s).trim();
    const m = /^(\d{4})(?:\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?|(\d{2})(\d{2}))$/.exec(s);
    if (!m) return "";
    const [y, mo, d] = [Number(m[1]), Number(m[2] || m[4]), Number(m[3] || m[5])];
    const t = new Date(Date.UTC(y, mo - 1, d));
    if (t.getUTCFullYear() !== y || t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d) return "";
    return m[1] + "-" + String(mo).padStart(2, "0") + "-" + String(d).padStart(2, "0");
  };

  // plainNumber reads a number as plainly written — digits, an optional
  // sign, an optional "." and decimals, in half- or full-width characters
  // — and is NaN for anything else: "3,7" (a decimal comma, or thousands?),
  // "1e3", "0x10", "3 7", which Number() or the browser would read as some
  // other number.
  weid.plainNumber = function (s) {
    s = weid.halfWidth(s).trim();
    return /^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(s) ? Number(s) : NaN;
  };

  // utcOffset writes the browser's offset from UTC at the local time d as
  // RFC 3339 writes it (+08:00).
  weid.utcOffset = function (d) {
    const off = -d.getTimezoneOffset();
    const a = Math.abs(off);
    return (off < 0 ? "-" : "+") + String(Math.floor(a / 60)).padStart(2, "0") + ":" + String(a % 60).padStart(2, "0");
  };

  // isoDateTime reads a date and time as a clerk may type it — a day as
  // isoDate reads it, then a space or "T", hours and minutes, optional
  // seconds, an optional zone (Z, +08:00, +0800), in half- or full-width
  // characters — as RFC 3339's date-time (§5.6; JSON Schema's "date-time"
  // format), or "" when it is none. A time without a zone is the
  // browser's local time, given its offset.
  weid.isoDateTime = function (s) {
    s = weid.halfWidth(s).trim();
    const m = /^(.+?)(?:\s*[Tt]\s*|\s+)(\d{1,2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?\s*([Zz]|[+-]\d{2}:?\d{2})?$/.exec(s);
    const day = m ? weid.isoDate(m[1]) : "";
    if (!day) return "";
    const [h, mi, sec] = [Number(m[2]), Number(m[3]), Number(m[4] || 0)];
    if (h > 23 || mi > 59 || sec > 59) return "";
    let zone = m[6] ? m[6].toUpperCase() : "";
    if (zone && zone !== "Z") {
      const z = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
      if (Number(z[2]) > 23 || Number(z[3]) > 59) return "";
      zone = z[1] + z[2] + ":" + z[3];
    }
    if (!zone) {
      const [y, mo, d] = day.split("-").map(Number);
      zone = weid.utcOffset(new Date(y, mo - 1, d, h, mi, sec));
    }
    const two = (n) => String(n).padStart(2, "0");
    return day + "T" + two(h) + ":" + two(mi) + ":" + two(sec) + (m[5] || "") + zone;
  };

  weid.time = function (iso) {
    if (!iso) return "";
    const d = new Date(iso);
    if (isNaN(d)) return String(iso);
    return d.toLocaleString(weid.lang === "en" ? "en-GB" : weid.lang, { dateStyle: "medium", timeStyle: "medium" });
  };

  // date writes an RFC 3339 full-date (2026-07-01) as the page writes
  // days, in its language (the day itself, not shifted by a time zone).
  weid.date = function (iso) {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(iso || ""));
    const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
    // 2026-02-30 would roll over to 2 March: an impossible date is shown
    // as it is written.
    if (!d || isNaN(d) || d.getUTCDate() !== Number(m[3]) || d.getUTCMonth() !== Number(m[2]) - 1) return String(iso || "");
    return d.toLocaleDateString(weid.lang === "en" ? "en-GB" : weid.lang, { dateStyle: "medium", timeZone: "UTC" });
  };

  weid.json = function (v) { return weid.el("pre", { class: "json" }, JSON.stringify(v, null, 2)); };

  // dl builds a definition list from [label key, value node or text] pairs.
  weid.dl = function (rows) {
    const d = weid.el("dl", { class: "facts" });
    for (const [k, v] of rows) {
      if (v === undefined || v === null || v === "") continue;
      d.append(weid.el("dt", { i18n: k }), weid.el("dd", null, v));
    }
    return d;
  };

  weid.message = function (target, kind, text) {
    weid.clear(target).append(weid.el("p", { class: "msg " + kind, role: kind === "error" ? "alert" : null }, text));
  };

  // say is message with the text of key (and vars), redrawn in the new
  // language after a switch.
  weid.say = function (target, kind, key, vars) {
    weid.message(target, kind, weid.t(key, vars));
    weid.keep(target.firstChild, key, vars);
  };

  // setText sets e's text to key's (with vars) and keeps it for a switch.
  weid.setText = function (e, key, vars) {
    e.textContent = weid.t(key, vars);
    weid.keep(e, key, vars);
  };

  weid.keep = function (e, key, vars) {
    e.dataset.i18nMsg = key;
    e.dataset.i18nVars = JSON.stringify(vars || {});
  };

  // qrImage is an <img> of a QR code given as base64 PNG (or a data: URL).
  weid.qrImage = function (png, alt) {
    const src = String(png).startsWith("data:") ? png : "data:image/png;base64," + png;
    return weid.el("img", { class: "qr", src, alt, width: 256, height: 256 });
  };

  // ---- bytes and SHA-256 ----------------------------------------------------

  weid.hexToBytes = function (h) {
    if (typeof h !== "string" || h.length % 2 || /[^0-9a-fA-F]/.test(h)) throw new Error("not hex");
    const b = new Uint8Array(h.length / 2);
    for (let i = 0; i < b.length; i++) b[i] = parseInt(h.substr(2 * i, 2), 16);
    return b;
  };
  weid.bytesToHex = function (b) {
    return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  };
  weid.concat = function (...parts) {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) { out.set(p, o); o += p.length; }
    return out;
  };

  const K = new Uint32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2]);

  // pad64 is msg padded as SHA-256 and SM3 both pad it (FIPS 180-4 §5.1.1,
  // GB/T 32905-2016 §5.2): a 1 bit, zeros, and the length in bits as a
  // big-endian 64-bit number, to a whole number of 64-byte blocks.
  function pad64(msg) {
    const len = msg.length;
    const padded = new Uint8Array(((len + 9 + 63) >> 6) << 6);
    padded.set(msg);
    padded[len] = 0x80;
    const dv = new DataView(padded.buffer);
    dv.setUint32(padded.length - 8, Math.floor(len / 0x20000000));
    dv.setUint32(padded.length - 4, (len << 3) >>> 0);
    return padded;
  }

  // sha256js is FIPS 180-4 SHA-256 in plain JavaScript, for pages served
  // over plain http on a LAN address, where crypto.subtle is missing.
  weid.sha256js = function (msg) {
    const padded = pad64(msg);
    const dv = new DataView(padded.buffer);
    const H = new Uint32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
    const W = new Uint32Array(64);
    const rotr = (x, n) => (x >>> n) | (x << (32 - n));
    for (let off = 0; off < padded.length; off += 64) {
      for (let i = 0; i < 16; i++) W[i] = dv.getUint32(off + 4 * i);
      for (let i = 16; i < 64; i++) {
        const s0 = rotr(W[i - 15], 7) ^ rotr(W[i - 15], 18) ^ (W[i - 15] >>> 3);
        const s1 = rotr(W[i - 2], 17) ^ rotr(W[i - 2], 19) ^ (W[i - 2] >>> 10);
        W[i] = (W[i - 16] + s0 + W[i - 7] + s1) | 0;
      }
      let [a, b, c, d, e, f, g, h] = H;
      for (let i = 0; i < 64; i++) {
        const S1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
        const ch = (e & f) ^ (~e & g);
        const t1 = (h + S1 + ch + K[i] + W[i]) | 0;
        const S0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
        const maj = (a & b) ^ (a & c) ^ (b & c);
        const t2 = (S0 + maj) | 0;
        h = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
      }
      H[0] += a; H[1] += b; H[2] += c; H[3] += d; H[4] += e; H[5] += f; H[6] += g; H[7] += h;
    }
    const out = new Uint8Array(32);
    const odv = new DataView(out.buffer);
    for (let i = 0; i < 8; i++) odv.setUint32(4 * i, H[i]);
    return out;
  };

  // sha256 resolves to the digest of bytes: WebCrypto where the page is a
  // secure context, else sha256js.
  weid.sha256 = async function (bytes) {
    if (window.crypto && crypto.subtle && window.isSecureContext) {
      return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
    }
    return weid.sha256js(bytes);
  };

  // ---- SM3 ------------------------------------------------------------------

  // sm3js is SM3 (GB/T 32905-2016, GM/T 0004-2012) in plain JavaScript: a
  // 国密 chain's hash, which no browser provides. Padding is SHA-256's; 64
  // rounds over 68 + 64 expanded words; a test checks it against Go's SM3.
  weid.sm3js = function (msg) {
    const padded = pad64(msg);
    const dv = new DataView(padded.buffer);
    const V = new Uint32Array([0x7380166f, 0x4914b2b9, 0x172442d7, 0xda8a0600, 0xa96f30bc, 0x163138aa, 0xe38dee4d, 0xb0fb0e4e]);
    const W = new Uint32Array(68);
    const rotl = (x, n) => (n %= 32, n ? (x << n) | (x >>> (32 - n)) : x);
    const P0 = (x) => x ^ rotl(x, 9) ^ rotl(x, 17);
    const P1 = (x) => x ^ rotl(x, 15) ^ rotl(x, 23);
    for (let off = 0; off < padded.length; off += 64) {
      for (let i = 0; i < 16; i++) W[i] = dv.getUint32(off + 4 * i);
      for (let j = 16; j < 68; j++) {
        W[j] = P1(W[j - 16] ^ W[j - 9] ^ rotl(W[j - 3], 15)) ^ rotl(W[j - 13], 7) ^ W[j - 6];
      }
      let [a, b, c, d, e, f, g, h] = V;
      for (let j = 0; j < 64; j++) {
        const t = j < 16 ? 0x79cc4519 : 0x7a879d8a;
        const a12 = rotl(a, 12);
        const ss1 = rotl((a12 + e + rotl(t, j)) | 0, 7);
        const ss2 = ss1 ^ a12;
        const ff = j < 16 ? a ^ b ^ c : (a & b) | (a & c) | (b & c);
        const gg = j < 16 ? e ^ f ^ g : (e & f) | (~e & g);
        const tt1 = (ff + d + ss2 + (W[j] ^ W[j + 4])) | 0;
        const tt2 = (gg + h + ss1 + W[j]) | 0;
        d = c; c = rotl(b, 9); b = a; a = tt1;
        h = g; g = rotl(f, 19); f = e; e = P0(tt2);
      }
      V[0] ^= a; V[1] ^= b; V[2] ^= c; V[3] ^= d; V[4] ^= e; V[5] ^= f; V[6] ^= g; V[7] ^= h;
    }
    const out = new Uint8Array(32);
    const odv = new DataView(out.buffer);
    for (let i = 0; i < 8; i++) odv.setUint32(4 * i, V[i]);
    return out;
  };
  weid.sm3 = async function (bytes) { return weid.sm3js(bytes); };

  // chainHash resolves to the hash function of the node's chain, as
  // /v1/status names its crypto suite: SM3 on a 国密 ("gm") chain, else
  // SHA-256. Asked once per page.
  let chainHashP = null;
  weid.chainHash = function () {
    if (!chainHashP) {
      chainHashP = weid.api("GET", "/v1/status").then((r) => (r.ok && r.body && r.body.crypto === "gm" ? weid.sm3 : weid.sha256));
    }
    return chainHashP;
  };

  // verifyInclusion checks an RFC 6962 (RFC 9162 §2.1.3.2) inclusion proof:
  // leaf is the leaf's data (a tx hash's 32 bytes), path the audit path
  // (hex, leaf to root), root the expected tree head (hex), hash the tree's
  // hash function (default SHA-256; SM3 on a 国密 chain). It resolves to
  // {ok, computed, reason}.
  weid.verifyInclusion = async function (leaf, index, size, path, root, hash) {
    const H = hash || weid.sha256;
    if (!(Number.isSafeInteger(index) && Number.isSafeInteger(size)) || index < 0 || index >= size) {
      return { ok: false, reason: "index" };
    }
    if (!Array.isArray(path)) return { ok: false, reason: "path" };
    let r = await H(weid.concat(new Uint8Array([0]), leaf));
    let fn = index;
    let sn = size - 1;
    for (const h of path) {
      const p = weid.hexToBytes(h);
      if (sn === 0) return { ok: false, reason: "length" };
      if (fn % 2 === 1 || fn === sn) {
        r = await H(weid.concat(new Uint8Array([1]), p, r));
        if (fn % 2 === 0) {
          while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
        }
      } else {
        r = await H(weid.concat(new Uint8Array([1]), r, p));
      }
      fn = Math.floor(fn / 2);
      sn = Math.floor(sn / 2);
    }
    const computed = weid.bytesToHex(r);
    if (sn !== 0) return { ok: false, computed, reason: "length" };
    return { ok: computed === String(root).toLowerCase(), computed, reason: "root" };
  };

  // jcs is the RFC 8785 form of a JSON value parsed by JSON.parse: members
  // sorted by UTF-16 code units, numbers and strings as JSON.stringify
  // writes them (which is what RFC 8785 specifies). Integers beyond 2^53
  // have already lost precision in JSON.parse; the ledger's are smaller.
  weid.jcs = function (v) {
    if (Array.isArray(v)) return "[" + v.map(weid.jcs).join(",") + "]";
    if (v !== null && typeof v === "object") {
      return "{" + Object.keys(v).sort().map((k) => JSON.stringify(k) + ":" + weid.jcs(v[k])).join(",") + "}";
    }
    return JSON.stringify(v);
  };

  // jcsHash is the lowercase hex hash (hash, default SHA-256; the chain's
  // from chainHash) of v's RFC 8785 form: a block header's is the block
  // hash, a signed transaction's is its hash.
  weid.jcsHash = async function (v, hash) {
    return weid.bytesToHex(await (hash || weid.sha256)(new TextEncoder().encode(weid.jcs(v))));
  };

  // ---- start -------------------------------------------------------------------

  document.addEventListener("DOMContentLoaded", () => {
    document.documentElement.lang = weid.lang;
    const sel = document.getElementById("lang");
    if (sel) {
      sel.value = weid.lang;
      sel.addEventListener("change", () => weid.setLang(sel.value));
    }
    weid.applyI18n(document);
  });
})();
