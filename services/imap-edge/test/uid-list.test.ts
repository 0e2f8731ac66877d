// UidList against the plain array it replaces: every operation, on random
// mailboxes with holes, gives the same answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UidList } from '../src/uid-list.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

test('UidList answers like an ascending array of UIDs', () => {
  for (let seed = 1; seed <= 200; seed++) {
    const r = rng(seed);
    const model: number[] = [];
    let uid = 1 + Math.floor(r() * 5);
    const n = Math.floor(r() * 60);
    for (let i = 0; i < n; i++) {
      model.push(uid);
      uid += r() < 0.7 ? 1 : 2 + Math.floor(r() * 4);
    }
    const list = new UidList(model);
    for (let round = 0; round < 5; round++) {
      assert.equal(list.length, model.length);
      assert.equal(list.max, model.length ? model[model.length - 1] : 0);
      for (let seq = 0; seq <= model.length + 1; seq++) assert.equal(list.at(seq), model[seq - 1], `at(${seq})`);
      for (let u = 0; u <= uid + 1; u++) assert.equal(list.seqOf(u), model.indexOf(u) + 1, `seqOf(${u})`);
      const lo = 1 + Math.floor(r() * (model.length + 1));
      const hi = Math.min(model.length, lo + Math.floor(r() * 10));
      assert.deepEqual(list.slice(lo, hi), model.slice(lo - 1, hi));
      const a = Math.floor(r() * uid);
      const b = a + Math.floor(r() * 20);
      assert.deepEqual(
        list.inRange(a, b),
        model.filter((u) => u >= a && u <= b),
      );
      // Expunge a few (and some UIDs that are not there, and a duplicate).
      const gone = model.filter(() => r() < 0.2);
      const expected = gone.map((u) => ({ seq: model.indexOf(u) + 1, uid: u })).sort((x, y) => y.seq - x.seq);
      assert.deepEqual(list.remove([...gone, ...gone.slice(0, 1), uid + 7]), expected);
      for (const u of gone) model.splice(model.indexOf(u), 1);
      // New mail.
      const fresh = Math.floor(r() * 3);
      for (let i = 0; i < fresh; i++) {
        uid += r() < 0.5 ? 1 : 3;
        model.push(uid);
        list.push(uid);
      }
    }
  }
});

test('a contiguous mailbox of 100,000 messages is one run', () => {
  const list = new UidList(Array.from({ length: 100_000 }, (_, i) => i + 1));
  assert.equal(list.length, 100_000);
  assert.equal(list.at(54_321), 54_321);
  assert.equal(list.seqOf(100_000), 100_000);
  assert.deepEqual(list.remove([50_000]), [{ seq: 50_000, uid: 50_000 }]);
  assert.equal(list.at(50_000), 50_001);
  assert.equal(list.seqOf(50_000), 0);
  assert.equal(list.length, 99_999);
});

test('fromRuns builds the same list as the UIDs one by one', () => {
  const list = UidList.fromRuns([1, 5, 9], [3, 6, 12]);
  assert.deepEqual(list.slice(1, list.length), [1, 2, 3, 5, 6, 9, 10, 11, 12]);
  assert.equal(list.seqOf(9), 6);
  assert.equal(UidList.fromRuns([], []).length, 0);
});

test('rank counts the UIDs held up to a UID, inside runs, in holes, beyond both ends', () => {
  const list = new UidList([3, 4, 5, 9, 12, 13]);
  const model = [3, 4, 5, 9, 12, 13];
  for (let u = 0; u <= 16; u++) assert.equal(list.rank(u), model.filter((x) => x <= u).length, `rank(${u})`);
  assert.equal(new UidList().rank(5), 0);
});
