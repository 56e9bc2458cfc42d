import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firmwareDir } from './firmware-dir.js';

const overlay = join(firmwareDir(), 'overlay');

/** Parses a systemd unit or INI-style file into section -> key -> values (keys may repeat). */
function parseUnit(text: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header?.[1]) {
      current = sections.get(header[1]) ?? new Map<string, string[]>();
      sections.set(header[1], current);
      continue;
    }
    const eq = line.indexOf('=');
    assert.ok(current && eq > 0, `line outside a section or without '=': ${line}`);
    const key = line.slice(0, eq).trim();
    current.set(key, [...(current.get(key) ?? []), line.slice(eq + 1).trim()]);
  }
  return sections;
}

async function unit(path: string): Promise<Map<string, Map<string, string[]>>> {
  return parseUnit(await readFile(join(overlay, path), 'utf8'));
}

function value(u: Map<string, Map<string, string[]>>, section: string, key: string): string | undefined {
  return u.get(section)?.get(key)?.at(-1);
}

describe('firmware system configuration', () => {
  it('runs Letterbox unprivileged with only the low-port capability and hardening', async () => {
    const u = await unit('etc/systemd/system/letterbox.service');
    const s = (k: string): string | undefined => value(u, 'Service', k);
    assert.equal(s('User'), 'letterbox');
    assert.equal(s('AmbientCapabilities'), 'CAP_NET_BIND_SERVICE');
    assert.equal(s('CapabilityBoundingSet'), 'CAP_NET_BIND_SERVICE');
    assert.equal(s('NoNewPrivileges'), 'yes');
    assert.equal(s('ProtectSystem'), 'strict');
    assert.equal(s('ReadWritePaths'), '/var/lib/letterbox');
    assert.equal(s('PrivateTmp'), 'yes');
    assert.equal(s('ProtectHome'), 'yes');
    assert.equal(s('Restart'), 'on-failure');
    assert.match(s('ExecStart') ?? '', /^\/usr\/bin\/node --max-semi-space-size=1 --max-old-space-size=256 \/opt\/letterbox\/bin\/letterbox\.js start --data \/var\/lib\/letterbox$/);
    // V8's JIT writes code pages: this option would kill Node at start.
    assert.notEqual(s('MemoryDenyWriteExecute'), 'yes');
    // The app sends READY=1 and watchdog pings through systemd-notify (a child
    // process), so systemd must accept messages from the whole service.
    assert.equal(s('Type'), 'notify');
    assert.equal(s('NotifyAccess'), 'all');
    assert.equal(s('WatchdogSec'), '30s');
    assert.equal(value(u, 'Unit', 'RequiresMountsFor'), '/var/lib/letterbox');
    // systemd ignores start limits in [Service] (with only a warning in the boot log).
    assert.equal(s('StartLimitIntervalSec'), undefined);
    assert.equal(value(u, 'Unit', 'StartLimitBurst'), '5');
  });

  it('orders first boot and setup before Letterbox, and first boot runs once', async () => {
    const first = await unit('etc/systemd/system/letterbox-firstboot.service');
    assert.equal(value(first, 'Unit', 'ConditionPathExists'), '!/data/system/firstboot-done');
    assert.match(value(first, 'Unit', 'Before') ?? '', /\bletterbox\.service\b/);
    const setup = await unit('etc/systemd/system/letterbox-setup.service');
    assert.match(value(setup, 'Unit', 'Before') ?? '', /\bavahi-daemon\.service\b.*\bletterbox\.service\b.*\bssh\.service\b/);
    const ssh = await unit('etc/systemd/system/ssh.service.d/letterbox.conf');
    assert.equal(value(ssh, 'Unit', 'ConditionPathExists'), '/data/system/ssh/enabled', 'SSH stays off unless enabled');
  });

  it('applies SSH requests from the admin page as root, watching the file Letterbox writes', async () => {
    const path = await unit('etc/systemd/system/letterbox-ssh-request.path');
    // The app's data directory is /var/lib/letterbox (a bind mount of /data/letterbox).
    assert.equal(value(path, 'Path', 'PathExists'), '/var/lib/letterbox/system/ssh-request');
    assert.equal(value(path, 'Path', 'Unit'), 'letterbox-ssh-request.service');
    assert.match(value(path, 'Unit', 'RequiresMountsFor') ?? '', /\/var\/lib\/letterbox\b/);
    const svc = await unit('etc/systemd/system/letterbox-ssh-request.service');
    const s = (k: string): string | undefined => value(svc, 'Service', k);
    assert.equal(s('Type'), 'oneshot');
    assert.ok(s('User') === undefined || s('User') === 'root', 'root: it starts and stops ssh');
    assert.equal(s('RemainAfterExit'), undefined, 'a oneshot that stays inactive, so every request starts it again');
    assert.equal(s('ExecStart'), '/usr/lib/letterbox-firmware/ssh-request.sh');
    assert.match(value(svc, 'Unit', 'After') ?? '', /\bssh\.service\b/);
    assert.match(value(svc, 'Unit', 'RequiresMountsFor') ?? '', /\/data\b/);
    assert.ok(existsSync(join(overlay, 'usr/lib/letterbox-firmware/ssh-request.sh')));
    const configure = await readFile(join(firmwareDir(), 'lib/configure-root.sh'), 'utf8');
    assert.match(configure, /systemctl enable [^\n]*(\\\n[^\n]*)*\bletterbox-ssh-request\.path\b/, 'the path unit is enabled in the image');
    // The app may only write its data directory: the request file must be inside it.
    const app = await unit('etc/systemd/system/letterbox.service');
    assert.ok((value(path, 'Path', 'PathExists') ?? '').startsWith(`${value(app, 'Service', 'ReadWritePaths') ?? '?'}/`));
  });

  it('keeps logs in RAM with a cap, swaps to zram and arms the hardware watchdog', async () => {
    const journald = await unit('etc/systemd/journald.conf.d/letterbox.conf');
    assert.equal(value(journald, 'Journal', 'Storage'), 'volatile');
    assert.match(value(journald, 'Journal', 'RuntimeMaxUse') ?? '', /^\d+M$/);
    const zram = await unit('etc/systemd/zram-generator.conf');
    assert.match(value(zram, 'zram0', 'zram-size') ?? '', /ram/);
    const wd = await unit('etc/systemd/system.conf.d/letterbox-watchdog.conf');
    assert.equal(value(wd, 'Manager', 'RuntimeWatchdogSec'), '15');
  });

  it('refuses SSH passwords', async () => {
    const text = await readFile(join(overlay, 'etc/ssh/sshd_config.d/letterbox.conf'), 'utf8');
    assert.match(text, /^PasswordAuthentication no$/m);
    assert.match(text, /^KbdInteractiveAuthentication no$/m);
    assert.match(text, /^PermitRootLogin prohibit-password$/m);
  });

  it('writes an fstab with noatime, a longer data commit interval and RAM-backed logs', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'letterbox-fstab-'));
    try {
      const file = join(dir, 'fstab');
      const lib = join(firmwareDir(), 'lib');
      const r = spawnSync('bash', ['-c', `. '${lib}/common.sh'; . '${lib}/image.sh'; DISK_ID=0x0badcafe; write_fstab '${file}'`], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const rows = (await readFile(file, 'utf8')).split('\n').filter((l) => l.trim() && !l.startsWith('#')).map((l) => l.trim().split(/\s+/));
      const byMount = new Map(rows.map((r) => [r[1], r]));
      assert.equal(byMount.has('/'), false, 'the root comes from the kernel command line (slot A or B)');
      assert.equal(byMount.get('/boot/firmware')?.[0], 'PARTUUID=0badcafe-01');
      assert.equal(byMount.get('/data')?.[0], 'PARTUUID=0badcafe-04');
      for (const [, mount, type, options] of rows) {
        if (type === 'ext4' || type === 'vfat') assert.match(options ?? '', /\bnoatime\b/, `${mount} noatime`);
      }
      assert.match(byMount.get('/data')?.[3] ?? '', /\bcommit=30\b/);
      assert.equal(byMount.get('/var/log')?.[2], 'tmpfs');
      assert.equal(byMount.get('/var/lib/letterbox')?.[0], '/data/letterbox');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('ships every firmware script executable', async () => {
    const dir = join(overlay, 'usr/lib/letterbox-firmware');
    for (const name of await readdir(dir)) {
      const mode = (await stat(join(dir, name))).mode;
      assert.equal(mode & 0o111, 0o111, `${name} is executable`);
    }
  });
});
