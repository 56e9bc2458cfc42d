/**
 * The DNS self-check: `runDnsCheck` (what the admin API and the CLI call),
 * the production resolver, "records to create", and the daily run that
 * stores results in `DIR/dns-check.json` and reports changes.
 */
export { runDnsCheck, type RunDnsCheckOptions } from './engine.js';
export { createDnsResolver, type DnsResolverOptions } from './node-resolver.js';
export { buildExpectedRecords, formatZone, SETUP_TTL } from './expected-records.js';
export { fetchPublicIp, type PublicIpFetcher } from './public-ip.js';
export {
  DNS_CHECK_FILE,
  diffReports,
  readLastDnsCheck,
  runAndStore,
  startDailyDnsCheck,
  writeDnsCheck,
  type DailyDnsCheck,
  type DailyDnsCheckOptions,
  type DailyRunLogger,
  type DnsCheckChange,
  type StoredDnsCheck,
} from './daily-run.js';
export { worstStatus } from './check-context.js';
export type * from './types.js';
export { DEFAULT_CLIENT_SERVICES, DEFAULT_DNSBL_ZONE, offeredClientServices } from './types.js';
