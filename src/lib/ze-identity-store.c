/* ze-identity-store.c
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include "ze-identity-store.h"

G_DEFINE_INTERFACE (ZeIdentityStore, ze_identity_store, G_TYPE_OBJECT)

static void
ze_identity_store_default_init (ZeIdentityStoreInterface *iface)
{
}

const char *
ze_identity_store_get_kind (ZeIdentityStore *self)
{
  g_return_val_if_fail (ZE_IS_IDENTITY_STORE (self), NULL);

  return ZE_IDENTITY_STORE_GET_IFACE (self)->get_kind (self);
}

gboolean
ze_identity_store_can_generate_key (ZeIdentityStore *self)
{
  g_return_val_if_fail (ZE_IS_IDENTITY_STORE (self), FALSE);

  return ZE_IDENTITY_STORE_GET_IFACE (self)->generate_key_async != NULL;
}

void
ze_identity_store_generate_key_async (ZeIdentityStore     *self,
                                      ZeIdentity          *identity,
                                      ZeKeyType            key_type,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_return_if_fail (ze_identity_store_can_generate_key (self));
  g_return_if_fail (ZE_IS_IDENTITY (identity));

  ZE_IDENTITY_STORE_GET_IFACE (self)->generate_key_async (self, identity, key_type, cancellable,
                                                         callback, user_data);
}

ZeKeyPair *
ze_identity_store_generate_key_finish (ZeIdentityStore  *self,
                                       GAsyncResult     *result,
                                       GError          **error)
{
  g_return_val_if_fail (ZE_IS_IDENTITY_STORE (self), NULL);

  return ZE_IDENTITY_STORE_GET_IFACE (self)->generate_key_finish (self, result, error);
}

void
ze_identity_store_begin_async (ZeIdentityStore     *self,
                               ZeIdentity          *identity,
                               ZeKeyPair           *key,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (ZE_IS_IDENTITY_STORE (self));
  g_return_if_fail (ZE_IS_IDENTITY (identity));
  g_return_if_fail (key == NULL || ZE_IS_KEY_PAIR (key));

  ZE_IDENTITY_STORE_GET_IFACE (self)->begin_async (self, identity, key, cancellable,
                                                  callback, user_data);
}

gboolean
ze_identity_store_begin_finish (ZeIdentityStore  *self,
                                GAsyncResult     *result,
                                GError          **error)
{
  g_return_val_if_fail (ZE_IS_IDENTITY_STORE (self), FALSE);

  return ZE_IDENTITY_STORE_GET_IFACE (self)->begin_finish (self, result, error);
}

void
ze_identity_store_complete_async (ZeIdentityStore     *self,
                                  ZeIdentity          *identity,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (ZE_IS_IDENTITY_STORE (self));
  g_return_if_fail (ZE_IS_IDENTITY (identity));

  ZE_IDENTITY_STORE_GET_IFACE (self)->complete_async (self, identity, cancellable,
                                                     callback, user_data);
}

gboolean
ze_identity_store_complete_finish (ZeIdentityStore  *self,
                                   GAsyncResult     *result,
                                   GError          **error)
{
  g_return_val_if_fail (ZE_IS_IDENTITY_STORE (self), FALSE);

  return ZE_IDENTITY_STORE_GET_IFACE (self)->complete_finish (self, result, error);
}

void
ze_identity_store_abort_async (ZeIdentityStore     *self,
                               ZeIdentity          *identity,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (ZE_IS_IDENTITY_STORE (self));
  g_return_if_fail (ZE_IS_IDENTITY (identity));

  ZE_IDENTITY_STORE_GET_IFACE (self)->abort_async (self, identity, cancellable,
                                                  callback, user_data);
}

gboolean
ze_identity_store_abort_finish (ZeIdentityStore  *self,
                                GAsyncResult     *result,
                                GError          **error)
{
  g_return_val_if_fail (ZE_IS_IDENTITY_STORE (self), FALSE);

  return ZE_IDENTITY_STORE_GET_IFACE (self)->abort_finish (self, result, error);
}
