/**
 * Security at the edge: authentication (JWT, API keys), OAuth protected resource metadata,
 * authorization policy, rate limits, CORS and security headers, the SSRF guard of backend URLs, the
 * command policy of stdio backends. Node-only (`node:crypto`, `node:dns`, `node:net`): a subpath of
 * its own, never the root entry.
 */
export { AccessControl, type AccessControlOptions, type AccessRefusal } from './access-control.js';
export { AccessGuardTransport, accessGuard, type AccessGuardOptions } from './access-guard.js';
export {
  ApiKeyStore,
  parseApiKeyList,
  MIN_API_KEY_LENGTH,
  type ApiKeyEntry,
  type ApiKeyMatch,
} from './api-keys.js';
export {
  Authenticator,
  DEFAULT_API_KEY_HEADER,
  scopesOf,
  type AuthenticatorOptions,
  type AuthOutcome,
  type AuthRefusal,
} from './authenticator.js';
export {
  ChildEnvPolicy,
  CODE_LOADING_ENV,
  CODE_LOADING_ENV_PREFIXES,
  isCodeLoadingEnv,
  PROXY_ENV_PREFIX,
  type ChildEnvPolicyOptions,
  type InheritedEnv,
} from './child-env-policy.js';
export {
  CommandPolicy,
  resolveExecutable,
  type AdmittedCommand,
  type CommandPolicyOptions,
} from './command-policy.js';
export {
  applyCorsHeaders,
  corsAllowOrigin,
  preflightHeaders,
  CORS_ALLOWED_HEADERS,
  CORS_EXPOSED_HEADERS,
  type CorsOptions,
} from './cors.js';
export {
  checkFrontendAuthentication,
  frontendAuthentication,
  unauthenticatedFrontends,
  type FrontendAuthentication,
  type FrontendAuthenticationCheck,
} from './frontend-auth.js';
export {
  httpAdmission,
  httpSessionAdmission,
  SESSION_OPEN_METHOD,
  type HttpAdmissionOptions,
} from './http-admission.js';
export { codeLoadingArgument, KNOWN_INTERPRETERS, type CodeLoadingArgument } from './interpreter-flags.js';
export {
  remoteJwks,
  DEFAULT_JWKS_MIN_REFETCH_MS,
  DEFAULT_JWKS_TTL_MS,
  type JwksCacheOptions,
} from './jwks-cache.js';
export {
  JwtVerifier,
  JWT_ALGORITHMS,
  MAX_JWT_LENGTH,
  MIN_JWT_SECRET_BYTES,
  type JwtRefusal,
  type JwtVerifierOptions,
  type VerifiedJwt,
} from './jwt-verifier.js';
export {
  AuthorizationPolicy,
  callerOf,
  type Caller,
  type PolicyDecision,
  type PolicyRule,
  type PolicyTarget,
} from './policy.js';
export {
  bearerChallenge,
  protectedResourceDocument,
  protectedResourceRoute,
  resourceMetadataUrl,
  PRM_WELL_KNOWN,
  type BearerChallenge,
  type ProtectedResourceOptions,
} from './protected-resource.js';
export {
  RateLimiter,
  DEFAULT_RATE_LIMIT_KEYS,
  type BucketSpec,
  type RateDecision,
  type RateLimiterOptions,
} from './rate-limit/limiter.js';
export { TokenBucket } from './rate-limit/token-bucket.js';
export { authenticatedRoute, type PlainRoute } from './route-guard.js';
export { LIST_FILTERS, requestTarget, type ListFilter, type RequestTarget } from './request-target.js';
export {
  applySecurityHeaders,
  DEFAULT_HSTS_MAX_AGE_SEC,
  type SecurityHeadersOptions,
} from './security-headers.js';
export {
  checkChildEnvMappings,
  childEnvFor,
  MAX_CHILD_ENV_VALUE,
  type ChildEnvMapping,
} from './session-env.js';
export { checkSocketPath, MAX_SOCKET_PATH_BYTES, type SocketPathPolicy } from './socket-path.js';
export { auditSpawn } from './spawn-audit.js';
export {
  addressRefusal,
  classifyAddress,
  parseIpLiteral,
  type AddressClass,
  type SsrfPolicy,
} from './ssrf/classify.js';
export { SsrfGuard, type SsrfGuardOptions } from './ssrf/guard.js';
export { pinnedDispatcher, pinnedLookup, type VettedResolve } from './ssrf/pinned-lookup.js';
export { systemResolver, type ResolvedAddress, type Resolver } from './ssrf/resolve.js';
