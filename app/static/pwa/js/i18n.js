// The words of the phone app: t(key, params) from the chosen catalogue (catalogue/), with its plurals and
// its number and date formats. A new language is a new catalogue file and one line in catalogue/index.js
// (docs/field-app.md, "Language").

import * as CATALOGUES from "./catalogue/index.js";

const FALLBACK = CATALOGUES.en;
// The user's own choice, on this phone. "pseudo" (a known test locale, never listed) wraps every string in
// ⟦…⟧ so that a screen shows at a glance any text that does not come from the catalogue.
export const LANGUAGE_KEY = "help-field-language";
export const PSEUDO = "pseudo";

const stored = () => {
  try {
    return globalThis.localStorage ? globalThis.localStorage.getItem(LANGUAGE_KEY) : null;
  } catch {
    return null; // storage refused (private mode, or the service worker): the phone's languages decide
  }
};

// The first of: the stored choice, the phone's languages (fr-CA → fr), English.
export function pickLanguage(choice = stored(), wanted = globalThis.navigator?.languages || []) {
  if (choice === PSEUDO) return PSEUDO;
  for (const tag of [choice, ...wanted].filter(Boolean)) {
    const code = tag.toLowerCase().split("-")[0];
    if (Object.hasOwn(CATALOGUES, code)) return code;
  }
  return "en";
}

const wrapped = (value) => (typeof value === "string" ? `⟦${value}⟧`
  : Object.fromEntries(Object.entries(value).map(([form, text]) => [form, `⟦${text}⟧`])));
// en-XA: the usual tag for pseudo-English, so that <html lang> shows which catalogue is in use.
const pseudo = (catalogue) => ({ ...catalogue, locale: "en-XA", strings: Object.fromEntries(Object.entries(catalogue.strings)
  .map(([group, keys]) => [group, Object.fromEntries(Object.entries(keys).map(([k, v]) => [k, wrapped(v)]))])) });

const language = pickLanguage();
const catalogue = language === PSEUDO ? pseudo(FALLBACK) : CATALOGUES[language];
export const locale = catalogue.locale;
const plurals = new Intl.PluralRules(locale);
const numbers = new Intl.NumberFormat(locale);

function lookup(strings, key) {
  const dot = key.indexOf(".");
  const group = strings[key.slice(0, dot)];
  return group ? group[key.slice(dot + 1)] : undefined;
}

// "group.key" → the text, {name} placeholders filled from params; a value {one, other, …} is picked by
// params.count with the catalogue's plural rules. A key missing here falls back to English, then to itself.
export function t(key, params = {}) {
  let text = lookup(catalogue.strings, key) ?? lookup(FALLBACK.strings, key) ?? key;
  if (typeof text === "object") text = text[plurals.select(params.count)] ?? text.other;
  return text.replace(/\{(\w+)\}/g, (whole, name) => {
    if (!(name in params)) return whole;
    return name === "count" ? formatNumber(params.count) : String(params[name]);
  });
}

export const formatNumber = (value, options) => (options ? new Intl.NumberFormat(locale, options) : numbers).format(value);

const asDate = (value) => (value instanceof Date ? value : new Date(value));
// Dates and times in the catalogue's locale; `timeZone` where a screen shows the unit's days, else the phone's.
export const formatDate = (value, options = { dateStyle: "medium" }) => asDate(value).toLocaleDateString(locale, options);
export const formatTime = (value, options = { hour: "2-digit", minute: "2-digit" }) => asDate(value).toLocaleTimeString(locale, options);
export const formatDateTime = (value, options = {}) => asDate(value).toLocaleString(locale, options);

// At start: <html lang>, and the page's own words (elements marked data-i18n="key", or data-i18n-label for
// an aria-label).
export function translatePage(doc = document) {
  doc.documentElement.lang = locale;
  for (const el of doc.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of doc.querySelectorAll("[data-i18n-label]")) el.setAttribute("aria-label", t(el.dataset.i18nLabel));
}
