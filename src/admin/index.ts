/**
 * The admin app (ARCHITECTURE rule 12): `buildAdmin` makes the fastify
 * instance (tests use `inject`), `startAdminServer` puts it on HTTPS (plus an
 * optional port-80 listener for redirects, public routes and ACME), and the
 * helpers the composition root and the CLI need (setup token, claim state,
 * log ring, mail counters).
 */
export { buildAdmin, DEFAULT_STATIC_DIR } from './build-admin.js';
export { DEFAULT_ADMIN_SETTINGS } from './types.js';
export type { AdminCertificates, AdminConfig, AdminDnsCheck, AdminOptions, AdminQueue, AdminSettings, AdminStats, AdminStore } from './types.js';
export { ensureSetupToken, readSetupToken, replaceSetupToken, removeSetupToken, SETUP_TOKEN_FILE } from './setup-token.js';
export { isAdminClaimed, readAdminAccount, deleteAdminAccount, ADMIN_ACCOUNT_SETTING } from './admin-account.js';
export { createLogRing, type LogEntry, type LogRing } from './log-ring.js';
export { createMailCounters, type MailCounters } from './mail-counters.js';
export type { AcmeControl, AcmeStatus } from './acme-types.js';
export { startAdminServer, type AdminServer, type AdminServerOptions } from './admin-server.js';
export { createAcmeManager, LETS_ENCRYPT, type AcmeManager, type AcmeManagerOptions } from './acme-manager.js';
export { startAdminService, createAdminDnsCheck, type AdminService, type AdminServiceOptions } from './admin-service.js';
