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
      return 4;

    default:
      return 1;
    }
}
