/* ze-file-util-private.h: files that are never half-written
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

gboolean _ze_write_file_atomic (const char  *path,
                                const char  *data,
                                gsize        len,
                                int          mode,
                                gboolean     replace,
                                GError     **error);
void     _ze_wipe_string       (char        *text);
void     _ze_wipe_and_free     (char        *text);

G_END_DECLS
