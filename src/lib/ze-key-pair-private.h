/* ze-key-pair-private.h
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <gnutls/gnutls.h>

#include "ze-key-pair.h"

G_BEGIN_DECLS

gboolean _ze_key_type_get_parameters (ZeKeyType              key_type,
                                      gnutls_pk_algorithm_t *pk,
                                      unsigned int          *bits);

G_END_DECLS
