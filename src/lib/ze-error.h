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

  /* The token against the controller's certificate: exit status 4 */
  ZE_ERROR_SIGNATURE_INVALID,
  ZE_ERROR_SIGNATURE_KEY_MISMATCH,
  ZE_ERROR_CERTIFICATE_INVALID,
} ZeError;

GQuark      ze_error_quark       (void);
const char *ze_error_get_nick    (int            code);
int         ze_error_exit_status (const GError  *error);

G_END_DECLS
