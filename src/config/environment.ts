import { existsSync, readFileSync } from 'node:fs';
import { hostname as osHostname } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The facts about the machine that choose the boot defaults. Detected once by
 * `detectEnvironment()`; tests pass their own so defaults are predictable.
 */
export interface BootEnvironment {
  /** Default for `hostname`: the OS host name. */
  hostname: string;
  /** True when this process may bind ports below 1024 (root, or the kernel allows it to everyone). */
  privilegedPorts: boolean;
  /**
   * True on the appliance (see `isDeviceInstall`): services listen on every
   * IPv4 address and data lives in `/var/lib/letterbox`. False in a developer
   * checkout: services listen on 127.0.0.1 only and data lives in `<checkout>/data`.
   */
  device: boolean;
}

/** File whose presence marks the appliance image (written by the firmware build). */
export const DEVICE_MARKER = '/etc/letterbox-device';

/** Sysctl holding the lowest port an unprivileged process may bind (Linux ≥ 4.11). */
const UNPRIVILEGED_PORT_START = '/proc/sys/net/ipv4/ip_unprivileged_port_start';

/**
 * The directory holding letterbox's package.json (the checkout, or the
 * unpacked app bundle on the device). Found by walking up from this file, so
 * it works from `src/` under a TypeScript runner and from `dist/src/` alike.
 */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      try {
        const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: unknown };
        if (pkg.name === 'letterbox') return dir;
      } catch {
        // An unreadable package.json further down is not ours; keep walking up.
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the letterbox package directory');
    dir = parent;
  }
}

/** The version from package.json (what `letterbox --version` prints). */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
}

/**
 * True when running as the installed appliance rather than from a checkout:
 * the image's marker file exists, or the package is installed below `/opt` or
 * `/usr` (where the firmware and distribution packages put applications) and
 * is not a git checkout.
 */
export function isDeviceInstall(root: string = packageRoot()): boolean {
  if (existsSync(DEVICE_MARKER)) return true;
  if (existsSync(join(root, '.git'))) return false;
  return root.startsWith(`${sep}opt${sep}`) || root.startsWith(`${sep}usr${sep}`);
}

/**
 * True when this process may bind the standard mail ports: it runs as root, or
 * the kernel lets every process bind ports from 25 up. Capabilities granted by
 * systemd (`AmbientCapabilities=CAP_NET_BIND_SERVICE`) are seen through
 * `/proc/self/status` (CapEff bit 10).
 */
export function canBindPrivilegedPorts(): boolean {
  if (typeof process.getuid === 'function' && process.getuid() === 0) return true;
  try {
    const start = Number(readFileSync(UNPRIVILEGED_PORT_START, 'utf8').trim());
    if (Number.isInteger(start) && start <= 25) return true;
  } catch {
    // Not Linux, or /proc not mounted: fall through to the capability check.
  }
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const match = /^CapEff:\s*([0-9a-f]+)$/m.exec(status);
    if (match?.[1] && (BigInt(`0x${match[1]}`) & (1n << 10n)) !== 0n) return true;
  } catch {
    // No /proc: assume the ordinary, unprivileged case.
  }
  return false;
}

/** Detects the defaults-relevant facts of the running machine. Never throws. */
export function detectEnvironment(): BootEnvironment {
  let device = false;
  try {
    device = isDeviceInstall();
  } catch {
    device = false;
  }
  return { hostname: osHostname() || 'localhost', privilegedPorts: canBindPrivilegedPorts(), device };
}
