// Which needs and outcomes the encounter form keeps in sight: the most used on this phone, ties in the
// vocabulary's order.

import assert from "node:assert/strict";
import { test } from "node:test";

import { countUse, firstShown } from "../../app/static/pwa/js/views/chip-groups.js";
import { NEEDS } from "../../app/static/pwa/js/vocabulary.js";

test("with nothing used yet, the vocabulary's first needs are in sight", () => {
  assert.deepEqual([...firstShown(NEEDS, undefined, 5)], ["addictions", "mental_health", "housing", "medical", "food"]);
});

test("the needs used most come into sight, pushing out the last of the unused ones", () => {
  let use = countUse({}, ["legal", "housing"]);
  use = countUse(use, ["legal"]);
  assert.deepEqual(use, { legal: 2, housing: 1 });
  assert.deepEqual([...firstShown(NEEDS, use, 5)], ["legal", "housing", "addictions", "mental_health", "medical"]);
  assert.deepEqual(countUse(use, undefined), use);
});
