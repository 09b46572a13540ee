/* ze-identity-library-private.h: the records the stores keep in the library
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include "ze-identity.h"

G_BEGIN_DECLS

gboolean _ze_identity_library_write_record  (const char  *directory,
                                             const char  *path,
                                             ZeIdentity  *identity,
                                             gboolean     replace,
                                             GError     **error);
gboolean _ze_identity_library_remove_record (const char  *path,
                                             GError     **error);

G_END_DECLS
