// /explorer: blocks, transactions (with their Merkle inclusion proofs
// checked here), DIDs and their history, authority issuers, schemas.
"use strict";
(function () {
  const w = window.weid;
  const el = w.el;
  const $ = (id) => document.getElementById(id);
  const view = $("view");
  let seq = 0; // drops answers of views the user already left

  function card(titleKey, vars, ...body) {
    return el("section", { class: "card" }, el("h2", null, w.t(titleKey, vars)), ...body);
  }

  function table(headKeys, rows, id) {
    return el("div", { class: "table-wrap" }, el("table", { id },
      el("thead", null, el("tr", null, headKeys.map((k) => el("th", { scope: "col", i18n: k })))),
      el("tbody", null, rows)));
  }

  function fail(r) {
    w.problemMessage(view, r);
  }

  // ---- blocks ------------------------------------------------------------------

  // suiteName is the chain's crypto suite ("standard", "gm") in the
  // page's language; a suite the page does not know, as the node names it.
  function suiteName(c) {
    return w.i18n.en["explorer.crypto." + c] === undefined ? c : w.t("explorer.crypto." + c);
  }

  async function showBlocks(my, before) {
    const [st, list] = await Promise.all([w.api("GET", "/v1/status"), w.api("GET", "/v1/blocks?limit=20" + (before ? "&before=" + before : ""))]);
    if (my !== seq) return;
    if (!list.ok) return fail(list);
    const s = st.body || {};
    const stats = el("div", { class: "stat" },
      [["explorer.chain", s.chainId], ["explorer.height", s.height], ["explorer.engine", s.engine], ["explorer.crypto", suiteName(s.crypto)], ["explorer.nodeVersion", s.version]]
        .map(([k, v]) => el("div", null, el("div", { class: "v", id: k === "explorer.height" ? "chain-height" : null }, String(v ?? "")), el("div", { class: "k", i18n: k }))));
    const rows = list.body.blocks.map((b) => blockRow(b.header.height, b.header.time, b.header.txCount, b.hash));
    const more = list.body.next !== undefined
      ? el("div", { class: "row" }, el("a", { class: "button secondary", href: "#blocks=" + list.body.next, i18n: "explorer.older" })) : null;
    w.clear(view).append(el("section", { class: "card" }, stats),
      card(before ? "explorer.blocksBefore" : "explorer.latest", { height: before }, table(["explorer.col.height", "explorer.col.time", "explorer.col.txs", "explorer.col.hash"], rows, "blocks"),
        before ? null : liveNote(), more));
    const top = list.body.blocks[0];
    if (before || !top) return;
    // New blocks from the stream, from the one after the top row on (its
    // block.committed event's cursor): none is missed between the two reads.
    follow("types=block.committed&from=" + top.header.height + "." + top.header.txCount + ".0", ["block.committed"], (e) => {
      const body = document.querySelector("#blocks tbody");
      if (my !== seq || !body || body.querySelector(`tr[data-height="${e.height}"]`)) return;
      body.prepend(blockRow(e.height, e.time, e.txCount || 0, e.blockHash));
      while (body.rows.length > 20) body.deleteRow(-1);
      const h = $("chain-height");
      if (h && Number(h.textContent) < e.height) h.textContent = String(e.height);
    });
  }

  function blockRow(height, time, txCount, hash) {
    return el("tr", { dataset: { height } },
      el("td", null, w.explorerLink("block", height)),
      el("td", null, w.time(time)),
      el("td", null, String(txCount)),
      el("td", { class: "mono" }, w.short(hash, 10)));
  }

  // ---- live updates: GET /v1/events as server-sent events ---------------------------

  let stream = null; // the current view's EventSource
  let live = "connecting"; // its state: connecting, on, off

  // liveNote is the line that says whether the view follows the ledger.
  function liveNote() {
    return el("p", { class: "hint", id: "live", dataset: { live }, i18n: "explorer.live." + live });
  }

  function setLive(state) {
    live = state;
    const n = $("live");
    if (n) n.replaceWith(liveNote());
  }

  function unfollow() {
    if (stream) stream.close();
    stream = null;
    live = "connecting";
  }

  // follow opens the view's stream of events (query: filters and from);
  // onEvent gets each event of the given types. A broken connection is
  // retried by the browser with Last-Event-ID, so nothing is missed.
  function follow(query, types, onEvent) {
    unfollow();
    if (!window.EventSource) return;
    const es = new EventSource("/v1/events?" + query);
    stream = es;
    es.onopen = () => { if (stream === es) setLive("on"); };
    es.onerror = () => { if (stream === es) setLive("off"); };
    for (const t of types) {
      es.addEventListener(t, (ev) => {
        let e;
        try { e = JSON.parse(ev.data); } catch (x) { return; }
        if (stream === es) onEvent(e);
      });
    }
  }

  async function showBlock(my, h) {
    const r = await w.api("GET", "/v1/blocks/" + encodeURIComponent(h));
    if (my !== seq) return;
    if (!r.ok) return fail(r);
    const b = r.body;
    const hh = b.header;
    const H = await w.chainHash();
    const hashes = await Promise.all(b.txs.map((tx) => w.jcsHash(tx, H)));
    if (my !== seq) return;
    const rows = b.txs.map((tx, i) => {
      const from = String(tx.from || "").split("#")[0];
      return el("tr", null, el("td", null, String(i)), el("td", null, tx.type),
        el("td", null, from ? w.explorerLink("did", from, w.short(from, 14)) : ""),
        el("td", null, w.explorerLink("tx", hashes[i], w.short(hashes[i], 10))));
    });
    const nav = el("div", { class: "row" },
      hh.height > 0 ? el("a", { class: "button secondary", href: "#block=" + (hh.height - 1), i18n: "explorer.prev" }) : null,
      el("a", { class: "button secondary", href: "#block=" + (hh.height + 1), i18n: "explorer.next" }));
    w.clear(view).append(
      card("explorer.block", { height: hh.height }, w.dl([
        ["explorer.blockHash", el("span", { class: "mono" }, b.hash)],
        ["explorer.col.time", w.time(hh.time)],
        ["explorer.prevHash", hh.height > 0 ? w.explorerLink("block", hh.height - 1, hh.prevHash) : el("span", { class: "mono" }, hh.prevHash)],
        ["explorer.txRoot", el("span", { class: "mono" }, hh.txRoot)],
        ["explorer.appHash", el("span", { class: "mono" }, hh.appHash)],
        ["explorer.proposer", el("span", { class: "mono" }, hh.proposer)],
        ["explorer.chain", hh.chainId]]), nav),
      card("explorer.txs", { count: b.txs.length }, table(["explorer.col.index", "explorer.col.type", "explorer.col.from", "explorer.col.hash"], rows, "block-txs")));
  }

  async function showTx(my, hash) {
    const r = await w.api("GET", "/v1/txs/" + encodeURIComponent(hash));
    if (my !== seq) return;
    if (!r.ok) return fail(r);
    const t = r.body;
    if (t.status !== "committed") {
      w.clear(view).append(card("explorer.tx", {}, w.dl([["explorer.status", t.status], ["explorer.col.hash", el("span", { class: "mono" }, t.hash)]]),
        t.error ? el("p", { class: "msg error" }, t.error.detail || "") : null));
      return;
    }
    const proofBox = el("div", { class: "proof", id: "proof", "aria-live": "polite" }, el("p", { class: "msg info", i18n: "explorer.proof.checking" }));
    const from = String(t.tx.from || "").split("#")[0];
    w.clear(view).append(
      card("explorer.tx", {}, w.dl([
        ["explorer.col.hash", el("span", { class: "mono", id: "tx-hash" }, t.hash)],
        ["explorer.col.type", t.tx.type],
        ["explorer.col.from", from ? el("span", null, w.explorerLink("did", from), el("span", { class: "mono" }, t.tx.from.slice(from.length))) : ""],
        ["explorer.nonce", String(t.tx.nonce)],
        ["explorer.inBlock", el("span", null, w.explorerLink("block", t.height, "#" + t.height), " · ", w.t("explorer.atIndex", { index: t.index }))],
        ["explorer.col.time", w.time(t.header.time)]]),
        el("h3", { i18n: "explorer.payload" }), w.json(t.tx.payload)),
      card("explorer.proof.title", {}, el("p", { class: "hint", i18n: "explorer.proof.explain" }),
        w.dl([["explorer.proof.leaf", `${t.proof.leafIndex} / ${t.proof.treeSize}`],
          ["explorer.txRoot", el("span", { class: "mono" }, t.header.txRoot)],
          ["explorer.proof.path", t.proof.hashes.length ? el("ol", { class: "mono" }, t.proof.hashes.map((h) => el("li", null, h))) : w.t("explorer.proof.noPath")]]),
        proofBox));
    await checkProof(t, proofBox);
  }

  async function checkProof(t, box) {
    let res;
    let headerOK = false;
    let contentOK = false;
    try {
      const H = await w.chainHash(); // SM3 on a 国密 chain
      res = await w.verifyInclusion(w.hexToBytes(t.hash), t.proof.leafIndex, t.proof.treeSize, t.proof.hashes, t.header.txRoot, H);
      if (t.proof.treeSize !== t.header.txCount) res = { ok: false, reason: "size" };
      headerOK = (await w.jcsHash(t.header, H)) === t.blockHash;
      contentOK = (await w.jcsHash(t.tx, H)) === t.hash;
    } catch (e) {
      res = { ok: false, reason: "malformed" };
    }
    const ok = res.ok && headerOK && contentOK;
    box.dataset.proof = ok ? "valid" : "invalid";
    w.clear(box).append(
      el("p", { class: "msg " + (ok ? "ok" : "error"), role: ok ? null : "alert" },
        ok ? w.t("explorer.proof.valid", { index: t.proof.leafIndex, size: t.proof.treeSize, height: t.height })
          : !res.ok ? w.t("explorer.proof.invalid", { computed: res.computed || "-" })
            : !headerOK ? w.t("explorer.proof.headerMismatch") : w.t("explorer.proof.contentMismatch")),
      ok ? el("p", { class: "hint", i18n: "explorer.proof.how" }) : null);
  }

  // ---- DIDs ---------------------------------------------------------------------

  async function showDID(my, d) {
    const enc = encodeURIComponent(d);
    const [latest, reg] = await Promise.all([w.api("GET", "/v1/dids/" + enc), w.api("GET", "/v1/issuers/" + enc)]);
    if (my !== seq) return;
    if (!(latest.ok || latest.status === 410) || !latest.body || !latest.body.didDocumentMetadata) return fail(latest);
    const meta = latest.body.didDocumentMetadata;
    const n = Number(meta.versionId) || 1;
    const first = Math.max(1, n - 19);
    const versions = [];
    for (let v = n; v >= first; v--) versions.push(v);
    const docs = await Promise.all(versions.map((v) => (v === n ? Promise.resolve(latest) : w.api("GET", "/v1/dids/" + enc + "?versionId=" + v))));
    if (my !== seq) return;
    const facts = [["explorer.did", el("span", { class: "mono", id: "did" }, d)],
      ["explorer.created", w.time(meta.created)], ["explorer.updated", w.time(meta.updated)],
      ["explorer.versions", el("span", { id: "did-versions" }, String(n))],
      ["explorer.state", meta.deactivated ? w.t("facts.deactivated") : w.t("explorer.active")]];
    if (reg.ok && reg.body.issuer) facts.push(["explorer.authority", el("strong", null, reg.body.issuer.name)]);
    if ((meta.compromisedKeys || []).length) {
      facts.push(["explorer.compromised", el("ul", { class: "plain", id: "did-compromised" }, meta.compromisedKeys.map((k) => el("li", null,
        el("span", { class: "mono" }, (k.id ? k.id.split("#").pop() + " " : "") + w.short(k.publicKeyMultibase, 10)), " · ",
        w.t("explorer.since", { time: w.time(k.since) }), " · ", w.explorerLink("tx", k.txHash, w.short(k.txHash, 8)))))]);
    }
    const items = docs.map((r, i) => {
      const v = versions[i];
      const m = (r.body && r.body.didDocumentMetadata) || {};
      return el("li", { dataset: { version: v } }, el("details", { open: i === 0 },
        el("summary", null, el("strong", null, w.t("explorer.version", { version: v })), " · ", w.time(m.updated || m.created), " · ",
          w.t("facts.atBlock", { height: m.blockHeight ?? "?" })),
        w.dl([["explorer.inBlock", w.explorerLink("block", m.blockHeight || 0, "#" + (m.blockHeight || 0))],
          ["explorer.tx", m.txHash ? w.explorerLink("tx", m.txHash, w.short(m.txHash, 12)) : ""]]),
        r.body && r.body.didDocument ? w.json(r.body.didDocument) : el("p", { class: "hint" }, w.problemText(r))));
    });
    w.clear(view).append(card("explorer.didTitle", {}, w.dl(facts), liveNote()),
      card("explorer.history", {}, el("ol", { class: "history", id: "did-history", reversed: true }, items),
        first > 1 ? el("p", { class: "hint" }, w.t("explorer.olderVersions", { count: first - 1 })) : null));
  }

  const didTypes = ["did.created", "did.updated", "did.keyRotated", "did.keyCompromised", "did.deactivated"];

  // liveDID shows a DID and shows it again whenever an event about it
  // commits. The stream starts after the head read before the DID, so an
  // update between the two reads is not missed.
  async function liveDID(my, d) {
    const head = await w.api("GET", "/v1/events?from=now&limit=1");
    if (my !== seq) return;
    await showDID(my, d);
    if (my !== seq || !head.ok || !$("did-history")) return;
    let timer = 0;
    follow("types=did.*&did=" + encodeURIComponent(d) + "&from=" + encodeURIComponent(head.body.next || "now"), didTypes, () => {
      clearTimeout(timer); // one refresh for a burst of events
      timer = setTimeout(() => { if (my === seq) showDID(my, d); }, 50);
    });
  }

  // ---- registry ------------------------------------------------------------------

  async function showIssuers(my) {
    const r = await w.api("GET", "/v1/issuers");
    if (my !== seq) return;
    if (!r.ok) return fail(r);
    const rows = (r.body.issuers || []).map((i) => el("tr", null, el("td", null, el("strong", null, i.name)),
      el("td", null, w.explorerLink("did", i.did, w.short(i.did, 14))),
      el("td", null, (i.types || []).join(", ") || w.t("explorer.anyType"), (i.schemas || []).length ? el("span", { class: "hint" }, w.t("explorer.schemaIds", { ids: i.schemas.map((n) => "#" + n).join(", ") })) : null),
      el("td", null, w.explorerLink("block", i.height, "#" + i.height))));
    w.clear(view).append(card("explorer.tab.issuers", {}, rows.length
      ? table(["explorer.col.name", "explorer.did", "explorer.col.types", "explorer.inBlock"], rows, "issuers")
      : el("p", { class: "hint", i18n: "explorer.noIssuers" })));
  }

  async function showSchemas(my) {
    const r = await w.api("GET", "/v1/schemas");
    if (my !== seq) return;
    if (!r.ok) return fail(r);
    const list = (r.body.schemas || []).map((s) => {
      const props = (s.schema && s.schema.properties) || {};
      const req = new Set((s.schema && s.schema.required) || []);
      return el("details", { class: "schema", dataset: { schema: s.id } },
        el("summary", null, el("strong", null, "#" + s.id + " " + (w.schemaText(s.schema, "title") || s.name)), " · ", w.t("explorer.version", { version: s.version })),
        w.dl([["explorer.publisher", w.explorerLink("did", s.publisher, w.short(s.publisher, 14))], ["explorer.created", w.time(s.created)],
          ["explorer.description", w.schemaText(s.schema, "description")]]),
        el("div", { class: "table-wrap" }, el("table", null, el("tbody", null, Object.entries(props).map(([k, v]) =>
          el("tr", null, el("th", { scope: "row", class: "mono" }, k + (req.has(k) ? " *" : "")), el("td", null, v.type || (v.enum ? v.enum.join(" | ") : ""), v.format ? " (" + v.format + ")" : ""),
            el("td", null, w.claimLabel(s.schema, k) !== k ? w.claimLabel(s.schema, k) : ""), el("td", { class: "hint" }, w.schemaText(v, "description"))))))),
        w.json(s.schema));
    });
    w.clear(view).append(card("explorer.tab.schemas", {}, el("div", { id: "schemas" }, list)));
  }

  // ---- routing ---------------------------------------------------------------------

  function route() {
    const my = ++seq;
    unfollow();
    const h = decodeURIComponent(location.hash.slice(1));
    const [kind, ...rest] = h.split("=");
    const arg = rest.join("=");
    document.querySelectorAll(".tabs a").forEach((a) => a.setAttribute("aria-current", String(a.dataset.tab === (kind || "blocks"))));
    w.say(view, "info", "explorer.loading");
    switch (kind) {
      case "block": return showBlock(my, arg);
      case "tx": return showTx(my, arg);
      case "did": return liveDID(my, arg);
      case "issuers": return showIssuers(my);
      case "schemas": return showSchemas(my);
      case "blocks": return showBlocks(my, arg);
      default: return showBlocks(my, "");
    }
  }

  $("search").addEventListener("submit", (ev) => {
    ev.preventDefault();
    // As typed with a Chinese input method too: full-width characters
    // (１０, ｄｉｄ：…) and spaces read as their ASCII forms.
    const q = w.halfWidth($("q").value).trim();
    let target = "";
    // A height beyond the ledger's uint64 heights is no block's, not a
    // malformed one.
    if (/^\d+$/.test(q) && BigInt(q) > 0xffffffffffffffffn) { w.say(view, "error", "problem.block.notFound"); return; }
    if (/^\d+$/.test(q)) target = "block=" + q;
    else if (/^[0-9a-fA-F]{64}$/.test(q)) target = "tx=" + q.toLowerCase();
    else if (/^did:[a-z0-9]+:\S+$/.test(q)) target = "did=" + q;
    if (!target) { w.say(view, "error", "explorer.search.bad"); return; }
    if (location.hash === "#" + target) route();
    else location.hash = target;
  });
  window.addEventListener("hashchange", route);
  w.onLang(route);
  route();
})();
