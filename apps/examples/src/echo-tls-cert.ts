// A self-signed certificate for localhost, 127.0.0.1 and ::1 (valid until 2126), made with
//   openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 36500 \
//     -subj /CN=localhost -addext 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1'
// For the TLS echo demo only: its private key is public.

/** The demo server's certificate (PEM); clients trust it as their CA. */
export const CERT = `-----BEGIN CERTIFICATE-----
MIIBrTCCAVSgAwIBAgIUA3YOisWV1icCN5Djb0ArefdvjdUwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTEyNjAwNDU0NFoYDzIxMjYxMTAy
MDA0NTQ0WjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAAQHcsua4hOy9BZL2vf825Ar0Sg2B7GSiH8gQHh9j4ki4vw82JU4Cjzc
a56pzl/DhCPxXsqLWwU1ISEBc1TGlIkJo4GBMH8wHQYDVR0OBBYEFAr2VSDDdCSE
OFvFmQ44/XhgXJYcMB8GA1UdIwQYMBaAFAr2VSDDdCSEOFvFmQ44/XhgXJYcMA8G
A1UdEwEB/wQFMAMBAf8wLAYDVR0RBCUwI4IJbG9jYWxob3N0hwR/AAABhxAAAAAA
AAAAAAAAAAAAAAABMAoGCCqGSM49BAMCA0cAMEQCIDagtOVYJVtYMM4WL+CcMC4s
YpHoInQKpCZAfzhkLW+EAiBaB467oVxsdXKvTlyKbNlTBvhJgnFRTZxtk9XhuSQU
/Q==
-----END CERTIFICATE-----
`;

/** The demo server's private key (PEM). */
export const KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgsUMGo41jcoxHFBo3
Srv9/pYpnjBkh4wVyIDZpowGNaahRANCAAQHcsua4hOy9BZL2vf825Ar0Sg2B7GS
iH8gQHh9j4ki4vw82JU4Cjzca56pzl/DhCPxXsqLWwU1ISEBc1TGlIkJ
-----END PRIVATE KEY-----
`;
