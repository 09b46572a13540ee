/* ze-error.c
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <gio/gio.h>

#include "ze-error.h"

G_DEFINE_QUARK (ze-error-quark, ze_error)

/**
 * ze_error_get_nick:
 * @code: a #ZeError
 *
 * Returns: a stable, machine-readable name for @code, as used in JSON output.
 */
const char *
ze_error_get_nick (int code)
{
  switch ((ZeError)code)
    {
    case ZE_ERROR_TOKEN_EMPTY:            return "token-empty";
    case ZE_ERROR_TOKEN_TOO_LARGE:        return "token-too-large";
    case ZE_ERROR_TOKEN_MALFORMED:        return "token-malformed";
    case ZE_ERROR_TOKEN_ENCODING:         return "token-encoding";
    case ZE_ERROR_TOKEN_NOT_JSON:         return "token-not-json";
    case ZE_ERROR_TOKEN_ALGORITHM:        return "token-algorithm";
    case ZE_ERROR_TOKEN_ISSUER:           return "token-issuer";
    case ZE_ERROR_TOKEN_METHOD:           return "token-method";
    case ZE_ERROR_TOKEN_ROUTER:           return "token-router";
    case ZE_ERROR_TOKEN_MISSING_CLAIM:    return "token-missing-claim";
    case ZE_ERROR_TOKEN_CLAIM_TYPE:       return "token-claim-type";
    case ZE_ERROR_TOKEN_EXPIRED:          return "token-expired";
    case ZE_ERROR_TOKEN_UNSUPPORTED:      return "token-unsupported";
    case ZE_ERROR_SIGNATURE_INVALID:      return "signature-invalid";
    case ZE_ERROR_SIGNATURE_KEY_MISMATCH: return "signature-key-mismatch";
    case ZE_ERROR_CERTIFICATE_INVALID:    return "certificate-invalid";
    case ZE_ERROR_CA_BUNDLE_INVALID:      return "ca-bundle-invalid";
    case ZE_ERROR_CHAIN_UNTRUSTED:        return "chain-untrusted";
    case ZE_ERROR_HOST_MISMATCH:          return "host-mismatch";
    case ZE_ERROR_CERTIFICATE_EXPIRED:    return "certificate-expired";
    case ZE_ERROR_FINGERPRINT_MISMATCH:   return "fingerprint-mismatch";
    case ZE_ERROR_PIN_MISMATCH:           return "pin-mismatch";
    case ZE_ERROR_TRUST_REFUSED:          return "trust-refused";
    case ZE_ERROR_TRUST_REQUIRED:         return "trust-required";
    case ZE_ERROR_CERTIFICATE_CHANGED:    return "certificate-changed";
    case ZE_ERROR_ISSUED_CERTIFICATE_INVALID: return "issued-certificate-invalid";
    case ZE_ERROR_CONTROLLER_TOKEN_USED:  return "controller-token-used";
    case ZE_ERROR_CONTROLLER_TOKEN_EXPIRED: return "controller-token-expired";
    case ZE_ERROR_CONTROLLER_METHOD:      return "controller-method";
    case ZE_ERROR_CONTROLLER_CSR:         return "controller-csr";
    case ZE_ERROR_CONTROLLER_CERTIFICATE_REJECTED: return "controller-certificate-rejected";
    case ZE_ERROR_CONTROLLER_CERTIFICATE_IN_USE: return "controller-certificate-in-use";
    case ZE_ERROR_CONTROLLER_UNSUPPORTED_MEDIA: return "controller-unsupported-media";
    case ZE_ERROR_CONTROLLER_INTERNAL:    return "controller-internal";
    case ZE_ERROR_CONTROLLER_REFUSED:     return "controller-refused";
    case ZE_ERROR_NETWORK:                return "network";
    case ZE_ERROR_TLS:                    return "tls";
    case ZE_ERROR_TIMEOUT:                return "timeout";
    case ZE_ERROR_REDIRECT:               return "redirect";
    case ZE_ERROR_RESPONSE_INVALID:       return "response-invalid";
    case ZE_ERROR_RESPONSE_TOO_LARGE:     return "response-too-large";
    case ZE_ERROR_CONNECTION_LOST:        return "connection-lost";
    case ZE_ERROR_STORAGE_FAILED:         return "storage-failed";
    case ZE_ERROR_IDENTITY_EXISTS:        return "identity-exists";
    case ZE_ERROR_IDENTITY_NOT_FOUND:     return "identity-not-found";
    case ZE_ERROR_KEYRING_UNAVAILABLE:    return "keyring-unavailable";
    case ZE_ERROR_KEYRING_LOCKED:         return "keyring-locked";
    case ZE_ERROR_PKCS11_FAILED:          return "pkcs11-failed";
    case ZE_ERROR_PKCS11_PIN:             return "pkcs11-pin";
    case ZE_ERROR_KEYGEN_FAILED:          return "keygen-failed";
    case ZE_ERROR_INPUT_INVALID:          return "input-invalid";
    default:                              return "unknown";
    }
}

