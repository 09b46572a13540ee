/* ze-file-store.h: a standard identity file the user chose
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include "ze-identity-store.h"

G_BEGIN_DECLS

#define ZE_TYPE_FILE_STORE (ze_file_store_get_type ())

G_DECLARE_FINAL_TYPE (ZeFileStore, ze_file_store, ZE, FILE_STORE, GObject)

ZeFileStore *ze_file_store_new              (const char  *path);
const char  *ze_file_store_get_path         (ZeFileStore *self);
char        *ze_file_store_dup_pending_path (ZeFileStore *self);

G_END_DECLS
