/** The POP3 service: listeners for 110 (STLS) and 995 (implicit TLS) over the shared store's INBOX. */
export { createPop3Server, type Pop3Server, type Pop3ServerOptions } from './server.js';
export { DEFAULT_POP3_LIMITS, type Pop3Limits } from './limits.js';
export { MaildropLocks, processMaildropLocks, uidlOf } from './maildrop.js';