/**
 * ze_error_exit_status:
 * @error: any error
 *
 * Maps an error to the documented exit status of `ziti-enroll-cli`:
 * 3 bad or expired token, 4 trust failure, 5 controller refused,
 * 6 network, TLS or timeout, 7 storage, 8 cancelled.
 *
 * Returns: the exit status for @error
 */
int
ze_error_exit_status (const GError *error)
{
  g_return_val_if_fail (error != NULL, 1);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return 8;

  if (error->domain != ZE_ERROR)
    return 1;

  switch ((ZeError)error->code)
    {
    case ZE_ERROR_TOKEN_EMPTY:
    case ZE_ERROR_TOKEN_TOO_LARGE:
    case ZE_ERROR_TOKEN_MALFORMED:
    case ZE_ERROR_TOKEN_ENCODING:
    case ZE_ERROR_TOKEN_NOT_JSON:
    case ZE_ERROR_TOKEN_ALGORITHM:
    case ZE_ERROR_TOKEN_ISSUER:
    case ZE_ERROR_TOKEN_METHOD:
    case ZE_ERROR_TOKEN_ROUTER:
    case ZE_ERROR_TOKEN_MISSING_CLAIM:
    case ZE_ERROR_TOKEN_CLAIM_TYPE:
    case ZE_ERROR_TOKEN_EXPIRED:
    case ZE_ERROR_TOKEN_UNSUPPORTED:
      return 3;

    case ZE_ERROR_SIGNATURE_INVALID:
    case ZE_ERROR_SIGNATURE_KEY_MISMATCH:
    case ZE_ERROR_CERTIFICATE_INVALID:
    case ZE_ERROR_CA_BUNDLE_INVALID:
    case ZE_ERROR_CHAIN_UNTRUSTED:
    case ZE_ERROR_HOST_MISMATCH:
    case ZE_ERROR_CERTIFICATE_EXPIRED:
    case ZE_ERROR_FINGERPRINT_MISMATCH:
    case ZE_ERROR_PIN_MISMATCH:
    case ZE_ERROR_TRUST_REFUSED:
    case ZE_ERROR_TRUST_REQUIRED:
    case ZE_ERROR_CERTIFICATE_CHANGED:
    case ZE_ERROR_ISSUED_CERTIFICATE_INVALID:
      return 4;

    case ZE_ERROR_CONTROLLER_TOKEN_USED:
    case ZE_ERROR_CONTROLLER_TOKEN_EXPIRED:
    case ZE_ERROR_CONTROLLER_METHOD:
    case ZE_ERROR_CONTROLLER_CSR:
    case ZE_ERROR_CONTROLLER_CERTIFICATE_REJECTED:
    case ZE_ERROR_CONTROLLER_CERTIFICATE_IN_USE:
    case ZE_ERROR_CONTROLLER_UNSUPPORTED_MEDIA:
    case ZE_ERROR_CONTROLLER_INTERNAL:
    case ZE_ERROR_CONTROLLER_REFUSED:
      return 5;

    case ZE_ERROR_NETWORK:
    case ZE_ERROR_TLS:
    case ZE_ERROR_TIMEOUT:
    case ZE_ERROR_REDIRECT:
    case ZE_ERROR_RESPONSE_INVALID:
    case ZE_ERROR_RESPONSE_TOO_LARGE:
    case ZE_ERROR_CONNECTION_LOST:
      return 6;

    case ZE_ERROR_STORAGE_FAILED:
    case ZE_ERROR_IDENTITY_EXISTS:
    case ZE_ERROR_IDENTITY_NOT_FOUND:
    case ZE_ERROR_KEYRING_UNAVAILABLE:
    case ZE_ERROR_KEYRING_LOCKED:
    case ZE_ERROR_PKCS11_FAILED:
    case ZE_ERROR_PKCS11_PIN:
    case ZE_ERROR_KEYGEN_FAILED:
      return 7;

    case ZE_ERROR_INPUT_INVALID:
      return 2;

    default:
      return 1;
    }
}
