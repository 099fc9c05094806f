import { CERT_NONE, CERT_REQUIRED, PROTOCOL_TLS, Purpose, type PurposeValue } from './constants.js';
import { SSLContext, type VerifyLocations } from './context.js';
import { checkOptions, describe } from './validate.js';

/**
 * A context with secure defaults for `purpose`. `Purpose.SERVER_AUTH` (the default) gives a
 * client context: certificates are verified (`CERT_REQUIRED`) and hostnames checked, against
 * the CAs given as `cafile` / `capath` / `cadata` or else Node's bundled roots.
 * `Purpose.CLIENT_AUTH` gives a server context (call `loadCertChain` on it).
 * @example
 * import { createDefaultContext, Purpose } from '@curio/ssl';
 *
 * const client = createDefaultContext(); // verifies servers against Node's bundled roots
 * const server = createDefaultContext(Purpose.CLIENT_AUTH);
 * server.loadCertChain('cert.pem', 'key.pem');
 */
export function createDefaultContext(
  purpose: PurposeValue = Purpose.SERVER_AUTH,
  options?: VerifyLocations,
): SSLContext {
  if (purpose !== Purpose.SERVER_AUTH && purpose !== Purpose.CLIENT_AUTH) {
    throw new TypeError(
      `createDefaultContext(purpose): purpose must be Purpose.SERVER_AUTH or Purpose.CLIENT_AUTH, got ${describe(purpose)}`,
    );
  }
  checkOptions('createDefaultContext', options);
  const ctx = new SSLContext(PROTOCOL_TLS);
  if (purpose === Purpose.SERVER_AUTH) {
    ctx.verifyMode = CERT_REQUIRED;
    ctx.checkHostname = true;
  } else {
    ctx.verifyMode = CERT_NONE;
  }
  const { cafile, capath, cadata } = options ?? {};
  if (cafile !== undefined || capath !== undefined || cadata !== undefined) {
    ctx.loadVerifyLocations({ cafile, capath, cadata });
  } else if (ctx.verifyMode !== CERT_NONE) {
    ctx.loadDefaultCerts(purpose);
  }
  return ctx;
}
