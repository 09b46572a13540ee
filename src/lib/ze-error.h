/* ze-error.h
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define ZE_ERROR (ze_error_quark ())

/**
 * ZeError:
 *
 * One code per failure. The #GError message that carries a code is a
 * complete sentence for a person: what happened, why, and what to do.
 * Append new codes at the end of their group; the numbers are not stable
 * across versions, the nicks (ze_error_get_nick()) are.
 */
typedef enum
{
  /* The token itself: exit status 3 */
  ZE_ERROR_TOKEN_EMPTY,
  ZE_ERROR_TOKEN_TOO_LARGE,
  ZE_ERROR_TOKEN_MALFORMED,
  ZE_ERROR_TOKEN_ENCODING,
  ZE_ERROR_TOKEN_NOT_JSON,
  ZE_ERROR_TOKEN_ALGORITHM,
  ZE_ERROR_TOKEN_ISSUER,
  ZE_ERROR_TOKEN_METHOD,
  ZE_ERROR_TOKEN_ROUTER,
  ZE_ERROR_TOKEN_MISSING_CLAIM,
  ZE_ERROR_TOKEN_CLAIM_TYPE,
  ZE_ERROR_TOKEN_EXPIRED,
  ZE_ERROR_TOKEN_UNSUPPORTED,

  /* Trust in the controller: exit status 4 */
  ZE_ERROR_SIGNATURE_INVALID,
  ZE_ERROR_SIGNATURE_KEY_MISMATCH,
  ZE_ERROR_CERTIFICATE_INVALID,
  ZE_ERROR_CA_BUNDLE_INVALID,
  ZE_ERROR_CHAIN_UNTRUSTED,
  ZE_ERROR_HOST_MISMATCH,
  ZE_ERROR_CERTIFICATE_EXPIRED,
  ZE_ERROR_FINGERPRINT_MISMATCH,
  ZE_ERROR_PIN_MISMATCH,
  ZE_ERROR_TRUST_REFUSED,
  ZE_ERROR_TRUST_REQUIRED,
  ZE_ERROR_CERTIFICATE_CHANGED,
  ZE_ERROR_ISSUED_CERTIFICATE_INVALID,

  /* The controller said no: exit status 5 */
  ZE_ERROR_CONTROLLER_TOKEN_USED,
  ZE_ERROR_CONTROLLER_TOKEN_EXPIRED,
  ZE_ERROR_CONTROLLER_METHOD,
  ZE_ERROR_CONTROLLER_CSR,
  ZE_ERROR_CONTROLLER_CERTIFICATE_REJECTED,
  ZE_ERROR_CONTROLLER_CERTIFICATE_IN_USE,
  ZE_ERROR_CONTROLLER_UNSUPPORTED_MEDIA,
  ZE_ERROR_CONTROLLER_INTERNAL,
  ZE_ERROR_CONTROLLER_REFUSED,

  /* Getting there and back: exit status 6 */
  ZE_ERROR_NETWORK,
  ZE_ERROR_TLS,
  ZE_ERROR_TIMEOUT,
  ZE_ERROR_REDIRECT,
  ZE_ERROR_RESPONSE_INVALID,
  ZE_ERROR_RESPONSE_TOO_LARGE,
  ZE_ERROR_CONNECTION_LOST,

  /* Keeping the result: exit status 7 */
  ZE_ERROR_STORAGE_FAILED,
  ZE_ERROR_IDENTITY_EXISTS,
  ZE_ERROR_IDENTITY_NOT_FOUND,
  ZE_ERROR_KEYRING_UNAVAILABLE,
  ZE_ERROR_KEYRING_LOCKED,
  ZE_ERROR_PKCS11_FAILED,
  ZE_ERROR_PKCS11_PIN,
  ZE_ERROR_KEYGEN_FAILED,

  /* What the user gave us (certificate and key files, password): exit status 2 */
  ZE_ERROR_INPUT_INVALID,
} ZeError;

GQuark      ze_error_quark       (void);
const char *ze_error_get_nick    (int            code);
int         ze_error_exit_status (const GError  *error);

G_END_DECLS
