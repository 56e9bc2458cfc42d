import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firmwareDir } from './firmware-dir.js';

const LIB = join(firmwareDir(), 'overlay/usr/lib/letterbox-firmware');
const ED = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHcUu0CkS6q9qkWkm0ZsY0mM2C7mXzJm1d3m0b0ZCq1N';
const RSA = 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7';

/** Runs the shared `ssh_keys_filter` (ssh-keys.sh) over INPUT in a fresh directory; returns its output lines. */
function filter(input: string, cwd: string): string[] {
  // 256 MB of address space: the filter runs on a 512 MB board (a bounded regex repeat once took gigabytes).
  const r = spawnSync('bash', ['-c', `ulimit -v 262144; . '${LIB}/ssh-keys.sh'; ssh_keys_filter`], { input, encoding: 'utf8', cwd });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\n').filter((l) => l !== '');
}

describe('firmware SSH key filter (ssh-keys.sh, shared by letterbox.txt and the admin page)', () => {
  it('keeps OpenSSH public keys of the accepted types and drops everything else', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'letterbox-keys-'));
    try {
      const good = [
        `${ED} owner@laptop`,
        RSA,
        'ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTY= phone',
        'sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29t yubikey',
      ];
      const hostile = [
        `command="touch pwned" ${ED}`,
        `from="10.0.0.1" ${ED}`,
        `no-pty,${ED}`,
        'ssh-dss AAAAB3NzaC1kc3MAAACBAP1/U4Ed owner',
        'ssh-ed25519 not-base64!!',
        'ssh-ed25519 AAAA',
        `${ED};touch pwned`,
        '$(touch pwned)',
        'password=secret',
        '',
      ];
      const out = filter([...good, ...hostile].join('\r\n'), dir);
      assert.deepEqual(out, good);
      assert.equal(existsSync(join(dir, 'pwned')), false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('strips shell syntax and control characters from comments and never runs them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'letterbox-keys-'));
    try {
      const out = filter(`${ED} me@x $(touch pwned) \`touch pwned2\`; rm -rf / \x1b[31m|&>\n  ${RSA}\t tab\n`, dir);
      assert.deepEqual(out, [`${ED} me@x touch pwned touch pwned2 rm -rf  31m`, `${RSA} tab`]);
      // eslint-disable-next-line no-control-regex -- control characters must not survive
      for (const line of out) assert.doesNotMatch(line, /[$`;|&<>\\"'()\x00-\x1f]/);
      assert.equal(existsSync(join(dir, 'pwned')), false);
      assert.equal(existsSync(join(dir, 'pwned2')), false);
      // A newline inside a value can only ever end a line: the next line is checked on its own.
      assert.deepEqual(filter(`${ED} a\ncommand="x" ${ED}\n`, dir), [`${ED} a`]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

/** Runs ssh-request.sh over temp directories with a fake systemctl that records its calls. */
async function runRequest(request: string | null, setup?: (dir: string) => Promise<void>): Promise<{ dir: string; app: string; ssh: string; calls: string; stdout: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'letterbox-sshreq-'));
  const app = join(dir, 'app');
  const ssh = join(dir, 'state/ssh');
  await mkdir(join(app, 'system'), { recursive: true });
  await mkdir(join(dir, 'state'));
  await writeFile(join(dir, 'hostname'), 'letterbox');
  await writeFile(join(dir, 'systemctl'), `#!/bin/sh\necho "$*" >>'${dir}/calls'\n[ "$1" = is-active ] && { [ -e '${ssh}/enabled' ] && echo active || echo inactive; }\nexit 0\n`);
  await chmod(join(dir, 'systemctl'), 0o755);
  if (request !== null) await writeFile(join(app, 'system/ssh-request'), request);
  await setup?.(dir);
  const r = spawnSync('bash', [join(LIB, 'ssh-request.sh')], {
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      LETTERBOX_APP_DATA_DIR: app,
      LETTERBOX_STATE_DIR: join(dir, 'state'),
      LETTERBOX_HOSTNAME_FILE: join(dir, 'hostname'),
      LETTERBOX_APP_USER: '',
      LETTERBOX_SYSTEMCTL: join(dir, 'systemctl'),
    },
  });
  assert.equal(r.status, 0, r.stderr);
  const calls = existsSync(join(dir, 'calls')) ? await readFile(join(dir, 'calls'), 'utf8') : '';
  return { dir, app, ssh, calls, stdout: r.stdout };
}

describe('firmware SSH request from the admin page (ssh-request.sh)', () => {
  it('switches SSH on with the filtered keys, makes a host key, starts ssh and reports back', async () => {
    const r = await runRequest(`ssh=on\nssh_authorized_key=${ED} owner\nssh_authorized_key=command="x" ${ED}\n`);
    try {
      assert.equal(await readFile(join(r.ssh, 'authorized_keys'), 'utf8'), `${ED} owner\n`);
      assert.equal((await stat(join(r.ssh, 'authorized_keys'))).mode & 0o777, 0o600);
      assert.ok(existsSync(join(r.ssh, 'enabled')));
      assert.ok(existsSync(join(r.ssh, 'ssh_host_ed25519_key')));
      assert.match(r.calls, /^start ssh\.service$/m);
      assert.equal(existsSync(join(r.app, 'system/ssh-request')), false, 'the request is taken');
      const state = await readFile(join(r.app, 'system/ssh-state'), 'utf8');
      assert.match(state, /^ssh=on$/m);
      assert.match(state, /^active=active$/m);
      assert.match(state, /^result=applied$/m);
      assert.match(state, /^host_key=SHA256:/m);
      assert.match(state, new RegExp(`^ssh_authorized_key=${ED} owner$`, 'm'));
    } finally {
      await rm(r.dir, { recursive: true, force: true });
    }
  });

  it('refuses to switch on without a usable key, and switches off (enabled removed, ssh stopped)', async () => {
    const refused = await runRequest('ssh=on\nssh_authorized_key=password\n');
    try {
      assert.equal(existsSync(join(refused.ssh, 'enabled')), false);
      assert.doesNotMatch(refused.calls, /start/);
      assert.match(await readFile(join(refused.app, 'system/ssh-state'), 'utf8'), /^result=refused: no usable public key$/m);
    } finally {
      await rm(refused.dir, { recursive: true, force: true });
    }
    const off = await runRequest('ssh=off\n', async (dir) => {
      await mkdir(join(dir, 'state/ssh'), { recursive: true });
      await writeFile(join(dir, 'state/ssh/enabled'), '');
      await writeFile(join(dir, 'state/ssh/authorized_keys'), `${ED}\n`);
    });
    try {
      assert.equal(existsSync(join(off.ssh, 'enabled')), false);
      assert.equal(existsSync(join(off.ssh, 'authorized_keys')), false);
      assert.match(off.calls, /^stop ssh\.service$/m);
      const state = await readFile(join(off.app, 'system/ssh-state'), 'utf8');
      assert.match(state, /^ssh=off$/m);
      assert.match(state, /^active=inactive$/m);
    } finally {
      await rm(off.dir, { recursive: true, force: true });
    }
  });

  it('without a request only reports the state (once per boot)', async () => {
    const r = await runRequest(null);
    try {
      assert.doesNotMatch(r.calls, /start|stop/);
      assert.match(await readFile(join(r.app, 'system/ssh-state'), 'utf8'), /^result=boot$/m);
    } finally {
      await rm(r.dir, { recursive: true, force: true });
    }
  });
});
