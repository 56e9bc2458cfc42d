#!/usr/bin/env node
// Partition maths of the Letterbox SD-card image, in one place so the build
// script, the first-boot grow step and the unit tests agree on every offset.
//
// Layout (MBR, because the Raspberry Pi 3 / Zero 2 W boot ROM reads only MBR):
//   p1  FAT32  BOOT    firmware, kernel, initrd, config.txt, cmdline.txt, owner files
//   p2  ext4   rootA   the running system, mounted read-only
//   p3  (none) rootB   reserved slot of the same size for A/B updates, never written today
//   p4  ext4   data    /data: mail store, TLS keys, system state; grown at first boot
// Every partition starts on a 4 MiB boundary: SD cards erase in blocks of
// 4 MiB or less, so aligned partitions never share an erase block.
//
// Usage as a command (the build script reads its output with `eval`):
//   node image-layout.mjs shell [--boot-mib N] [--root-mib N] [--data-mib N]
//   node image-layout.mjs sfdisk [same options] [--disk-id 0xXXXXXXXX]
//   node image-layout.mjs grow --disk-bytes N [same options]

const MIB = 1024 * 1024;
const SECTOR = 512;

/** Alignment of every partition start and size, in MiB. */
export const ALIGN_MIB = 4;

/** Sizes used when the build names none (MiB). */
export const DEFAULT_SIZES = Object.freeze({ bootMib: 256, rootMib: 1024, dataMib: 128 });

/** Largest disk an MBR partition table can describe: 2^32 sectors of 512 bytes. */
export const MBR_MAX_BYTES = 2 ** 32 * SECTOR;

function checkSize(name, value, min) {
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer of at least ${min} MiB (got ${value})`);
  if (value % ALIGN_MIB !== 0) throw new Error(`${name} must be a multiple of ${ALIGN_MIB} MiB (got ${value})`);
}

/**
 * Computes the image layout. Sizes are MiB and must be multiples of 4 MiB:
 * boot >= 64 (the firmware, two kernels' worth of kernel + initrd and the DTBs),
 * root >= 512, data >= 32 (enough for the skeleton; it is grown at first boot).
 * Throws an Error naming the bad option otherwise. Returns partitions with
 * start/size in MiB, bytes and 512-byte sectors, and the total image size.
 */
export function computeLayout(sizes = {}) {
  const { bootMib, rootMib, dataMib } = { ...DEFAULT_SIZES, ...sizes };
  checkSize('boot', bootMib, 64);
  checkSize('root', rootMib, 512);
  checkSize('data', dataMib, 32);
  const plan = [
    { index: 1, name: 'boot', label: 'LBBOOT', type: 'c', sizeMib: bootMib },
    { index: 2, name: 'rootA', label: 'rootA', type: '83', sizeMib: rootMib },
    { index: 3, name: 'rootB', label: 'rootB', type: '83', sizeMib: rootMib },
    { index: 4, name: 'data', label: 'lbdata', type: '83', sizeMib: dataMib },
  ];
  let startMib = ALIGN_MIB; // the MBR and the bootloader gap live in the first 4 MiB
  const partitions = plan.map((p) => {
    const part = {
      ...p,
      startMib,
      startBytes: startMib * MIB,
      sizeBytes: p.sizeMib * MIB,
      startSector: (startMib * MIB) / SECTOR,
      sizeSectors: (p.sizeMib * MIB) / SECTOR,
    };
    startMib += p.sizeMib;
    return part;
  });
  const imageMib = startMib;
  return { alignMib: ALIGN_MIB, sectorBytes: SECTOR, imageMib, imageBytes: imageMib * MIB, partitions };
}

/**
 * The size the data partition reaches when first boot grows it on a disk of
 * `diskBytes`: everything from its start to the last whole 4 MiB of the disk
 * (and never past what MBR can address). Throws when the disk is smaller than
 * the image. A disk exactly the image's size leaves the partition unchanged.
 */
export function grownData(layout, diskBytes) {
  if (!Number.isSafeInteger(diskBytes) || diskBytes < layout.imageBytes) {
    throw new Error(`disk of ${diskBytes} bytes is smaller than the image (${layout.imageBytes} bytes)`);
  }
  const data = layout.partitions[3];
  const usable = Math.min(diskBytes, MBR_MAX_BYTES);
  const alignBytes = ALIGN_MIB * MIB;
  const endBytes = Math.floor(usable / alignBytes) * alignBytes;
  const sizeBytes = endBytes - data.startBytes;
  return { startSector: data.startSector, sizeBytes, sizeSectors: sizeBytes / SECTOR, sizeMib: sizeBytes / MIB };
}

/**
 * An sfdisk script creating the layout. `diskId` is the MBR disk identifier
 * (8 hex digits): the kernel command line finds the root as
 * PARTUUID=<diskId>-02, so it must be unique per build. Partition 3 is typed
 * Linux but holds no file system until an update writes it.
 */
export function sfdiskScript(layout, diskId) {
  if (!/^0x[0-9a-f]{8}$/.test(diskId)) throw new Error(`disk id must look like 0x1234abcd (got ${diskId})`);
  const lines = ['label: dos', `label-id: ${diskId}`, 'unit: sectors', ''];
  for (const p of layout.partitions) {
    const boot = p.index === 1 ? ', bootable' : '';
    lines.push(`start=${p.startSector}, size=${p.sizeSectors}, type=${p.type}${boot}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Shell variable assignments (`KEY=value` lines, values are plain integers or words). */
export function shellVars(layout) {
  const out = [`IMAGE_MIB=${layout.imageMib}`, `IMAGE_BYTES=${layout.imageBytes}`];
  for (const p of layout.partitions) {
    const key = p.name.toUpperCase();
    out.push(`${key}_START_BYTES=${p.startBytes}`, `${key}_SIZE_BYTES=${p.sizeBytes}`, `${key}_SIZE_MIB=${p.sizeMib}`, `${key}_LABEL=${p.label}`);
  }
  return `${out.join('\n')}\n`;
}

function parseCli(argv) {
  const [command, ...rest] = argv;
  const opts = { sizes: {}, diskId: undefined, diskBytes: undefined };
  for (let i = 0; i < rest.length; i += 2) {
    const key = rest[i];
    const value = rest[i + 1];
    if (value === undefined) throw new Error(`${key} needs a value`);
    if (key === '--boot-mib') opts.sizes.bootMib = Number(value);
    else if (key === '--root-mib') opts.sizes.rootMib = Number(value);
    else if (key === '--data-mib') opts.sizes.dataMib = Number(value);
    else if (key === '--disk-id') opts.diskId = value;
    else if (key === '--disk-bytes') opts.diskBytes = Number(value);
    else throw new Error(`unknown option ${key}`);
  }
  return { command, opts };
}

/** Command-line entry: prints the requested view of the layout; exit 2 on bad input. */
export function runCli(argv, out = process.stdout) {
  const { command, opts } = parseCli(argv);
  const layout = computeLayout(opts.sizes);
  if (command === 'shell') out.write(shellVars(layout));
  else if (command === 'sfdisk') out.write(sfdiskScript(layout, opts.diskId ?? '0x4c425831'));
  else if (command === 'grow') out.write(`${JSON.stringify(grownData(layout, opts.diskBytes ?? Number.NaN))}\n`);
  else if (command === 'json') out.write(`${JSON.stringify(layout, null, 2)}\n`);
  else throw new Error('usage: image-layout.mjs shell|sfdisk|grow|json [--boot-mib N] [--root-mib N] [--data-mib N] [--disk-id 0x…] [--disk-bytes N]');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    runCli(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`image-layout: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  }
}
