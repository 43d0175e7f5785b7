// The catalogue against the code: every key the phone app asks for is in English, every English key is asked
// for, and each call gives exactly the placeholders its text has; then t()'s plurals, fallbacks and choices.

import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

import en from "../../app/static/pwa/js/catalogue/en.js";
import { formatNumber, locale, pickLanguage, t } from "../../app/static/pwa/js/i18n.js";
import { CLOSURE_REASONS, PROTECTIVE_FACTORS, RISK_FACTORS } from "../../app/static/pwa/js/views/hub-vocabulary.js";

const PWA = fileURLToPath(new URL("../../app/static/pwa/", import.meta.url));

function sources(dir = PWA) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "catalogue" ? [] : sources(path);
    // Comment lines left out: they may quote keys or words as examples.
    const text = readFileSync(path, "utf8").split("\n").filter((line) => !/^\s*\/\//.test(line)).join("\n");
    return /\.(js|html)$/.test(entry.name) ? [{ name: relative(PWA, path), text }] : [];
  });
}

// The text of a call's params object, `{ a, b: x(y, z) }` → ["a", "b"] (its own keys, not those nested inside).
function paramNames(text, start) {
  let i = start;
  while (/\s/.test(text[i])) i += 1;
  if (text[i] !== ",") return [];
  i += 1;
  while (/\s/.test(text[i])) i += 1;
  if (text[i] !== "{") return null; // params built elsewhere: not checked here
  const names = [];
  let depth = 0;
  let part = "";
  let quote = null;
  for (; i < text.length; i += 1) {
    const c = text[i];
    if (quote) {
      if (c === quote && text[i - 1] !== "\\") quote = null;
      if (depth === 1) part += c;
      continue;
    }
    if (c === '"' || c === "'" || c === "`") quote = c;
    if ("{([".includes(c)) depth += 1;
    if ("})]".includes(c)) depth -= 1;
    if (depth === 0) break;
    if (depth === 1 && c === ",") {
      names.push(part);
      part = "";
    } else if (depth > 1 || c !== "{" || part) part += c;
  }
  names.push(part);
  return names.map((p) => p.trim().match(/^(\w+)/)).filter(Boolean).map((m) => m[1]);
}

const calls = [];
const dynamicGroups = new Set();
for (const { name, text } of sources()) {
  for (const m of text.matchAll(/\bt\("([^"]+)"/g)) calls.push({ file: name, key: m[1], params: paramNames(text, m.index + m[0].length) });
  for (const m of text.matchAll(/data-i18n(?:-label)?="([^"]+)"/g)) calls.push({ file: name, key: m[1], params: [] });
  for (const m of text.matchAll(/\bt\(`(\w+)\.\$\{/g)) dynamicGroups.add(m[1]);
}

const lookup = (key) => {
  const [group, ...rest] = key.split(".");
  return (en.strings[group] || {})[rest.join(".")];
};
const forms = (value) => (typeof value === "string" ? [value] : Object.values(value));
const placeholders = (value) => new Set(forms(value).flatMap((text) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1])));

test("every key the app asks for is in the English catalogue", () => {
  const missing = calls.filter((c) => lookup(c.key) === undefined).map((c) => `${c.file}: ${c.key}`);
  assert.deepEqual(missing, []);
  assert.ok(calls.length > 500, `only ${calls.length} calls found: is the scan still reading the sources?`);
});

test("every English key is used by the app", () => {
  const used = new Set(calls.map((c) => c.key));
  const unused = Object.entries(en.strings).flatMap(([group, keys]) => Object.keys(keys).map((key) => `${group}.${key}`))
    .filter((key) => !used.has(key) && !dynamicGroups.has(key.split(".")[0]));
  assert.deepEqual(unused, []);
});

test("keys built from codes (situation-table factors) all have their words", () => {
  assert.deepEqual([...dynamicGroups], ["factor"]);
  const labels = [...RISK_FACTORS, ...PROTECTIVE_FACTORS, ...CLOSURE_REASONS].map(([, label]) => label);
  assert.deepEqual(labels.filter((label) => label.startsWith("factor.")), []);
  const codes = new Set([...RISK_FACTORS, ...PROTECTIVE_FACTORS].map(([code]) => code));
  assert.deepEqual(Object.keys(en.strings.factor).filter((code) => !codes.has(code)), []);
});

test("each call fills exactly the placeholders of its text", () => {
  const wrong = calls.filter((c) => c.params !== null).flatMap((c) => {
    const value = lookup(c.key) ?? "";
    // A plural is picked by `count`, which its text need not show ("needs" / "need").
    const wanted = [...new Set([...placeholders(value), ...(typeof value === "object" ? ["count"] : [])])].sort();
    const given = [...new Set(c.params)].sort();
    return JSON.stringify(wanted) === JSON.stringify(given) ? [] : [`${c.file}: ${c.key} wants {${wanted}} gets {${given}}`];
  });
  assert.deepEqual(wrong, []);
});

test("a plural has an `other` form and every form names the same placeholders", () => {
  for (const [group, keys] of Object.entries(en.strings)) {
    for (const [key, value] of Object.entries(keys)) {
      if (typeof value === "string") continue;
      assert.ok(value.other, `${group}.${key} has no "other" form`);
      const each = Object.values(value).map((text) => [...placeholders(text)].sort().join());
      assert.equal(new Set(each).size, 1, `${group}.${key}: forms differ in placeholders`);
    }
  }
});

test("t fills placeholders and picks the plural form by count", () => {
  assert.equal(t("app.signedInAs", { name: "Jo Officer" }), "Signed in as Jo Officer.");
  assert.equal(t("app.notSent", { count: 1 }), "1 entry has not been sent");
  assert.equal(t("app.notSent", { count: 2 }), "2 entries have not been sent");
  assert.equal(t("app.notSent", { count: 0 }), "0 entries have not been sent");
  assert.equal(t("home.waiting", { count: 1234 }), "1,234 entries waiting to sync");
  assert.equal(t("no.such"), "no.such");
});

test("the language is the stored choice, else the phone's, else English; the test locale only when asked for", () => {
  assert.equal(pickLanguage("en", ["fr-CA"]), "en");
  assert.equal(pickLanguage(null, ["fr-CA", "en-GB"]), "en");
  assert.equal(pickLanguage(null, ["de-DE"]), "en");
  assert.equal(pickLanguage(null, []), "en");
  assert.equal(pickLanguage("pseudo", ["en-CA"]), "pseudo");
  assert.equal(pickLanguage(null, ["pseudo"]), "en");
});

test("numbers are formatted for the catalogue's locale", () => {
  assert.equal(locale, "en-CA");
  assert.equal(formatNumber(12345.5), "12,345.5");
});
