// /verify: check a pasted credential, or request a presentation from a
// wallet over OpenID4VP and show its verdict.
"use strict";
(function () {
  const w = window.weid;
  const el = w.el;
  const $ = (id) => document.getElementById(id);
  let rerender = null; // re-draws the current result after a language switch

  // ---- verdicts ------------------------------------------------------------

  function checkName(name) {
    const k = "check." + name;
    const s = w.t(k);
    return s === k ? name : s;
  }

  // localParams are a check's params as the page's language writes them:
  // times in its format, status purposes in its words.
  function localParams(p) {
    const out = Object.assign({}, p || {});
    for (const k of ["at", "since", "now"]) if (out[k]) out[k] = w.time(out[k]);
    if (out.purpose && w.has("purpose." + out.purpose)) out.purpose = w.t("purpose." + out.purpose);
    return out;
  }

  // reasonText is a check's outcome in the page's language: the text of
  // its code ("reason.<code>", see credential.CheckCodes and
  // oid4vp.VerdictCodes) with its params and the English detail as
  // {detail} (shown by the texts of codes whose detail says what no param
  // does), or the sentence of its status followed by the detail when the
  // page has no text for the code — as the CLI writes it (cli/voice.go).
  function reasonText(c) {
    const k = "reason." + c.code;
    if (c.code && w.has(k)) return w.t(k, Object.assign(localParams(c.params), { detail: c.detail || "" }));
    const generic = w.t("reason.generic." + c.status);
    return c.detail ? w.t("reason.generic.withDetail", { reason: generic, detail: c.detail }) : generic;
  }

  // verdictBox summarizes a result in plain words.
  function verdictBox(res, what) {
    const errors = res.errors || [];
    const warnings = res.warnings || [];
    let cls, icon, title, text;
    if (res.verified && warnings.length === 0) {
      cls = "valid"; icon = "✓"; title = w.t(what + ".valid"); text = w.t(what + ".validText");
    } else if (res.verified) {
      cls = "warning"; icon = "!"; title = w.t(what + ".validWarnings");
      // A check may warn twice (disclosure: claims always shown, and
      // claims the wallet added): the summary names it once.
      text = w.t("verdict.warningsText", { checks: [...new Set(warnings.map((c) => checkName(c.name)))].join(", ") });
    } else {
      cls = "invalid"; icon = "✕"; title = w.t(what + ".invalid");
      const first = errors[0];
      text = first ? w.t("verdict.failedText", { check: checkName(first.name), detail: reasonText(first) }) : "";
    }
    return el("div", { class: "verdict " + cls, id: "verdict", dataset: { verdict: cls } },
      el("span", { class: "icon", "aria-hidden": "true" }, icon),
      el("div", null, el("h2", null, title), el("p", null, text)));
  }

  // checkList lists the checks. When the credential may be forged
  // (untrusted), the checks that passed on what it says — its issuer,
  // accreditation, dates, schema, status — are about claims nobody vouches
  // for: they say so instead of repeating them.
  function checkList(checks, untrusted) {
    const ul = el("ul", { class: "checks", id: "checks" });
    for (const c of checks || []) {
      const moot = untrusted && !(c.name === "structure" || c.name === "proof" || c.status === "failed");
      ul.append(el("li", { class: moot ? "moot" : null, dataset: { check: c.name, status: c.status, code: c.code || "" } },
        el("span", { class: "badge " + c.status }, w.t("status." + c.status)),
        el("span", { class: "name" }, checkName(c.name)),
        el("span", { class: "reason" }, moot ? w.t("untrusted.check") : reasonText(c)),
        w.english(c.detail)));
    }
    return ul;
  }

  function value(v) {
    if (v === null || v === undefined) return "";
    if (typeof v === "object") return el("code", null, JSON.stringify(v));
    return String(v);
  }

  // claimLabel names a claim key (a path "a.b" for nested claims) in
  // the words of the first of the credential's schemas that has a title
  // for it, in the page's language; else the key itself.
  function claimLabel(docs, key) {
    for (const d of docs || []) {
      let node = d;
      const path = key.split(".");
      for (const k of path.slice(0, -1)) node = node && node.properties && typeof node.properties === "object" ? node.properties[k] : null;
      const label = w.claimLabel(node, path[path.length - 1]);
      if (label !== path[path.length - 1]) return label;
    }
    return key;
  }

  // claimSchema is the schema of a claim key (a path "a.b") in the first
  // of the credential's schemas that has one for which has(node) holds;
  // null if none.
  function claimSchema(docs, key, has) {
    for (const d of docs || []) {
      let node = d;
      for (const k of key.split(".")) node = node && node.properties && typeof node.properties === "object" && Object.prototype.hasOwnProperty.call(node.properties, k) ? node.properties[k] : null;
      if (node && typeof node === "object" && has(node)) return node;
    }
    return null;
  }

  // RFC 3339 full-date and date-time (§5.6), as a claim without a schema
  // may carry them.
  const fullDate = /^\d{4}-\d{2}-\d{2}$/;
  const dateTime = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

  // scalarValue is a claim's value in the page's language: yes or no for
  // a boolean, a date or date-time (by the schema's format, else by its
  // RFC 3339 form) as the page writes the ledger's, the value itself on
  // hover; other values as they are.
  function scalarValue(v, format) {
    if (typeof v === "boolean") return el("span", { dataset: { value: String(v) } }, w.t(v ? "value.true" : "value.false"));
    if (typeof v === "string") {
      const asDate = format === "date" || (!format && fullDate.test(v));
      const asTime = format === "date-time" || (!format && dateTime.test(v));
      const text = asDate ? w.date(v) : asTime ? w.time(v) : v;
      if (text !== v) return el("span", { title: v, dataset: { value: v } }, text);
    }
    return value(v);
  }

  // claimValue shows a claim's value: an enum's value as its schema labels
  // it in the page's language (the value itself on hover), a list as a
  // list, others as scalarValue writes them.
  function claimValue(docs, key, v) {
    if (Array.isArray(v) && v.every((x) => x === null || typeof x !== "object")) {
      const arr = claimSchema(docs, key, (n) => n.items && typeof n.items === "object" && !Array.isArray(n.items));
      const items = arr && arr.items;
      return el("ul", { class: "values" }, v.map((x) => el("li", null, items && typeof x === "string" && Array.isArray(items.enum) ? w.valueLabel(items, x) : scalarValue(x, items && items.format))));
    }
    const node = typeof v === "string" ? claimSchema(docs, key, (n) => Array.isArray(n.enum)) : null;
    const label = node ? w.valueLabel(node, v) : v;
    const format = claimSchema(docs, key, (n) => typeof n.format === "string");
    return node && label !== v ? el("span", { title: v, dataset: { value: v } }, label) : scalarValue(v, format ? format.format : "");
  }

  // claimsTable lists a credential's subject claims (or a presentation
  // result's disclosed claims), each named as its schemas name it (docs:
  // the JSON Schemas, from the ledger).
  function claimsTable(subject, docs) {
    if (!subject || typeof subject !== "object") return null;
    const subjects = Array.isArray(subject) ? subject : [subject];
    const tbody = el("tbody");
    for (const s of subjects) {
      for (const [k, v] of Object.entries(s)) {
        const label = k === "id" ? w.t("claims.subject") : claimLabel(docs, k);
        tbody.append(el("tr", { dataset: { claim: k } }, el("th", { scope: "row", title: label !== k ? k : null }, label),
          el("td", { class: k === "id" ? "mono" : "" }, claimValue(docs, k, v))));
      }
    }
    return el("div", { class: "table-wrap" }, el("table", { id: "claims" }, tbody));
  }

  // schemaPath is the API path of a weid schema URL
  // (http(s)://host/v1/schemas/{id}[/versions/{v}], as credential.ParseSchemaURL
  // reads it): this node's ledger holds the same schemas whatever host
  // the credential names. null for any other URL.
  function schemaPath(url) {
    let u;
    try { u = new URL(url); } catch (e) { return null; }
    if (u.protocol !== "http:" && u.protocol !== "https:" || u.search || u.hash) return null;
    const m = /^\/v1\/schemas\/([1-9][0-9]{0,15})(\/versions\/[1-9][0-9]{0,15})?$/.exec(u.pathname);
    return m ? m[0] : null;
  }

  // schemaDocs reads the weid schemas a credential names from the ledger:
  // [{id, doc}], doc null when the node has none.
  async function schemaDocs(ids) {
    return Promise.all(ids.map(async (id) => {
      const path = schemaPath(id);
      if (!path) return { id, doc: null };
      const r = await w.api("GET", path);
      return { id, doc: r.ok && r.body && r.body.schema && typeof r.body.schema === "object" ? r.body.schema : null };
    }));
  }

  function issuerID(cred) {
    const iss = cred && cred.issuer;
    if (!iss) return "";
    return typeof iss === "string" ? iss : iss.id || "";
  }

  // ledgerFacts looks up the issuer in the trust registry and its DID on
  // the ledger, and names the status list entry.
  async function ledgerFacts(cred) {
    const facts = { issuer: issuerID(cred) };
    if (facts.issuer.startsWith("did:weid:")) {
      const enc = encodeURIComponent(facts.issuer);
      const [reg, doc] = await Promise.all([w.api("GET", "/v1/issuers/" + enc), w.api("GET", "/v1/dids/" + enc)]);
      if (reg.ok && reg.body && reg.body.issuer) facts.registry = reg.body.issuer;
      if ((doc.ok || doc.status === 410) && doc.body && doc.body.didDocumentMetadata) facts.did = doc.body.didDocumentMetadata;
    }
    const st = cred && cred.credentialStatus;
    facts.status = (Array.isArray(st) ? st : st ? [st] : []).map((e) => {
      const list = String(e.statusListCredential || "");
      return { purpose: e.statusPurpose, index: e.statusListIndex, list, listId: list.split("/").pop() };
    });
    // An SD-JWT VC's Token Status List reference: {status_list: {idx, uri}},
    // the uri …/status-lists/{id}/token.
    const ref = cred && cred.status && cred.status.status_list;
    if (ref && typeof ref.uri === "string") {
      const parts = ref.uri.split("/");
      facts.status.push({ purpose: "tokenStatusList", index: String(ref.idx), list: ref.uri, listId: parts[parts.length - 1] === "token" ? parts[parts.length - 2] : ref.uri });
    }
    const sch = cred && cred.credentialSchema;
    facts.schema = await schemaDocs((Array.isArray(sch) ? sch : sch ? [sch] : []).map((s) => s && s.id).filter((id) => typeof id === "string" && id));
    return facts;
  }

  function issuerCard(cred, facts) {
    const rows = [];
    const name = facts.registry ? facts.registry.name : (cred && cred.issuer && cred.issuer.name) || null;
    rows.push(["issuer.name", name ? el("strong", { id: "issuer-name" }, name) : el("span", { id: "issuer-name", i18n: "issuer.unknown" })]);
    if (facts.registry) {
      rows.push(["issuer.registry", el("span", null, w.t("issuer.recognized", { types: (facts.registry.types || []).join(", ") }), " · ",
        w.explorerLink("block", facts.registry.height, w.t("facts.atBlock", { height: facts.registry.height })))]);
    }
    rows.push(["issuer.did", facts.issuer ? (facts.issuer.startsWith("did:weid:") ? w.explorerLink("did", facts.issuer) : el("span", { class: "mono" }, facts.issuer)) : ""]);
    return el("section", { class: "card", "aria-labelledby": "issuer-h" }, el("h2", { id: "issuer-h", i18n: "issuer.title" }), w.dl(rows));
  }

  function factsCard(cred, facts) {
    const rows = [];
    if (facts.did) {
      rows.push(["facts.didHeight", el("span", { id: "fact-did-height" },
        w.explorerLink("did", facts.issuer, w.t("facts.didDocument", { height: facts.did.blockHeight || 0, version: facts.did.versionId || "?" })),
        facts.did.deactivated ? " · " + w.t("facts.deactivated") : "")]);
      if (facts.did.txHash) rows.push(["facts.didTx", w.explorerLink("tx", facts.did.txHash, w.short(facts.did.txHash, 12))]);
    }
    // A credential without an id (an SD-JWT VC) is revoked on /institution
    // by its entry: the hint says what to type there.
    const byEntry = !(cred && typeof cred.id === "string" && cred.id);
    facts.status.forEach((s, i) => {
      const hint = byEntry ? el("span", { id: "fact-status-revoke-" + i, class: "hint" }) : null;
      if (hint) w.setText(hint, "facts.revokeByEntry", { list: s.listId, index: s.index });
      rows.push(["facts.statusList", el("span", null,
        el("span", { id: "fact-status-" + i, class: "mono" }, w.t("facts.statusEntry", { purpose: s.purpose ? w.t("purpose." + s.purpose) : "?", list: s.listId, index: s.index })), hint)]);
    });
    facts.schema.forEach((s, i) => {
      const title = w.schemaText(s.doc, "title");
      rows.push(["facts.schema", el("span", { id: "fact-schema-" + i }, title ? el("strong", null, title) : null, title ? " " : null, el("span", { class: "mono" }, s.id))]);
    });
    if (cred && cred.id) rows.push(["facts.credentialId", el("span", { class: "mono", id: "credential-id" }, cred.id)]);
    if (cred && cred.validFrom) rows.push(["facts.validFrom", w.time(cred.validFrom)]);
    if (cred && cred.validUntil) rows.push(["facts.validUntil", w.time(cred.validUntil)]);
    if (cred && cred.type) rows.push(["facts.types", [].concat(cred.type).join(", ")]);
    if (!rows.length) return null;
    return el("section", { class: "card", "aria-labelledby": "facts-h" }, el("h2", { id: "facts-h", i18n: "facts.title" }), w.dl(rows));
  }

  // untrusted reports whether a result's credential may be forged: its
  // proof or the binding of its issuer to the signing key failed, so
  // nothing it says (claims, issuer, dates, status entry) is the issuer's.
  function untrusted(res) {
    return (res.checks || []).some((c) => (c.name === "proof" || c.name === "issuerBinding") && c.status === "failed");
  }

  // notCredential answers input that is no credential at all with one
  // sentence (and the node's English reason on demand).
  function notCredential(target, detail) {
    rerender = null; // the sentence is a data-i18n element, redrawn by the switch
    w.clear(target).append(el("p", { class: "msg error", id: "not-credential", role: "alert", i18n: "verify.notCredential" }), w.english(detail));
  }

  // unverified wraps what a credential that may be forged says: behind
  // "show the unverified content", each card marked unverified in words
  // and style.
  function unverified(cards) {
    const mark = () => el("p", { class: "unverified-mark", i18n: "untrusted.mark" });
    cards.forEach((c) => { c.classList.add("unverified"); c.prepend(mark()); });
    return el("section", { class: "card untrusted", id: "untrusted", "aria-labelledby": "untrusted-h" },
      el("h2", { id: "untrusted-h", i18n: "untrusted.title" }),
      el("p", { i18n: "untrusted.text" }),
      el("details", { id: "unverified" }, el("summary", { i18n: "untrusted.show" }), ...cards));
  }

  // renderResult shows a /credentials/verify result.
  async function renderResult(res) {
    const target = $("result");
    const structure = (res.checks || []).find((c) => c.name === "structure");
    if (structure && structure.status === "failed") {
      notCredential(target, structure.detail);
      return;
    }
    const cred = res.credential;
    const facts = cred ? await ledgerFacts(cred) : null;
    rerender = () => draw();
    draw();
    function draw() {
      const parts = [verdictBox(res, "verdict"),
        el("section", { class: "card", "aria-labelledby": "checks-h" }, el("h2", { id: "checks-h", i18n: "checks.title" }), checkList(res.checks, untrusted(res)))];
      if (cred) {
        const cards = [issuerCard(cred, facts),
          el("section", { class: "card", "aria-labelledby": "claims-h" }, el("h2", { id: "claims-h", i18n: "claims.title" }), claimsTable(cred.credentialSubject, facts.schema.map((s) => s.doc)))];
        const fc = factsCard(cred, facts);
        if (untrusted(res)) {
          parts.push(unverified(fc ? cards.concat(fc) : cards));
        } else {
          parts.push(el("div", { class: "grid2" }, ...cards));
          if (fc) parts.push(fc);
        }
      }
      const open = target.querySelector("#unverified[open]");
      w.clear(target).append(...parts);
      if (open) target.querySelector("#unverified").open = true;
    }
  }

  // ---- verify a pasted credential --------------------------------------------

  function parseInput(text) {
    text = text.trim();
    if (!text) return { error: "verify.empty" };
    if (text[0] === "{" || text[0] === "[") {
      try { return { value: JSON.parse(text) }; } catch (e) { return { error: "verify.badJSON", detail: e.message }; }
    }
    if (text[0] === '"') {
      try { return { value: JSON.parse(text) }; } catch (e) { /* fall through */ }
    }
    const compact = text.replace(/\s+/g, "");
    // The id of an EnvelopedVerifiableCredential, as this node issues it.
    if (/^data:application\/(vc\+jwt|dc\+sd-jwt|vc\+sd-jwt),/.test(compact)) {
      return { value: { "@context": "https://www.w3.org/ns/credentials/v2", id: compact, type: "EnvelopedVerifiableCredential" } };
    }
    return { value: compact };
  }

  // b64json is the JSON of a base64url segment, null if it is none.
  function b64json(seg) {
    try { return JSON.parse(atob(seg.replace(/-/g, "+").replace(/_/g, "/"))); } catch (e) { return null; }
  }

  // isPresentation reports whether pasted input is a presentation rather
  // than a credential: a JSON VerifiablePresentation (or enveloped one),
  // or a compact JWT typed vp+jwt or carrying a "vp" claim or presentation
  // type. (An SD-JWT with a key-binding JWT is left to the node.)
  function isPresentation(v) {
    const vpType = (t) => [].concat(t || []).some((x) => x === "VerifiablePresentation" || x === "EnvelopedVerifiablePresentation");
    if (v && typeof v === "object") return vpType(v.type);
    const parts = typeof v === "string" && !v.includes("~") ? v.split(".") : [];
    if (parts.length !== 3) return false;
    const [h, p] = [b64json(parts[0]), b64json(parts[1])];
    return Boolean(h && (/^(application\/)?vp\+/.test(String(h.typ)) || (p && (p.vp || vpType(p.type)))));
  }

  async function verify(ev) {
    ev.preventDefault();
    const target = $("result");
    const input = parseInput($("credential").value);
    if (!input.error && isPresentation(input.value)) input.error = "verify.presentation";
    if (input.error) {
      // The browser's own words for the JSON error are English: on demand.
      rerender = null;
      w.say(target, "error", input.error, input.vars);
      if (input.detail) target.append(w.english(input.detail));
      return;
    }
    const btn = $("verify-btn");
    btn.disabled = true;
    w.say(target, "info", "verify.working");
    try {
      const body = { verifiableCredential: input.value };
      if ($("require-accreditation").checked) body.options = { requireAccreditation: true };
      const r = await w.api("POST", "/credentials/verify", { body });
      const code = r.body && r.body.code;
      // A credential that failed a check is a 400 problem carrying the
      // verdict (W3C VCALM answers 200 or 400); another 400 is a bad request.
      const verdict = r.status === 200 || (r.status === 400 && code === "credential.verificationFailed");
      if (verdict && r.body && Array.isArray(r.body.checks)) {
        await renderResult(r.body);
      } else if (r.status === 400 && (code === "credential.invalid" || code === "credential.unsupportedFormat")) {
        notCredential(target, w.problemDetail(r));
      } else {
        rerender = null;
        w.problemMessage(target, r);
      }
    } finally {
      btn.disabled = false;
    }
    target.querySelector("#verdict, .msg") && target.scrollIntoView({ block: "start" });
  }

  // readFile puts a chosen, dropped or pasted file's text in the box and
  // names the file beside the picker, in the page's language. A file too
  // large is refused and not named: the picker shows none chosen (and
  // forgets it, so that choosing it again says so again).
  async function readFile(f) {
    clearResult();
    if (f.size > 1 << 20) {
      w.setText($("file-name"), "verify.file.none");
      $("file-name").classList.remove("chosen");
      $("file").value = "";
      w.say($("result"), "error", "verify.tooLarge");
      return;
    }
    w.setText($("file-name"), "verify.file.chosen", { name: f.name });
    $("file-name").classList.add("chosen");
    $("credential").value = await f.text();
  }

  // clearResult takes the last verdict off the page when what is to be
  // verified changes (a file chosen, dropped or pasted, the text edited):
  // a verdict under another credential than the one shown would be read
  // as that one's.
  function clearResult() {
    rerender = null;
    w.clear($("result"));
  }
  $("credential").addEventListener("input", clearResult);

  $("file").addEventListener("change", () => {
    const f = $("file").files[0];
    if (f) readFile(f);
  });
  // A file dragged onto the picker or the text box is read as if chosen
  // (the hidden input no longer takes drops itself); text dropped or
  // pasted into the box stays the browser's to insert.
  const pick = $("file-pick");
  const hasFile = (ev) => Boolean(ev.dataTransfer) && Array.from(ev.dataTransfer.types).includes("Files");
  for (const zone of [pick, $("credential")]) {
    zone.addEventListener("dragover", (ev) => { if (hasFile(ev)) { ev.preventDefault(); pick.classList.add("over"); } });
    zone.addEventListener("dragleave", () => pick.classList.remove("over"));
    zone.addEventListener("drop", (ev) => {
      pick.classList.remove("over");
      const f = hasFile(ev) && ev.dataTransfer.files[0];
      if (f) { ev.preventDefault(); readFile(f); }
    });
  }
  // A pasted file is read only when it is of a kind the picker accepts:
  // what a word processor copies may carry an image beside its text.
  const credentialFile = (f) => /\.(json|jwt|sd-jwt|txt)$/i.test(f.name) || /^(application\/json|text\/plain)$/.test(f.type);
  $("credential").addEventListener("paste", (ev) => {
    const f = ev.clipboardData && ev.clipboardData.files[0];
    if (f && credentialFile(f)) { ev.preventDefault(); readFile(f); }
  });
  $("verify-form").addEventListener("submit", verify);

  // ---- request a presentation (OpenID4VP) -----------------------------------

  let types = []; // [{label, type, format, schema}]
  let vpSchema = null; // the JSON Schema of the claims asked for, if chosen
  let vpSchemas = []; // the ledger's schemas, as /v1/schemas lists them
  let session = null; // {id, token, abort}

  async function loadOptions() {
    const token = w.readToken($("vp-token"));
    const msg = $("vp-msg");
    if (!token) { w.say(msg, "error", "token.missing"); return; }
    w.setToken(token);
    const [inst, iss, sch] = await Promise.all([w.api("GET", "/v1/issuer-instances", { token }), w.api("GET", "/v1/issuers"), w.api("GET", "/v1/schemas")]);
    if (!inst.ok) { w.problemMessage(msg, inst); return; }
    w.clear(msg);
    types = [];
    const seen = new Set();
    for (const i of inst.body.instances || []) {
      const type = (i.types || []).filter((t) => t !== "VerifiableCredential").pop() || i.name;
      types.push({ label: i.name + " — " + type, type, format: i.format, schema: i.schema || 0 });
      seen.add(type);
    }
    // The trust registry's types; an issuer accredited for one schema
    // names the claims of its types.
    for (const i of (iss.ok && iss.body.issuers) || []) {
      for (const type of i.types || []) {
        if (seen.has(type)) continue;
        seen.add(type);
        types.push({ label: type + " (" + i.name + ")", type, schema: (i.schemas || []).length === 1 ? i.schemas[0] : 0 });
      }
    }
    const ssel = w.clear($("vp-schema"));
    ssel.append(el("option", { value: "0", i18n: "vp.noSchema" }));
    for (const s of (sch.ok && sch.body.schemas) || []) ssel.append(el("option", { value: String(s.id) }, schemaName(s)));
    vpSchemas = (sch.ok && sch.body.schemas) || [];
    const sel = w.clear($("vp-type"));
    types.forEach((t, i) => sel.append(el("option", { value: String(i) }, t.label)));
    $("vp-options").hidden = types.length === 0;
    if (!types.length) { w.say(msg, "info", "vp.noTypes"); return; }
    await typeChanged();
  }

  async function typeChanged() {
    const t = types[Number($("vp-type").value)];
    if (!t) return;
    $("vp-format").value = { "dc+sd-jwt": "dc+sd-jwt", "vc+jwt": "jwt_vc_json" }[t.format] || (t.format ? "ldp_vc" : "dc+sd-jwt");
    $("vp-schema").value = String(t.schema || 0);
    await schemaChanged();
  }

  async function schemaChanged() {
    const id = Number($("vp-schema").value);
    const box = w.clear($("vp-claims"));
    let props = [];
    vpSchema = null;
    if (id) {
      const r = await w.api("GET", "/v1/schemas/" + id);
      if (r.ok && r.body.schema && r.body.schema.properties) {
        vpSchema = r.body.schema;
        props = Object.keys(r.body.schema.properties).filter((p) => p !== "id");
      }
    }
    if (!props.length) {
      box.append(el("span", { class: "hint", i18n: "vp.noClaims" }));
      return;
    }
    props.forEach((p) => box.append(el("label", { dataset: { claim: p } }, el("input", { type: "checkbox", value: p, id: "vp-claim-" + p }), el("span", null, w.claimLabel(vpSchema, p)))));
  }

  // schemaName names a ledger schema in the page's language, as the
  // explorer does: its title (x-weid-i18n), else its registered name.
  function schemaName(s) {
    return "#" + s.id + " " + (w.schemaText(s.schema, "title") || s.name);
  }

  // labelClaimChoices renames the schemas and the claims to ask for after
  // a language switch.
  function labelClaimChoices() {
    for (const s of vpSchemas) {
      const o = $("vp-schema").querySelector('option[value="' + s.id + '"]');
      if (o) o.textContent = schemaName(s);
    }
    $("vp-claims").querySelectorAll("label[data-claim]").forEach((l) => { l.querySelector("span").textContent = w.claimLabel(vpSchema, l.dataset.claim); });
  }

  // dcql builds the DCQL query (OpenID4VP 1.0 §6) of the form's choices.
  function dcql() {
    const t = types[Number($("vp-type").value)];
    const format = $("vp-format").value;
    const claims = Array.from($("vp-claims").querySelectorAll("input:checked"), (c) => c.value);
    const q = { id: "credential", format };
    if (format === "dc+sd-jwt") {
      q.meta = { vct_values: [t.type] };
      if (claims.length) q.claims = claims.map((c) => ({ path: [c] }));
    } else {
      q.meta = { type_values: [["VerifiableCredential", t.type]] };
      if (claims.length) q.claims = claims.map((c) => ({ path: ["credentialSubject", c] }));
    }
    return { credentials: [q] };
  }

  function statusText(st) {
    return w.t("vp.status." + st);
  }

  function showStatus(st) {
    const p = $("vp-status");
    p.dataset.status = st;
    p.textContent = statusText(st);
  }

  async function startRequest(ev) {
    ev.preventDefault();
    const token = w.readToken($("vp-token"));
    if (!token) { w.say($("vp-msg"), "error", "token.missing"); return; }
    // With claims to choose from and none chosen, the query would name no
    // claims and the wallet would disclose the whole credential.
    const boxes = $("vp-claims").querySelectorAll("input[type=checkbox]");
    if (boxes.length && !$("vp-claims").querySelector("input:checked")) { w.say($("vp-msg"), "error", "vp.noClaimChosen"); return; }
    if (session && session.abort) session.abort.abort();
    const body = { dcql_query: dcql() };
    const purpose = $("vp-purpose").value.trim();
    if (purpose) body.purpose = purpose;
    const r = await w.api("POST", "/v1/presentation-requests", { token, body });
    if (r.status !== 201) { w.problemMessage($("vp-msg"), r); return; }
    w.clear($("vp-msg"));
    const pr = r.body;
    session = { id: pr.id, token, abort: new AbortController() };
    $("vp-session").hidden = false;
    w.clear($("vp-qr"));
    qrImage(session).then((img) => { if (img && session && session.id === pr.id) $("vp-qr").append(img); });
    const link = $("vp-link");
    const uri = pr.requestUri || pr.request_uri || "";
    link.textContent = uri;
    link.href = uri;
    link.dataset.requestUri = uri;
    $("vp-expires").textContent = pr.expires ? w.t("vp.expires", { time: w.time(pr.expires) }) : "";
    warnUnreachable(pr.request_uri || "");
    w.clear($("result"));
    rerender = null;
    showStatus(pr.status || "pending");
    $("vp-session").scrollIntoView({ block: "start" });
    watch(session);
  }

  // qrImage fetches the request's QR code (the endpoint wants the token, so
  // no <img src>) and returns it as an image of a data: URL.
  async function qrImage(s) {
    try {
      const resp = await fetch("/v1/presentation-requests/" + encodeURIComponent(s.id) + "/qr?format=png", {
        headers: { Authorization: "Bearer " + s.token }, cache: "no-store" });
      if (!resp.ok) return null;
      const blob = await resp.blob();
      const url = await new Promise((res, rej) => {
        const fr = new FileReader();
        fr.onload = () => res(fr.result);
        fr.onerror = rej;
        fr.readAsDataURL(blob);
      });
      return w.qrImage(url, w.t("vp.qrAlt"));
    } catch (e) {
      return null;
    }
  }

  const terminal = new Set(["verified", "rejected", "expired"]);

  function update(s, st) {
    if (session !== s) return true;
    showStatus(st.status);
    if (terminal.has(st.status)) {
      if (st.result) renderPresentation(st);
      else if (st.status === "expired") { rerender = null; w.message($("result"), "info", statusText("expired")); }
      return true;
    }
    return false;
  }

  // watch follows the request's event stream (fetch, since it needs the
  // Authorization header), and polls if the stream breaks.
  async function watch(s) {
    try {
      const resp = await fetch("/v1/presentation-requests/" + encodeURIComponent(s.id) + "/events", {
        headers: { Authorization: "Bearer " + s.token, Accept: "text/event-stream" }, signal: s.abort.signal, cache: "no-store" });
      if (resp.ok && resp.body) {
        const reader = resp.body.pipeThrough(new TextDecoderStream()).getReader();
        let buf = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += value.replace(/\r\n?/g, "\n");
          let i;
          while ((i = buf.indexOf("\n\n")) >= 0) {
            const block = buf.slice(0, i);
            buf = buf.slice(i + 2);
            let event = "message";
            const data = [];
            for (const line of block.split("\n")) {
              if (line.startsWith("event:")) event = line.slice(6).trim();
              else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
            }
            if (event !== "status" || !data.length) continue;
            let st;
            try { st = JSON.parse(data.join("\n")); } catch (e) { continue; }
            if (update(s, st)) { s.abort.abort(); return; }
          }
        }
      }
    } catch (e) {
      if (e && e.name === "AbortError") return;
    }
    // The stream ended or failed before a verdict: poll.
    while (session === s) {
      const r = await w.api("GET", "/v1/presentation-requests/" + encodeURIComponent(s.id), { token: s.token });
      if (r.ok && update(s, r.body)) return;
      if (r.status === 404) { showStatus("expired"); return; }
      await new Promise((res) => setTimeout(res, 2000));
    }
  }

  // flatClaims lists the leaves of disclosed claims as "a.b" paths, the
  // credentialSubject prefix of W3C credentials left out.
  function flatClaims(claims) {
    const out = {};
    (function walk(v, path) {
      if (v && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length) {
        for (const [k, x] of Object.entries(v)) walk(x, path.concat(k));
        return;
      }
      const p = path[0] === "credentialSubject" && path.length > 1 ? path.slice(1) : path;
      out[p.join(".")] = v;
    })(claims || {}, []);
    return out;
  }

  function statusFact(s) {
    if (!s) return "";
    const e = s.entry || {};
    const list = String(e.statusListCredential || "").split("/").pop();
    return el("span", null, el("span", { class: "badge-inline " + s.check }, w.t("status." + s.check)),
      list ? " " + w.t("facts.statusEntry", { purpose: e.statusPurpose ? w.t("purpose." + e.statusPurpose) : "?", list, index: e.statusListIndex }) : "");
  }

  async function renderPresentation(st) {
    const res = st.result;
    const creds = res.credentials || [];
    const issuers = await Promise.all(creds.map((c) => (c.issuer ? ledgerFacts({ issuer: c.issuer }) : Promise.resolve(null))));
    const asked = vpSchema ? [vpSchema] : []; // the claims are named as the schema they were asked from names them
    rerender = draw;
    draw();
    function draw() {
      const parts = [verdictBox(res, "vpverdict")];
      if (res.walletError) parts.push(el("p", { class: "msg error" }, w.t("vp.walletError", { error: res.walletError })));
      parts.push(el("section", { class: "card", "aria-labelledby": "checks-h" }, el("h2", { id: "checks-h", i18n: "checks.title" }), checkList(res.checks)));
      if (res.holder) parts.push(el("section", { class: "card" }, w.dl([["vp.holder", el("span", { class: "mono", id: "holder" }, res.holder)]])));
      creds.forEach((c, i) => {
        const f = issuers[i] || { issuer: c.issuer || "" };
        const types = [].concat(c.types || []).filter((t) => t !== "VerifiableCredential").join(", ");
        parts.push(el("section", { class: "card", dataset: { credential: c.queryId || String(i) } },
          el("h2", null, w.t("vp.credential", { types: types || c.format || "" })),
          w.dl([["issuer.name", el("strong", { id: i === 0 ? "issuer-name" : null }, c.issuerName || (f.registry && f.registry.name) || w.t("issuer.unknown"))],
            ["issuer.did", c.issuer ? (String(c.issuer).startsWith("did:weid:") ? w.explorerLink("did", c.issuer) : el("span", { class: "mono" }, c.issuer)) : ""],
            ["facts.didHeight", f.did ? w.explorerLink("did", c.issuer, w.t("facts.didDocument", { height: f.did.blockHeight || 0, version: f.did.versionId || "?" })) : ""],
            ["facts.statusList", statusFact(c.status)],
            ["vp.format", c.format]]),
          el("h3", { i18n: "claims.disclosed" }), claimsTable(flatClaims(c.claims), asked)));
      });
      w.clear($("result")).append(...parts);
    }
  }

  // warnUnreachable says, when the request the QR code points at is on a
  // loopback address (the node has no --public-url and the page was opened
  // at 127.0.0.1), that no phone can reach it, as the institution page does
  // for its offers.
  function warnUnreachable(url) {
    const box = $("vp-reach");
    let u = null;
    try { u = new URL(url); } catch (e) { u = null; }
    box.hidden = !(u && w.loopback(u.hostname));
    w.clear(box);
    if (!box.hidden) w.say(box, "warning", "vp.reach", { url: u.origin, port: u.port || (u.protocol === "https:" ? "443" : "80") });
  }

  $("vp-load").addEventListener("click", loadOptions);
  $("vp-type").addEventListener("change", typeChanged);
  $("vp-schema").addEventListener("change", schemaChanged);
  $("vp-form").addEventListener("submit", startRequest);
  $("vp-token").value = w.getToken();

  w.onLang(() => {
    labelClaimChoices();
    if (rerender) rerender();
    const st = $("vp-status").dataset.status;
    if (st) showStatus(st);
  });
})();
