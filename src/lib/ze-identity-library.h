/* ze-identity-library.h: the identities this app has enrolled
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <gio/gio.h>

#include "ze-identity.h"
#include "ze-identity-store.h"

G_BEGIN_DECLS

#define ZE_TYPE_IDENTITY_LIBRARY (ze_identity_library_get_type ())

/* The records under $XDG_DATA_HOME/ziti-enroll/identities/ (keyring and
 * PKCS#11 identities), with their keys in the keyring or on the token. */
G_DECLARE_FINAL_TYPE (ZeIdentityLibrary, ze_identity_library, ZE, IDENTITY_LIBRARY, GObject)

ZeIdentityLibrary *ze_identity_library_new             (const char           *directory);
ZeIdentityLibrary *ze_identity_library_get_default     (void);
const char        *ze_identity_library_get_directory   (ZeIdentityLibrary    *self);
char              *ze_identity_library_dup_record_path (ZeIdentityLibrary    *self,
                                                        const char           *name);
GPtrArray         *ze_identity_library_list            (ZeIdentityLibrary    *self,
                                                        GError              **error);
ZeIdentity        *ze_identity_library_lookup          (ZeIdentityLibrary    *self,
                                                        const char           *name,
                                                        GError              **error);
ZeIdentityStore   *ze_identity_library_create_keyring_store (ZeIdentityLibrary *self);
void               ze_identity_library_export_async    (ZeIdentityLibrary    *self,
                                                        ZeIdentity           *identity,
                                                        const char           *path,
                                                        GCancellable         *cancellable,
                                                        GAsyncReadyCallback   callback,
                                                        gpointer              user_data);
gboolean           ze_identity_library_export_finish   (ZeIdentityLibrary    *self,
                                                        GAsyncResult         *result,
                                                        GError              **error);
void               ze_identity_library_delete_async    (ZeIdentityLibrary    *self,
                                                        ZeIdentity           *identity,
                                                        GCancellable         *cancellable,
                                                        GAsyncReadyCallback   callback,
                                                        gpointer              user_data);
gboolean           ze_identity_library_delete_finish   (ZeIdentityLibrary    *self,
                                                        GAsyncResult         *result,
                                                        GError              **error);

G_END_DECLS
