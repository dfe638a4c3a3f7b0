// /institution: offer a certificate to a wallet (a form built from the
// issuer instance's JSON Schema, then an OpenID4VCI offer QR code), and
// revoke or suspend one.
"use strict";
(function () {
  const w = window.weid;
  const el = w.el;
  const $ = (id) => document.getElementById(id);
  let instances = [];
  let schema = null; // the selected instance's JSON Schema
  let offer = null;
  let reachShown = null; // the loopback warning shown: [url, i18n key, element id]
  // drawn counts sign-ins, sign-outs and instance changes: an answer that
  // comes after a newer one started is dropped, so a click on "Use token"
  // while the automatic sign-in runs draws the form once, not twice.
  let drawn = 0;
  let offerMsg = null; // redraws #offer-msg after a language switch (sayOffer)

  // reach warns in the element id, when url is on a loopback address,
  // that no phone can reach it and how to give the node a public URL;
  // otherwise, or elsewhere, there is no warning.
  function reach(url, key, id) {
    let u = null;
    try { u = new URL(url); } catch (e) { u = null; }
    reachShown = u && w.loopback(u.hostname) ? [url, key, id] : null;
    for (const box of [$("reach-msg"), $("offer-reach")]) {
      box.hidden = !reachShown || box.id !== id;
      if (box.hidden) w.clear(box);
    }
    if (reachShown) w.say($(id), "warning", key, { url: u.origin, port: u.port || (u.protocol === "https:" ? "443" : "80") });
  }

  async function signIn(ev) {
    if (ev) ev.preventDefault();
    const token = w.readToken($("token"));
    if (!token) { w.say($("token-msg"), "error", "token.missing"); return; }
    // The node administrator's token lists every account's instances
    // but issues for none of them (issuer.notFound): only it may list
    // the accounts, which tells it apart.
    const mine = ++drawn;
    const [r, accounts] = await Promise.all([w.api("GET", "/v1/issuer-instances", { token }), w.api("GET", "/v1/accounts", { token })]);
    if (mine !== drawn) return;
    if (!r.ok) { $("work").hidden = true; w.problemMessage($("token-msg"), r); return; }
    if (accounts.ok) { $("work").hidden = true; w.say($("token-msg"), "error", "inst.adminToken"); return; }
    w.setToken(token);
    instances = r.body.instances || [];
    const sel = w.clear($("instance"));
    instances.forEach((i, n) => sel.append(el("option", { value: String(n) }, i.name + " — " + (i.types || []).join(", ") + " (" + i.format + ")")));
    w.say($("token-msg"), "ok", "inst.signedIn", { count: instances.length });
    $("work").hidden = false;
    if (!offer) reach(location.href, "inst.reach.page", "reach-msg");
    if (!instances.length) w.say($("offer-msg"), "info", "inst.noInstances");
    await instanceChanged();
  }

  async function instanceChanged() {
    const i = instances[Number($("instance").value)];
    const box = w.clear($("claims-fields"));
    schema = null;
    forgetOffer();
    const mine = ++drawn;
    offerMsg = null; // it names the fields of the form drawn before
    if (!i) return;
    w.setText($("instance-info"), "inst.instanceInfo", { issuer: i.issuer, schema: i.schema || "-" });
    if (i.schema) {
      const r = await w.api("GET", "/v1/schemas/" + i.schema);
      if (mine !== drawn) return;
      if (r.ok) schema = r.body.schema;
    }
    const names = schema && schema.properties ? Object.keys(schema.properties).filter((n) => n !== "id") : [];
    // A claim the form cannot draw as a field (drawable) makes the whole
    // form the JSON editor, as for an instance without a schema, with a
    // hint that names it: a text box would send text, which the node
    // refuses without a word of why.
    const undrawn = names.filter((n) => !drawable(schema.properties[n] || {}));
    if (!names.length || undrawn.length) {
      box.append(el("label", { class: "field", for: "claims-json", i18n: "inst.claimsJSON" }));
      if (undrawn.length) box.append(el("p", { class: "hint", id: "claims-json-why", dataset: { claims: JSON.stringify(undrawn) } }));
      box.append(el("textarea", { id: "claims-json", spellcheck: "false" }, "{\n  \n}"));
      box.dataset.instance = i.name;
      labelFields();
      return;
    }
    const req = new Set(schema.required || []);
    const fs = el("fieldset", { class: "form-grid" }, el("legend", { id: "claims-legend" }), el("p", { class: "hint", id: "claims-about" }));
    // Required fields first, in the order of the schema's "required" (the
    // ledger keeps schemas in RFC 8785 form, whose members are sorted, so
    // that array is the only order the institution chose), then the
    // others; not "id", which is the wallet's DID.
    const first = (schema.required || []).filter((n, i, all) => n !== "id" && names.includes(n) && all.indexOf(n) === i);
    for (const name of first.concat(names.filter((n) => !req.has(n)))) {
      fs.append(field(name, schema.properties[name] || {}, req.has(name)));
    }
    box.append(fs);
    box.dataset.instance = i.name;
    labelFields();
  }

  // labelFields writes the form's words in the page's language: the
  // schema's title as the legend, each field labelled by its property's
  // title and described by its description (x-weid-i18n, else the
  // schema's own words, else the claim's key). A language switch calls it
  // again; what was typed stays.
  function labelFields() {
    const why = $("claims-json-why");
    if (why && schema) {
      why.textContent = w.t("inst.claimsJSON.why", { fields: JSON.parse(why.dataset.claims).map((n) => w.claimLabel(schema, n) + " (" + n + ")").join(w.t("list.sep")) });
    }
    const legend = $("claims-legend");
    if (!legend || !schema) return;
    legend.textContent = w.schemaText(schema, "title") || w.t("inst.claims");
    $("claims-about").textContent = w.schemaText(schema, "description");
    $("claims-about").hidden = !$("claims-about").textContent;
    $("claims-fields").querySelectorAll("label[data-claim]").forEach((label) => {
      const p = schema.properties[label.dataset.claim] || {};
      label.querySelector(".label-text").textContent = w.claimLabel(schema, label.dataset.claim);
      const hint = label.querySelector(".hint");
      hint.textContent = w.schemaText(p, "description");
      hint.hidden = !hint.textContent;
      const input = document.getElementById(label.htmlFor);
      if (input && input.tagName === "SELECT") labelOptions(input, p);
      if (input && input.dataset.kind === "array") $(input.id + "-lines").textContent = linesHint(input.dataset.item, p.items);
    });
  }

  // linesHint says how a list of items of kind (itemKind) is typed: one a
  // line, as the form's field of that kind reads it; a list of choices
  // names them in the page's language.
  function linesHint(kind, items) {
    switch (kind) {
      case "enum": return w.t("inst.lines.choices", { choices: items.enum.map((v) => w.valueLabel(items, v)).join(w.t("list.sep")) });
      case "integer": case "number": return w.t("inst.lines.number");
      case "date": return w.t("inst.lines.date");
      case "date-time": return w.t("inst.lines.dateTime", { offset: "UTC" + w.utcOffset(new Date()) });
      default: return w.t("inst.lines");
    }
  }

  // drawable reports whether the form can draw the property p as a field:
  // not an object, nor a list of objects or of lists (itemKind "").
  function drawable(p) {
    if (p.type === "object" || (p.properties && typeof p.properties === "object")) return false;
    return p.type !== "array" || itemKind(p.items) !== "";
  }

  // itemKind is the kind of field whose reading a list property's items
  // (its "items" schema) are typed in, one a line: "enum", "integer",
  // "number", "date", "date-time" or "string" (also for a list whose
  // items the schema leaves open: strings conform); "" for items no line
  // can hold — objects, lists, or a schema the form does not know.
  function itemKind(items) {
    if (items === undefined || items === true || (items && typeof items === "object" && !Object.keys(items).length)) return "string";
    if (!items || typeof items !== "object") return "";
    if (Array.isArray(items.enum)) return "enum";
    if (items.type === "integer" || items.type === "number") return items.type;
    if (items.type !== "string") return "";
    return items.format === "date" || items.format === "date-time" ? items.format : "string";
  }

  // labelOptions names a select's choices in the page's language: an
  // enum's values as the schema labels them, yes and no for a boolean.
  function labelOptions(select, p) {
    for (const o of select.options) {
      if (!o.value) continue;
      const v = JSON.parse(o.value);
      o.textContent = typeof v === "boolean" ? w.t(v ? "value.true" : "value.false") : w.valueLabel(p, v);
    }
  }

  // field is the input of one schema property, labelled by labelFields.
  function field(name, p, required) {
    const id = "claim-" + name;
    const label = el("label", { class: "field", for: id, dataset: { claim: name } }, el("span", { class: "label-text" }), required ? " *" : "",
      el("span", { class: "hint" }));
    let input;
    if (Array.isArray(p.enum)) {
      input = el("select", { id, name }, el("option", { value: "" }, "—"), p.enum.map((v) => el("option", { value: JSON.stringify(v) }, String(v))));
    } else if (p.type === "boolean") {
      input = el("select", { id, name }, el("option", { value: "" }, "—"), el("option", { value: "true" }, "true"), el("option", { value: "false" }, "false"));
    } else if (p.type === "integer" || p.type === "number") {
      // Not <input type=number>: it reads "3,7" as 37 and speaks the
      // browser's language. A text field read by plainNumber, which
      // refuses what is not plainly a number.
      input = el("input", { type: "text", id, name, inputmode: "decimal", autocomplete: "off",
        onchange: (ev) => { if (!isNaN(w.plainNumber(ev.target.value))) ev.target.value = w.halfWidth(ev.target.value).trim(); } });
    } else if (p.format === "date") {
      // Not <input type=date>: the browser draws it in its own language
      // and order ("mm/dd/yyyy"), whatever the page's. A text field with
      // an example, read by isoDate.
      input = el("input", { type: "text", id, name, autocomplete: "off", dataset: { i18nPlaceholder: "inst.date.placeholder" },
        placeholder: w.t("inst.date.placeholder"), onchange: (ev) => { ev.target.value = w.isoDate(ev.target.value) || ev.target.value; } });
    } else if (p.format === "date-time") {
      // Read by isoDateTime, as date fields by isoDate; the hint says
      // whose time a time without a zone is.
      input = el("input", { type: "text", id, name, autocomplete: "off", placeholder: "2026-01-31 09:00",
        onchange: (ev) => { ev.target.value = w.isoDateTime(ev.target.value) || ev.target.value; } });
      const hint = el("p", { class: "hint", id: id + "-zone" });
      w.setText(hint, "inst.datetime.hint", { offset: "UTC" + w.utcOffset(new Date()) });
      input.setAttribute("aria-describedby", hint.id);
      input.dataset.kind = "date-time";
      if (required) input.setAttribute("aria-required", "true");
      return el("div", null, label, input, hint);
    } else if (p.type === "array") {
      // One item a line, each read as the field of its kind reads it
      // (readClaim): a list pasted from a document, one a line, stays as
      // it is. Tidied when left, as the date fields are.
      const kind = itemKind(p.items);
      input = el("textarea", { id, name, rows: "4", autocomplete: "off", dataset: { kind: "array", item: kind },
        onchange: (ev) => { ev.target.value = lines(ev.target.value).map(([, s]) => tidy(kind, s)).join("\n"); } });
      const hint = el("p", { class: "hint", id: id + "-lines" });
      input.setAttribute("aria-describedby", hint.id);
      if (required) input.setAttribute("aria-required", "true");
      return el("div", null, label, input, hint);
    } else {
      // No maxlength from the schema's maxLength: the browser would cut a
      // paste short without a word, and counts UTF-16 units (𠮷 as two)
      // where JSON Schema counts code points. claims() names the field and
      // its bound instead (schemaRules).
      input = el("input", { type: "text", id, name, autocomplete: "off" });
    }
    input.dataset.kind = Array.isArray(p.enum) ? "enum" : p.format === "date" ? "date" : p.type || "string";
    if (required) input.setAttribute("aria-required", "true");
    return el("div", null, label, input);
  }

  // formError is what is wrong with the claims, to be said in the page's
  // language: problems, [key, vars] pairs, one for each kind of mistake,
  // with the browser's English detail, if any.
  function formError(problems, detail) { return { formError: true, problems, detail }; }

  // unreadable is the mistake of a value that a field of its kind cannot
  // read.
  const unreadable = { integer: "inst.badNumber", number: "inst.badNumber", date: "inst.badDate", "date-time": "inst.badDateTime" };

  // readClaim is the claim value of s, typed in a text field of kind (or
  // on a line of a list of items of that kind) for the property (or
  // items) p; undefined when it is not one. A list's choice is typed as
  // its label in any of the page's languages, or as its value; any other
  // text is kept, for schemaRules to name.
  function readClaim(kind, s, p) {
    switch (kind) {
      case "integer": case "number": { const n = w.plainNumber(s); return isNaN(n) ? undefined : n; }
      case "date": return w.isoDate(s) || undefined;
      case "date-time": return w.isoDateTime(s) || undefined;
      case "enum": {
        const typed = (v) => typeof v === "string" ? v : JSON.stringify(v);
        const i = p.enum.findIndex((e) => typed(e) === s || w.valueLabel(p, e) === s);
        return i < 0 ? s : p.enum[i];
      }
      default: return s;
    }
  }

  // tidy is s as readClaim reads it, written back into the field: a day
  // or a time in RFC 3339, a number in ASCII; as typed when unreadable.
  function tidy(kind, s) {
    const v = kind === "enum" ? undefined : readClaim(kind, s, null);
    return v === undefined ? s : String(v);
  }

  // lines are a list field's items: [line number, text] for each line
  // with anything on it.
  function lines(text) {
    return text.split("\n").map((s, i) => [i + 1, s.trim()]).filter(([, s]) => s);
  }

  // claims reads the form into the credentialSubject claims, or throws a
  // formError naming every mistake at once: each kind — fields missing,
  // unreadable, breaking the schema's bounds — with its fields.
  function claims() {
    const ta = $("claims-json");
    if (ta) {
      try { return JSON.parse(ta.value); } catch (e) { throw formError([["inst.badClaimsJSON", null]], e.message); }
    }
    const out = {};
    const wrong = { "inst.missing": [], "inst.badNumber": [], "inst.badDate": [], "inst.badDateTime": [] };
    const broken = [];
    const req = new Set(schema.required || []);
    const check = (p, v, field) => broken.push(...w.schemaRules(p, v).map(([rule, bound]) => w.t("inst.rule." + rule, { field, bound })));
    $("claims-fields").querySelectorAll("input, select, textarea").forEach((inp) => {
      const p = schema.properties[inp.name] || {};
      const field = w.claimLabel(schema, inp.name);
      const v = inp.value.trim();
      if (!v) { if (req.has(inp.name)) wrong["inst.missing"].push(field); return; }
      if (inp.tagName === "SELECT") { out[inp.name] = JSON.parse(v); return; } // an enum's or a boolean's choice
      if (inp.dataset.kind !== "array") {
        const x = readClaim(inp.dataset.kind, v, p);
        if (x === undefined) { wrong[unreadable[inp.dataset.kind]].push(field); return; }
        out[inp.name] = x;
        check(p, x, field);
        return;
      }
      // A list: each line named by its number, the list's own bounds
      // (minItems, maxItems) counted over every line typed.
      const kind = inp.dataset.item;
      const items = lines(inp.value).map(([n, s]) => [w.t("inst.line", { field, line: n }), s, readClaim(kind, s, p.items)]);
      for (const [line, , x] of items) {
        if (x === undefined) wrong[unreadable[kind]].push(line);
        else check(p.items, x, line);
      }
      out[inp.name] = items.map(([, s, x]) => (x === undefined ? s : x));
      check(p, out[inp.name], field);
    });
    const problems = Object.entries(wrong).filter(([, fields]) => fields.length).map(([key, fields]) => [key, { fields: fields.join(w.t("list.sep")) }]);
    if (broken.length) problems.push(["inst.invalid", { problems: broken.join(w.t("inst.invalid.sep")) }]);
    if (problems.length) throw formError(problems);
    return out;
  }

  // refusedFields names, by their labels in the page's language, the
  // claims a schema.violation's detail points at ("at /gpa: maximum: got
  // 9, want 4"); "" when it names none the form has.
  function refusedFields(r) {
    const b = r.body;
    if (!schema || !schema.properties || !b || b.code !== "schema.violation" || typeof b.detail !== "string") return "";
    const names = [];
    for (const m of b.detail.matchAll(/\bat (\/[^:\s]*):/g)) {
      const key = m[1].split("/")[1].replace(/~1/g, "/").replace(/~0/g, "~");
      if (Object.prototype.hasOwnProperty.call(schema.properties, key) && !names.includes(key)) names.push(key);
    }
    return names.map((n) => w.claimLabel(schema, n)).join(w.t("list.sep"));
  }

  // sayOffer draws #offer-msg with draw, now and again after a language
  // switch (its texts hold claim labels, which a kept i18n key would keep
  // in the language they were drawn in); null forgets the last one.
  function sayOffer(draw) {
    offerMsg = draw;
    if (draw) draw();
  }

  async function createOffer(ev) {
    ev.preventDefault();
    const i = instances[Number($("instance").value)];
    const msg = $("offer-msg");
    if (!i) return;
    let c;
    sayOffer(null);
    forgetOffer();
    try { c = claims(); } catch (e) {
      if (!e.formError) throw e;
      // Drawn again on a language switch from the form as it is then:
      // the message names fields by their labels in the page's language.
      sayOffer(() => {
        try { claims(); w.clear(msg); } catch (again) {
          if (!again.formError) throw again;
          w.clear(msg).append(el("div", { class: "msg error problems", role: "alert" }, again.problems.map(([key, vars]) => el("p", null, w.t(key, vars)))),
            w.english(again.detail));
        }
      });
      return;
    }
    const body = { instance: i.name, claims: c, expiresIn: Number($("expires").value) };
    if ($("use-pin").checked) body.txCode = { length: 6, description: w.t("inst.pinDescription") };
    $("offer-btn").disabled = true;
    const mine = drawn;
    const r = await w.api("POST", "/v1/offers", { token: w.getToken(), body });
    $("offer-btn").disabled = false;
    if (mine !== drawn) return; // signed out or another instance chosen meanwhile
    if (r.status !== 201) {
      if (!refusedFields(r)) { w.problemMessage(msg, r); return; }
      sayOffer(() => {
        w.say(msg, "error", "inst.refused.fields", { fields: refusedFields(r) });
        msg.append(w.english(w.problemDetail(r)));
      });
      return;
    }
    w.clear(msg);
    offer = r.body;
    // The offer's issuer URL is the node's public URL (--public-url, else
    // the URL this page was loaded from).
    reach(offer.credentialIssuer, "inst.reach.offer", "offer-reach");
    drawOffer();
    $("offer").hidden = false;
    $("offer").scrollIntoView({ block: "start" });
    watchOffer(offer);
  }

  // forgetOffer takes the last offer off the page — its QR code, PIN and
  // link — so that none is left on screen for the next citizen, who could
  // be handed someone else's certificate: at a new submission, a change of
  // the form or instance, a sign-in and a sign-out.
  function forgetOffer() {
    if (!offer && $("offer").hidden) return;
    offer = null; // stops watchOffer
    $("offer").hidden = true;
    for (const id of ["offer-qr", "offer-pin", "offer-link", "offer-expires", "offer-state"]) w.clear($(id));
    delete $("offer-link").dataset.offerUri;
    for (const k of ["state", "i18nMsg", "i18nVars"]) delete $("offer-state").dataset[k];
    reach(location.href, "inst.reach.page", "reach-msg");
  }

  const offerDone = new Set(["issued", "burned", "expired"]);

  // watchOffer refreshes the offer's state every 2 seconds until the
  // wallet has collected it (or it is burned, expired or replaced).
  async function watchOffer(o) {
    while (offer === o) {
      const st = await refreshOffer();
      if (!st || offerDone.has(st)) return;
      await new Promise((res) => setTimeout(res, 2000));
    }
  }

  function drawOffer() {
    if (!offer) return;
    w.clear($("offer-qr")).append(w.qrImage(offer.qrPng, w.t("inst.offer.qrAlt")));
    const link = $("offer-link");
    link.textContent = offer.offerUriByReference;
    link.dataset.offerUri = offer.offerUriByReference;
    const pin = w.clear($("offer-pin"));
    if (offer.txCode) pin.append(el("p", null, w.t("inst.offer.pin")), el("p", { class: "pin", id: "offer-pin-value" }, offer.txCode));
    $("offer-expires").textContent = w.t("inst.offer.expires", { time: w.time(offer.expires) });
  }

  // refreshOffer shows the offer's state and returns it.
  async function refreshOffer() {
    const o = offer;
    if (!o) return "";
    const r = await w.api("GET", "/v1/offers/" + encodeURIComponent(o.id), { token: w.getToken() });
    if (o !== offer) return ""; // forgotten meanwhile
    const p = $("offer-state");
    if (!r.ok) { p.textContent = w.problemText(r); return ""; }
    p.dataset.state = r.body.state;
    w.setText(p, "inst.state." + r.body.state, { issued: r.body.issued });
    return r.body.state;
  }

  // revokeTarget is the credential the revoke form names: {id}, or, for a
  // credential without one (an SD-JWT VC), {list, index}, its status list
  // entry as the verify page shows it (a list's URL is taken too). It is
  // {error} when the form names none, or both. As the explorer's search,
  // it reads what a Chinese input method types: full-width characters as
  // ASCII.
  function revokeTarget() {
    const id = w.halfWidth($("credential-id").value).trim();
    const list = w.halfWidth($("status-list").value).trim().replace(/^.*\/status-lists\/([^/?#]+).*$/, "$1");
    const index = w.halfWidth($("status-index").value).trim();
    if (id && (list || index)) return { error: "inst.revoke.idOrEntry" };
    if (id) return { id };
    if (!list && !index) return { error: "inst.revoke.needId" };
    if (!list || !/^[0-9]+$/.test(index)) return { error: "inst.revoke.needEntry" };
    return { list, index };
  }

  // revoke applies the form's action to the credential it names. A
  // revocation is final, so it is only asked for here: the page names the
  // credential (its id, or its list and index) and waits for a click on
  // "Revoke for good" (Enter in a field, or Revoke preselected, must not
  // revoke by themselves).
  function revoke(ev) {
    ev.preventDefault();
    const target = revokeTarget();
    const msg = $("revoke-msg");
    if (target.error) { w.say(msg, "error", target.error); return; }
    const [purpose, status] = $("purpose").value.split(":");
    if (purpose !== "revocation") { applyStatus(target, purpose, status === "true"); return; }
    const question = el("p");
    w.setText(question, target.id ? "inst.revoke.confirm" : "inst.revoke.confirmEntry", target);
    w.clear(msg).append(el("div", { class: "msg warning", role: "alert", id: "revoke-confirm-box" }, question,
      el("div", { class: "row tight" },
        el("button", { type: "button", class: "danger", id: "revoke-confirm", i18n: "inst.revoke.confirmButton", onclick: () => applyStatus(target, purpose, true) }),
        el("button", { type: "button", class: "secondary", id: "revoke-cancel", i18n: "inst.revoke.cancel", onclick: () => w.clear(msg) }))));
  }

  // forgetConfirmation drops a revocation's question once the credential
  // or the action it named changed.
  function forgetConfirmation() {
    if ($("revoke-confirm-box")) w.clear($("revoke-msg"));
  }

  // applyStatus sets (status) or clears the purpose's status of target, a
  // revokeTarget. The node takes an entry by its list's URL, whatever its
  // host (status.ListIDFromURL): this page's origin is the node's.
  async function applyStatus(target, purpose, status) {
    const msg = $("revoke-msg");
    $("revoke-btn").disabled = true;
    if ($("revoke-confirm")) $("revoke-confirm").disabled = true;
    const entry = { type: "BitstringStatusListEntry", statusPurpose: purpose };
    if (!target.id) Object.assign(entry, { statusListCredential: location.origin + "/status-lists/" + encodeURIComponent(target.list), statusListIndex: target.index });
    const r = await w.api("POST", "/credentials/status", { token: w.getToken(),
      body: target.id ? { credentialId: target.id, credentialStatus: entry, status } : { credentialStatus: entry, status } });
    $("revoke-btn").disabled = false;
    // 503 status.pending: the change was sent but its block did not come
    // within the node's wait; the status has not changed yet.
    if (r.status === 503 && r.body && r.body.code === "status.pending") { w.say(msg, "info", "inst.revoke.pending"); return; }
    if (!r.ok) { w.problemMessage(msg, r); return; }
    w.say(msg, "ok", (status ? "inst.revoke.done" : "inst.revoke.lifted") + (target.id ? "" : "Entry"),
      { id: target.id, purpose: w.t("purpose." + r.body.statusPurpose), list: r.body.list, index: r.body.index, height: r.body.height });
  }

  $("token-form").addEventListener("submit", signIn);
  $("sign-out").addEventListener("click", () => { drawn++; forgetOffer(); w.setToken(""); $("token").value = ""; $("work").hidden = true; w.clear($("token-msg")); });
  // An offer shown no longer matches a form edited since.
  $("claims-fields").addEventListener("input", forgetOffer);
  $("instance").addEventListener("change", instanceChanged);
  $("issue-form").addEventListener("submit", createOffer);
  $("offer-refresh").addEventListener("click", refreshOffer);
  $("revoke-form").addEventListener("submit", revoke);
  for (const f of ["credential-id", "status-list", "status-index"]) $(f).addEventListener("input", forgetConfirmation);
  $("purpose").addEventListener("change", forgetConfirmation);
  w.onLang(() => { labelFields(); drawOffer(); if (reachShown) reach(...reachShown); if (offerMsg) offerMsg(); });
  const saved = w.getToken();
  if (saved) { $("token").value = saved; signIn(); }
})();
