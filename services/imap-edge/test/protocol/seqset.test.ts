import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SequenceSet, formatUidSet } from '../../src/protocol/seqset.js';
import { ParseError } from '../../src/protocol/errors.js';

test('parse/format round trips', () => {
  for (const s of ['1', '*', '1:*', '2,4:7,9,12:*', '5:2', '$', '1,$', '4294967295']) {
    assert.equal(SequenceSet.parse(s).format(), s);
  }
  assert.equal(SequenceSet.parse('3:3').format(), '3');
});

test('parse rejects garbage', () => {
  for (const s of ['', '0', '1:', ':2', '1,,2', '1:2:3', '01', 'a', '4294967296', '1 2', '*:0']) {
    assert.throws(() => SequenceSet.parse(s), ParseError, s);
  }
});

test('resolve: star, reversed ranges, overlaps, clipping', () => {
  assert.deepEqual(SequenceSet.parse('1:*').resolve(10), [[1, 10]]);
  assert.deepEqual(SequenceSet.parse('5:2,4:7,9').resolve(8), [[2, 7]]);
  assert.deepEqual(SequenceSet.parse('100:*').resolve(50), [[50, 50]]);
  assert.deepEqual(SequenceSet.parse('1,3,2,7:8').resolve(100), [
    [1, 3],
    [7, 8],
  ]);
  assert.deepEqual(SequenceSet.parse('60:70').resolve(50), []);
  assert.deepEqual(SequenceSet.parse('*').resolve(0), []);
});

test('contains, values, count, maxExplicit', () => {
  const s = SequenceSet.parse('2:4,10:*');
  assert.equal(s.contains(3, 20), true);
  assert.equal(s.contains(5, 20), false);
  assert.equal(s.contains(15, 20), true);
  assert.equal(s.contains(21, 20), false);
  assert.equal(SequenceSet.parse('*:5').contains(7, 9), true);
  assert.deepEqual([...s.values(12)], [2, 3, 4, 10, 11, 12]);
  assert.equal(s.count(12), 6);
  assert.equal(s.maxExplicit, 10);
  assert.equal(s.hasStar, true);
});

test('fromNumbers compacts; values round trip', () => {
  const set = SequenceSet.fromNumbers([9, 1, 2, 3, 5, 3, 6, 7]);
  assert.equal(set.format(), '1:3,5:7,9');
  assert.deepEqual([...set.values(100)], [1, 2, 3, 5, 6, 7, 9]);
  assert.equal(
    SequenceSet.fromRanges([
      [8, 6],
      [1, 2],
      [3, 3],
    ]).format(),
    '1:3,6:8',
  );
  assert.equal(SequenceSet.fromNumbers([]).isEmpty, true);
});

test('search result substitution', () => {
  const s = SequenceSet.parse('$');
  assert.equal(s.searchResult, true);
  assert.deepEqual(s.withSearchResult(SequenceSet.parse('2,4')).resolve(10), [
    [2, 2],
    [4, 4],
  ]);
});

test('formatUidSet keeps order, collapses ascending runs', () => {
  assert.equal(formatUidSet([1, 2, 3, 7, 5, 6]), '1:3,7,5:6');
  assert.equal(formatUidSet([4]), '4');
  assert.equal(formatUidSet([]), '');
  assert.equal(formatUidSet([3, 2, 1]), '3,2,1');
  assert.equal(formatUidSet(SequenceSet.parse('10:12,20').values(100)), '10:12,20');
});
