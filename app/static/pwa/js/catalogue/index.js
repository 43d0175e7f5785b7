// The catalogues the app offers, one line each (the name is the language code: fr-CA on a phone picks fr).
export { default as en } from "./en.js";
