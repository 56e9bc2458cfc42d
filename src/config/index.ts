/**
 * Boot configuration: the one schema of `DIR/letterbox.json` (types in
 * `types.ts`, defaults in `defaults.ts`, validation in `validate.ts`), machine
 * detection, and data-directory resolution.
 */
export * from './types.js';
export { DEFAULT_SMTP_LIMITS, STANDARD_PORTS, UNPRIVILEGED_PORTS, defaultBootConfig, defaultHost } from './defaults.js';
export { DEVICE_MARKER, canBindPrivilegedPorts, detectEnvironment, isDeviceInstall, packageRoot, packageVersion, type BootEnvironment } from './environment.js';
export { formatListenAddress, parseListenAddress } from './listen-address.js';
export { CONFIG_FILE_NAME, DEVICE_DATA_DIR, ensureDataDir, loadConfig, resolveDataDir, type DataDirInputs, type LoadConfigOptions } from './load.js';
export { LOG_LEVELS, validateBootConfig } from './validate.js';
