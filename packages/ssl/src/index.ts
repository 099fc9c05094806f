export {
  derCertToPemCert,
  getServerCertificate,
  pemCertToDerCert,
  type ServerCertificateOptions,
} from './certificate.js';
export {
  CERT_NONE,
  CERT_OPTIONAL,
  CERT_REQUIRED,
  PROTOCOL_TLS,
  PROTOCOL_TLS_CLIENT,
  PROTOCOL_TLS_SERVER,
  type Protocol,
  Purpose,
  type PurposeValue,
  type VerifyMode,
} from './constants.js';
export { SSLContext, type TLSVersion, type VerifyLocations, type WrapOptions } from './context.js';
export { createDefaultContext } from './default-context.js';
export { SSLCertVerificationError, SSLError } from './errors.js';
export { type CipherInfo, SSLSocket } from './ssl-socket.js';
export { type WrapSocketOptions, wrapSocket } from './wrap.js';
