package web

import (
	"strings"
	"testing"
)

// TestMessages_TextsFromCodes: the catalogue the CLI reads is the pages'
// i18n.js, with placeholders filled as weid.t fills them, English for a
// language that lacks a key and the key for an unknown one.
func TestMessages_TextsFromCodes(t *testing.T) {
	c, err := Messages()
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"list": "https://n/v1/status-lists/7", "index": "42"}
	for lang, want := range map[string]string{
		"en":    "Revoked by the issuer (status list https://n/v1/status-lists/7, index 42).",
		"zh-CN": "https://n/v1/status-lists/7",
		"zh-HK": "42",
	} {
		got := c.T(lang, "reason.status.revoked", vars)
		if !strings.Contains(got, want) || strings.Contains(got, "{") {
			t.Errorf("%s: %q, want it to hold %q and no placeholder", lang, got, want)
		}
	}
	if zh := c.T("zh-CN", "status.failed", nil); zh != "失败" {
		t.Errorf("zh-CN status.failed = %q", zh)
	}
	if got := c.T("fr", "status.failed", nil); got != "failed" {
		t.Errorf("an unknown language: %q, want English", got)
	}
	if got := c.T("zh-CN", "no.such.key", nil); got != "no.such.key" || c.Has("no.such.key") {
		t.Errorf("an unknown key: %q", got)
	}
	for n, want := range map[string]string{"1": "Collected: 1 credential issued.", "2": "Collected: 2 credentials issued."} {
		if got := c.T("en", "inst.state.issued", map[string]string{"issued": n}); got != want {
			t.Errorf("%s issued: %q, want %q", n, got, want)
		}
	}
	if got := c.T("en", "reason.status.revoked", nil); !strings.Contains(got, "{list}") {
		t.Errorf("a placeholder without a value should stay: %q", got)
	}
}

// TestMessages_StrictForm: a line the catalogue's form does not allow is
// refused with its line number, so that i18n.js cannot drift into a shape
// the CLI would misread.
func TestMessages_StrictForm(t *testing.T) {
	head := "\"use strict\";\nwindow.weid = window.weid || {};\nwindow.weid.i18n = {\n"
	tables := "  en: {\n    \"a.b\": \"A {x}\",\n  },\n  \"zh-CN\": {\n    // a comment\n    \"a.b\": \"甲 {x}\",\n  },\n  \"zh-HK\": {\n    \"a.b\": \"甲 {x}\",\n  },\n"
	c, err := parseCatalogue([]byte(head + tables + "};\n"))
	if err != nil || c.T("zh-HK", "a.b", map[string]string{"x": "1"}) != "甲 1" {
		t.Fatalf("%v %v", c, err)
	}
	for name, src := range map[string]string{
		"a key without quotes": head + strings.Replace(tables, `"a.b": "A`, `a.b: "A`, 1) + "};\n",
		"a key twice":          head + strings.Replace(tables, "  },\n", "    \"a.b\": \"B\",\n  },\n", 1) + "};\n",
		"a computed text":      head + strings.Replace(tables, `"A {x}",`, `"A" + x,`, 1) + "};\n",
		"not closed":           head + tables,
		"a language missing":   head + tables[:strings.Index(tables, "  \"zh-HK\"")] + "};\n",
	} {
		if _, err := parseCatalogue([]byte(src)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
