/** Health of the box for the dashboard: readings (systeminformation, statfs, sysfs) and their 24-hour history. */
export { systemProbe, type SystemProbe, type SystemSample } from './system-probe.js';
export { startHealthSampler, type HealthHistory, type HealthSampler, type HealthSamplerOptions, type HealthStore } from './health-sampler.js';
