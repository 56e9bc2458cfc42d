import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firmwareDir } from './firmware-dir.js';

/**
 * Runs the image's letterbox-setup script (applies letterbox.txt from the
 * boot partition) against temp directories instead of /boot/firmware,
 * /data/system and the kernel host name. `wpa_passphrase` is replaced by a
 * stub that prints what the real one prints (a network block with the PSK).
 */
async function runSetup(settings: string | null): Promise<{ status: number | null; stdout: string; stderr: string; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'letterbox-setup-'));
  const boot = join(dir, 'boot');
  const state = join(dir, 'state');
  const bin = join(dir, 'bin');
  await mkdir(boot);
  await mkdir(state);
  await mkdir(bin);
  if (settings !== null) await writeFile(join(boot, 'letterbox.txt'), settings);
  await writeFile(join(dir, 'hostname'), 'letterbox');
  await writeFile(
    join(bin, 'wpa_passphrase'),
    '#!/bin/sh\nprintf \'network={\\n\\tssid="%s"\\n\\t#psk="%s"\\n\\tpsk=0123456789abcdef\\n}\\n\' "$1" "$2"\n',
  );
  await chmod(join(bin, 'wpa_passphrase'), 0o755);
  const script = join(firmwareDir(), 'overlay/usr/lib/letterbox-firmware/setup.sh');
  const r = spawnSync('bash', [script], {
    encoding: 'utf8',
    cwd: boot,
    env: {
      PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      LETTERBOX_BOOT_DIR: boot,
      LETTERBOX_STATE_DIR: state,
      LETTERBOX_HOSTNAME_FILE: join(dir, 'hostname'),
    },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, dir };
}

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHcUu0CkS6q9qkWkm0ZsY0mM2C7mXzJm1d3m0b0ZCq1N owner@laptop';

describe('firmware boot-partition settings (letterbox.txt)', () => {
  it('applies host name, Wi-Fi and SSH keys, and removes the Wi-Fi password from the card', async () => {
    const r = await runSetup(
      'hostname=MailBox\r\nwifi_ssid=Home Net\r\nwifi_password=correct horse battery\r\nwifi_country=de\r\n' +
        `ssh=on\r\nssh_authorized_key=${KEY}\r\nssh_authorized_key=not a key\r\n`,
    );
    try {
      assert.equal(r.status, 0, r.stderr);
      assert.equal(await readFile(join(r.dir, 'hostname'), 'utf8'), 'mailbox', 'host names are lower case');
      assert.equal((await readFile(join(r.dir, 'state/hostname'), 'utf8')).trim(), 'mailbox');
      const wifi = join(r.dir, 'state/wpa_supplicant-wlan0.conf');
      const conf = await readFile(wifi, 'utf8');
      assert.match(conf, /^country=DE$/m);
      assert.match(conf, /ssid="Home Net"/);
      assert.match(conf, /^\s*psk=0123456789abcdef$/m);
      assert.doesNotMatch(conf, /correct horse/, 'only the derived PSK is stored');
      assert.equal((await stat(wifi)).mode & 0o777, 0o600);
      const card = await readFile(join(r.dir, 'boot/letterbox.txt'), 'utf8');
      assert.doesNotMatch(card, /correct horse/);
      assert.match(card, /^# wifi_password was applied on \d{4}-\d\d-\d\d/m);
      assert.match(card, /^wifi_ssid=Home Net$/m, 'the rest of the file stays');
      assert.equal((await readFile(join(r.dir, 'state/ssh/authorized_keys'), 'utf8')).trim(), KEY, 'lines that are not keys are dropped');
      assert.ok(existsSync(join(r.dir, 'state/ssh/enabled')));
      assert.ok(existsSync(join(r.dir, 'state/ssh/ssh_host_ed25519_key')), 'a host key is made when SSH is switched on');
    } finally {
      await rm(r.dir, { recursive: true, force: true });
    }
  });

  it('ignores a bad host name and a short Wi-Fi password, and leaves SSH off by default', async () => {
    const r = await runSetup('hostname=-bad_name-\nwifi_ssid=x\nwifi_password=short\n');
    try {
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /ignoring hostname=-bad_name-/);
      assert.match(r.stdout, /password must have 8 to 63 characters/);
      assert.equal(await readFile(join(r.dir, 'hostname'), 'utf8'), 'letterbox');
      assert.equal(existsSync(join(r.dir, 'state/wpa_supplicant-wlan0.conf')), false);
      assert.equal(existsSync(join(r.dir, 'state/ssh/enabled')), false);
    } finally {
      await rm(r.dir, { recursive: true, force: true });
    }
  });

  it('never executes the file: shell syntax in a value stays text', async () => {
    const r = await runSetup('hostname=$(touch pwned)\nwifi_ssid=`touch pwned2`\nwifi_password=12345678; touch pwned3\n');
    try {
      assert.equal(r.status, 0, r.stderr);
      for (const f of ['pwned', 'pwned2', 'pwned3']) assert.equal(existsSync(join(r.dir, 'boot', f)), false);
      assert.equal(await readFile(join(r.dir, 'hostname'), 'utf8'), 'letterbox');
    } finally {
      await rm(r.dir, { recursive: true, force: true });
    }
  });

  it('keeps the default host name when there is no settings file', async () => {
    const r = await runSetup(null);
    try {
      assert.equal(r.status, 0, r.stderr);
      assert.equal(await readFile(join(r.dir, 'hostname'), 'utf8'), 'letterbox');
      assert.match(r.stdout, /host name letterbox \(LAN name letterbox\.local\)/);
    } finally {
      await rm(r.dir, { recursive: true, force: true });
    }
  });
});
