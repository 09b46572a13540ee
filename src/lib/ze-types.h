/* ze-types.h
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _ZeToken ZeToken;

/**
 * ZeEnrollMethod:
 *
 * The `em` claim of an enrollment token.
 */
typedef enum
{
  ZE_ENROLL_METHOD_OTT,
  ZE_ENROLL_METHOD_OTTCA,
  ZE_ENROLL_METHOD_CA,
  ZE_ENROLL_METHOD_UPDB,
  ZE_ENROLL_METHOD_NETWORK,
} ZeEnrollMethod;

/**
 * ZeTokenAlgorithm:
 *
 * The JWS algorithms an OpenZiti controller signs enrollment tokens with.
 */
typedef enum
{
  ZE_TOKEN_ALGORITHM_ES256,
  ZE_TOKEN_ALGORITHM_ES384,
  ZE_TOKEN_ALGORITHM_ES512,
  ZE_TOKEN_ALGORITHM_RS256,
} ZeTokenAlgorithm;

G_END_DECLS
