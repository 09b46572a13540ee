/* ze-pkcs11-store.h: private keys generated on a PKCS #11 hardware token
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include "ze-identity-store.h"

G_BEGIN_DECLS

#define ZE_TYPE_PKCS11_STORE (ze_pkcs11_store_get_type ())

G_DECLARE_FINAL_TYPE (ZePkcs11Store, ze_pkcs11_store, ZE, PKCS11_STORE, GObject)

ZePkcs11Store *ze_pkcs11_store_new             (const char     *directory,
                                                const char     *module_path,
                                                const char     *token_label,
                                                const char     *pin,
                                                GError        **error);
const char    *ze_pkcs11_store_get_module_path (ZePkcs11Store  *self);
const char    *ze_pkcs11_store_get_token_label (ZePkcs11Store  *self);

gboolean       ze_pkcs11_key_uri_parse         (const char     *uri,
                                                char          **module_path,
                                                gulong         *slot_id,
                                                GBytes        **id,
                                                GError        **error);

G_END_DECLS
