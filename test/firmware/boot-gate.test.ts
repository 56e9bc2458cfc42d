import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, mkdirSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firmwareDir } from './firmware-dir.js';

/**
 * CI runs the 15-30 minute boot test only when what it depends on changed
 * since its last recorded pass: these tests pin what the fingerprint covers.
 */
describe('boot test gate fingerprint', () => {
  const script = join(firmwareDir(), 'test', 'boot-fingerprint.sh');

  /** A throw-away git checkout holding a small firmware/ tree and a lockfile. */
  function scratchRepo(): string {
    const dir = mkdtempSync(join(tmpdir(), 'lb-gate-'));
    mkdirSync(join(dir, 'firmware', 'test'), { recursive: true });
    cpSync(script, join(dir, 'firmware', 'test', 'boot-fingerprint.sh'));
    writeFileSync(join(dir, 'firmware', 'build.sh'), '#!/bin/bash\necho build\n');
    writeFileSync(join(dir, 'package-lock.json'), '{"lockfileVersion":3}\n');
    writeFileSync(join(dir, 'README.md'), 'app\n');
    const git = (...args: string[]): void => {
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: dir, stdio: 'ignore' });
    };
    git('init', '-q');
    git('add', '.');
    git('commit', '-qm', 'scratch');
    return dir;
  }
  const fingerprint = (dir: string): string =>
    execFileSync('bash', [join(dir, 'firmware', 'test', 'boot-fingerprint.sh')], { encoding: 'utf8' }).trim();

  it('changes with firmware/ and the lockfile, not with the app or the pass record', () => {
    const dir = scratchRepo();
    try {
      const first = fingerprint(dir);
      assert.match(first, /^[0-9a-f]{16}$/);
      assert.equal(fingerprint(dir), first, 'stable');

      writeFileSync(join(dir, 'firmware', 'test', 'boot-tested'), `fingerprint ${first}\n`);
      appendFileSync(join(dir, 'README.md'), 'more\n');
      assert.equal(fingerprint(dir), first, 'the record and files outside firmware/ do not count');

      appendFileSync(join(dir, 'firmware', 'build.sh'), 'echo more\n');
      const second = fingerprint(dir);
      assert.notEqual(second, first, 'an edited firmware script counts');

      writeFileSync(join(dir, 'firmware', 'new-unit.service'), '[Unit]\n');
      const third = fingerprint(dir);
      assert.notEqual(third, second, 'a new, not yet committed firmware file counts');

      appendFileSync(join(dir, 'package-lock.json'), '\n');
      assert.notEqual(fingerprint(dir), third, 'the lockfile counts');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
