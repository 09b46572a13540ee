/* ze-secret-store.h: private keys in the Secret Service keyring
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <libsecret/secret.h>

#include "ze-identity-store.h"

G_BEGIN_DECLS

#define ZE_SECRET_SCHEMA (ze_secret_store_get_schema ())

#define ZE_TYPE_SECRET_STORE (ze_secret_store_get_type ())

G_DECLARE_FINAL_TYPE (ZeSecretStore, ze_secret_store, ZE, SECRET_STORE, GObject)

const SecretSchema *ze_secret_store_get_schema   (void);
ZeSecretStore      *ze_secret_store_new          (const char  *directory);
GError             *_ze_secret_store_map_error   (const GError *error);

G_END_DECLS
