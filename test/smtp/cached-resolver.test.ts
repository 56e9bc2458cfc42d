// The DNS answer cache of the inbound checks: one query for concurrent
// identical questions, answers reused for their time and asked again after,
// negative answers kept as long as answers, other failures only briefly,
// callers cannot change each other's records, and the size stays bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cachedResolver } from '../../src/smtp/cached-resolver.js';

function upstream(answer: (name: string) => unknown) {
  const asked: string[] = [];
  const resolve = async (name: string, rrtype: string): Promise<unknown> => {
    asked.push(`${rrtype} ${name}`);
    const a = answer(name);
    if (a instanceof Error) throw a;
    return a;
  };
  return { asked, resolve };
}

const dnsError = (code: string) => Object.assign(new Error(code), { code });

test('concurrent identical questions share one query; names are case-insensitive', async () => {
  const u = upstream(() => [['v=spf1 -all']]);
  const r = cachedResolver(u.resolve, { now: () => 0 });
  const got = await Promise.all([r('a.example', 'TXT'), r('A.Example', 'TXT'), r('a.example', 'TXT')]);
  assert.deepEqual(got, [[['v=spf1 -all']], [['v=spf1 -all']], [['v=spf1 -all']]]);
  assert.deepEqual(u.asked, ['TXT a.example']);
  await r('a.example', 'MX');
  assert.deepEqual(u.asked, ['TXT a.example', 'MX a.example']);
});

test('answers are reused for answerMs, then asked again', async () => {
  let t = 0;
  const u = upstream(() => [['x']]);
  const r = cachedResolver(u.resolve, { now: () => t, answerMs: 1000 });
  await r('a.example', 'TXT');
  t = 999;
  await r('a.example', 'TXT');
  assert.equal(u.asked.length, 1);
  t = 1001;
  await r('a.example', 'TXT');
  assert.equal(u.asked.length, 2);
});

test('"no such record" is kept like an answer; a server failure only for failureMs', async () => {
  let t = 0;
  const u = upstream((name) => dnsError(name.startsWith('gone') ? 'ENOTFOUND' : 'ESERVFAIL'));
  const r = cachedResolver(u.resolve, { now: () => t, negativeMs: 60_000, failureMs: 5000 });
  await assert.rejects(r('gone.example', 'TXT'), { code: 'ENOTFOUND' });
  await assert.rejects(r('broken.example', 'TXT'), { code: 'ESERVFAIL' });
  t = 10_000;
  await assert.rejects(r('gone.example', 'TXT'), { code: 'ENOTFOUND' });
  await assert.rejects(r('broken.example', 'TXT'), { code: 'ESERVFAIL' });
  assert.deepEqual(u.asked, ['TXT gone.example', 'TXT broken.example', 'TXT broken.example']);
});

test('a caller that edits its records does not change the next caller\u2019s', async () => {
  const u = upstream(() => [['b', 'a'], ['c']]);
  const r = cachedResolver(u.resolve, { now: () => 0 });
  const first = (await r('a.example', 'TXT')) as string[][];
  first[0]!.sort();
  first.pop();
  assert.deepEqual(await r('a.example', 'TXT'), [['b', 'a'], ['c']]);
});

test('at most maxEntries questions are remembered, the oldest forgotten first', async () => {
  const u = upstream(() => [['x']]);
  const r = cachedResolver(u.resolve, { now: () => 0, maxEntries: 2 });
  await r('1.example', 'TXT');
  await r('2.example', 'TXT');
  await r('3.example', 'TXT');
  await r('3.example', 'TXT');
  await r('2.example', 'TXT');
  await r('1.example', 'TXT');
  assert.deepEqual(u.asked, ['TXT 1.example', 'TXT 2.example', 'TXT 3.example', 'TXT 1.example']);
});
