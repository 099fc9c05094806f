/** Verify mode: the peer's certificate is not checked (servers: not requested). */
export const CERT_NONE = 0;
/** Verify mode: a certificate the peer presents is checked (servers: requested, optional). */
export const CERT_OPTIONAL = 1;
/** Verify mode: the peer must present a valid certificate. */
export const CERT_REQUIRED = 2;

/** One of {@link CERT_NONE}, {@link CERT_OPTIONAL}, {@link CERT_REQUIRED}. */
export type VerifyMode = typeof CERT_NONE | typeof CERT_OPTIONAL | typeof CERT_REQUIRED;

/** Protocol: negotiate the highest TLS version both sides support, either side (default). */
export const PROTOCOL_TLS = 2;
/** Protocol: client side; hostname checking and certificate verification are on. */
export const PROTOCOL_TLS_CLIENT = 16;
/** Protocol: server side. */
export const PROTOCOL_TLS_SERVER = 17;

/** One of {@link PROTOCOL_TLS}, {@link PROTOCOL_TLS_CLIENT}, {@link PROTOCOL_TLS_SERVER}. */
export type Protocol =
  | typeof PROTOCOL_TLS
  | typeof PROTOCOL_TLS_CLIENT
  | typeof PROTOCOL_TLS_SERVER;

/**
 * What a context made by `createDefaultContext` is for. `SERVER_AUTH` (the default) makes a
 * client context that authenticates servers; `CLIENT_AUTH` makes a server context.
 * @example
 * import { createDefaultContext, Purpose } from '@curio/ssl';
 *
 * const ctx = createDefaultContext(Purpose.CLIENT_AUTH); // a server's context
 */
export const Purpose = Object.freeze({
  /** Authenticate servers: a context for clients. OID 1.3.6.1.5.5.7.3.1. */
  SERVER_AUTH: Object.freeze({ name: 'serverAuth', oid: '1.3.6.1.5.5.7.3.1' }),
  /** Authenticate clients: a context for servers. OID 1.3.6.1.5.5.7.3.2. */
  CLIENT_AUTH: Object.freeze({ name: 'clientAuth', oid: '1.3.6.1.5.5.7.3.2' }),
});

/** `Purpose.SERVER_AUTH` or `Purpose.CLIENT_AUTH`. */
export type PurposeValue = (typeof Purpose)[keyof typeof Purpose];
