/* ze-key-pair.h: the identity's private key and its certificate request
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <gio/gio.h>
#include <gnutls/abstract.h>

#include "ze-types.h"

G_BEGIN_DECLS

typedef enum
{
  ZE_KEY_TYPE_EC_P256,
  ZE_KEY_TYPE_EC_P384,
  ZE_KEY_TYPE_RSA_2048,
  ZE_KEY_TYPE_RSA_3072,
  ZE_KEY_TYPE_RSA_4096,
} ZeKeyType;

#define ZE_TYPE_KEY_PAIR (ze_key_pair_get_type ())

/* A private key: in memory (wiped on finalize) or held by a hardware token. */
G_DECLARE_FINAL_TYPE (ZeKeyPair, ze_key_pair, ZE, KEY_PAIR, GObject)

void              ze_key_pair_generate_async         (ZeKeyType             key_type,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
ZeKeyPair        *ze_key_pair_generate_finish        (GAsyncResult         *result,
                                                      GError              **error);
ZeKeyPair        *ze_key_pair_generate               (ZeKeyType             key_type,
                                                      GError              **error);
ZeKeyPair        *ze_key_pair_new_from_pem           (const char           *pem,
                                                      gsize                 len,
                                                      GError              **error);
ZeKeyPair        *ze_key_pair_new_for_privkey        (gnutls_privkey_t      privkey,
                                                      const char           *uri);
ZeKeyType         ze_key_pair_get_key_type           (ZeKeyPair            *self);
const char       *ze_key_pair_get_uri                (ZeKeyPair            *self);
char             *ze_key_pair_export_pkcs8_pem       (ZeKeyPair            *self,
                                                      GError              **error);
GBytes           *ze_key_pair_get_public_key_der     (ZeKeyPair            *self);
char             *ze_key_pair_create_csr             (ZeKeyPair            *self,
                                                      const char           *controller,
                                                      const char           *common_name,
                                                      GError              **error);

const char       *ze_key_type_to_string              (ZeKeyType             key_type);
gboolean          ze_key_type_from_string            (const char           *text,
                                                      ZeKeyType            *key_type);

G_END_DECLS
