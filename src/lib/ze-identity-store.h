/* ze-identity-store.h: where a private key and its identity are kept
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <gio/gio.h>

#include "ze-identity.h"
#include "ze-key-pair.h"

G_BEGIN_DECLS

#define ZE_TYPE_IDENTITY_STORE (ze_identity_store_get_type ())

G_DECLARE_INTERFACE (ZeIdentityStore, ze_identity_store, ZE, IDENTITY_STORE, GObject)

/**
 * ZeIdentityStoreInterface:
 * @get_kind: "keyring", "pkcs11" or "file"
 * @generate_key_async: (nullable): make the key inside the store (a hardware
 *   token); when %NULL, the enroller generates a software key
 * @begin_async: step 7 of an enrollment: reserve the identity's name and keep
 *   the key, with a record marked pending (certificate missing, token id kept),
 *   before anything is sent to the controller
 * @complete_async: step 10: store the identity with its certificate,
 *   atomically; the pending mark goes away
 * @abort_async: undo what @begin_async created, when nothing was consumed
 *
 * A store never overwrites an identity of the same name, never leaves a
 * half-written file, and never keeps a secret without a record.
 */
struct _ZeIdentityStoreInterface
{
  GTypeInterface parent_iface;

  const char *(*get_kind)            (ZeIdentityStore      *self);

  void        (*generate_key_async)  (ZeIdentityStore      *self,
                                      ZeIdentity           *identity,
                                      ZeKeyType             key_type,
                                      GCancellable         *cancellable,
                                      GAsyncReadyCallback   callback,
                                      gpointer              user_data);
  ZeKeyPair  *(*generate_key_finish) (ZeIdentityStore      *self,
                                      GAsyncResult         *result,
                                      GError              **error);
  void        (*begin_async)         (ZeIdentityStore      *self,
                                      ZeIdentity           *identity,
                                      ZeKeyPair            *key,
                                      GCancellable         *cancellable,
                                      GAsyncReadyCallback   callback,
                                      gpointer              user_data);
  gboolean    (*begin_finish)        (ZeIdentityStore      *self,
                                      GAsyncResult         *result,
                                      GError              **error);
  void        (*complete_async)      (ZeIdentityStore      *self,
                                      ZeIdentity           *identity,
                                      GCancellable         *cancellable,
                                      GAsyncReadyCallback   callback,
                                      gpointer              user_data);
  gboolean    (*complete_finish)     (ZeIdentityStore      *self,
                                      GAsyncResult         *result,
                                      GError              **error);
  void        (*abort_async)         (ZeIdentityStore      *self,
                                      ZeIdentity           *identity,
                                      GCancellable         *cancellable,
                                      GAsyncReadyCallback   callback,
                                      gpointer              user_data);
  gboolean    (*abort_finish)        (ZeIdentityStore      *self,
                                      GAsyncResult         *result,
                                      GError              **error);
};

const char *ze_identity_store_get_kind             (ZeIdentityStore      *self);
gboolean    ze_identity_store_can_generate_key     (ZeIdentityStore      *self);
void        ze_identity_store_generate_key_async   (ZeIdentityStore      *self,
                                                    ZeIdentity           *identity,
                                                    ZeKeyType             key_type,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
ZeKeyPair  *ze_identity_store_generate_key_finish  (ZeIdentityStore      *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);
void        ze_identity_store_begin_async          (ZeIdentityStore      *self,
                                                    ZeIdentity           *identity,
                                                    ZeKeyPair            *key,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
gboolean    ze_identity_store_begin_finish         (ZeIdentityStore      *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);
void        ze_identity_store_complete_async       (ZeIdentityStore      *self,
                                                    ZeIdentity           *identity,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
gboolean    ze_identity_store_complete_finish      (ZeIdentityStore      *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);
void        ze_identity_store_abort_async          (ZeIdentityStore      *self,
                                                    ZeIdentity           *identity,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
gboolean    ze_identity_store_abort_finish         (ZeIdentityStore      *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);

G_END_DECLS
