/** Accounts' passwords: hashing, policy, the shared failure throttle, SASL PLAIN decoding, the login cache, and login checks. */
export { authenticate, loginCacheFor, type AuthenticateOptions } from './authenticate.js';
export { LoginCache, type LoginCacheOptions } from './login-cache.js';
export { DEFAULT_SCRYPT_LN, MAX_CONCURRENT_HASHES, currentScryptLn, hashPassword, needsRehash, peakConcurrentHashes, verifyDummyPassword, verifyPassword } from './password.js';
export { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, assertPasswordAcceptable, passwordProblem } from './password-policy.js';
export { AuthThrottle, clientKey, sleep, type AuthThrottleOptions } from './throttle.js';
export { MAX_PLAIN_MESSAGE_OCTETS, authzidAllowed, decodeSaslPlain, parseSaslPlain, type PlainCredentials, type PlainProblem, type PlainResult } from './sasl-plain.js';
