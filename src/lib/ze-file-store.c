/* ze-file-store.c
 *
 * The key goes into a standard identity file (protocol.md §8), mode 0600,
 * that ziti-edge-tunnel and the SDKs load directly. Before the enrollment is
 * sent, the key is written to PATH.pending (with the CA bundle and the token
 * id); once the certificate arrives, the complete file is linked into place at
 * PATH (never overwriting) and the pending file goes.
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <errno.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "ze-error.h"
#include "ze-file-store.h"
#include "ze-file-util-private.h"

struct _ZeFileStore
{
  GObject    parent_instance;

  char      *path;
  ZeKeyPair *key;            /* from begin to complete */
  guint      created_pending : 1;
};

static void identity_store_iface_init (ZeIdentityStoreInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ZeFileStore, ze_file_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (ZE_TYPE_IDENTITY_STORE,
                                                      identity_store_iface_init))

static void
ze_file_store_finalize (GObject *object)
{
  ZeFileStore *self = (ZeFileStore *)object;

  g_clear_pointer (&self->path, g_free);
  g_clear_object (&self->key);

  G_OBJECT_CLASS (ze_file_store_parent_class)->finalize (object);
}

static void
ze_file_store_class_init (ZeFileStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ze_file_store_finalize;
}

static void
ze_file_store_init (ZeFileStore *self)
{
}

ZeFileStore *
ze_file_store_new (const char *path)
{
  ZeFileStore *self;

  g_return_val_if_fail (path != NULL, NULL);

  self = g_object_new (ZE_TYPE_FILE_STORE, NULL);
  self->path = g_strdup (path);

  return self;
}

const char *
ze_file_store_get_path (ZeFileStore *self)
{
  g_return_val_if_fail (ZE_IS_FILE_STORE (self), NULL);

  return self->path;
}

char *
ze_file_store_dup_pending_path (ZeFileStore *self)
{
  g_return_val_if_fail (ZE_IS_FILE_STORE (self), NULL);

  return g_strconcat (self->path, ".pending", NULL);
}

static const char *
ze_file_store_get_kind (ZeIdentityStore *store)
{
  return "file";
}

/* The standard identity JSON, with a "pending" object while the certificate is missing. */
static char *
build_contents (ZeFileStore  *self,
                ZeIdentity   *identity,
                gboolean      pending,
                GError      **error)
{
  g_autofree char *key_pem = NULL;
  g_autofree char *key_value = NULL;
  g_autoptr(JsonNode) root = NULL;
  char *text;

  /* updb identities have no key. */
  if (self->key == NULL)
    key_value = NULL;
  else if (ze_key_pair_get_uri (self->key) != NULL)
    key_value = g_strdup (ze_key_pair_get_uri (self->key));
  else
    {
      if (!(key_pem = ze_key_pair_export_pkcs8_pem (self->key, error)))
        return NULL;
      key_value = g_strconcat ("pem:", key_pem, NULL);
      _ze_wipe_string (key_pem);
    }

  root = ze_identity_to_standard_json (identity, key_value);
  _ze_wipe_string (key_value);

  if (pending)
    {
      JsonObject *object = json_node_get_object (root);
      JsonObject *info = json_object_new ();

      json_object_set_string_member (info, "token_id", ze_identity_get_token_id (identity));
      json_object_set_string_member (info, "reason",
                                     "The enrollment was sent but its certificate has not been "
                                     "stored yet. The private key is kept here.");
      json_object_set_object_member (object, "pending", info);
    }

  text = ze_json_to_string (root);

  /* The generator's copy of the key is in @root's strings: wipe them too. */
  {
    JsonObject *id = json_object_get_object_member (json_node_get_object (root), "id");
    JsonNode *key_node = id != NULL ? json_object_get_member (id, "key") : NULL;

    if (key_node != NULL)
      _ze_wipe_string ((char *)json_node_get_string (key_node));
  }

  return text;
}

static void
begin_worker (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  ZeFileStore *self = source_object;
  ZeIdentity *identity = task_data;
  g_autofree char *pending_path = ze_file_store_dup_pending_path (self);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;

  if (g_file_test (self->path, G_FILE_TEST_EXISTS))
    {
      g_autofree char *display = g_filename_display_name (self->path);

      g_task_return_new_error (task, ZE_ERROR, ZE_ERROR_IDENTITY_EXISTS,
                               _("There is already an identity file at “%s”, and it was left as "
                                 "it is. Choose another file with --out, or remove the old one "
                                 "first."),
                               display);
      return;
    }

  if (!(contents = build_contents (self, identity, TRUE, &error)) ||
      !_ze_write_file_atomic (pending_path, contents, strlen (contents), 0600, FALSE, &error))
    {
      if (contents != NULL)
        _ze_wipe_string (contents);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  _ze_wipe_string (contents);
  self->created_pending = TRUE;
  ze_identity_set_location (identity, pending_path);
  ze_identity_set_store_kind (identity, "file");
  ze_identity_set_key_reference (identity, self->path);
  g_task_return_boolean (task, TRUE);
}

static void
ze_file_store_begin_async (ZeIdentityStore     *store,
                           ZeIdentity          *identity,
                           ZeKeyPair           *key,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  ZeFileStore *self = ZE_FILE_STORE (store);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, ze_file_store_begin_async);
  g_task_set_task_data (task, g_object_ref (identity), g_object_unref);
  g_set_object (&self->key, key);
  g_task_run_in_thread (task, begin_worker);
}

static gboolean
ze_file_store_finish (ZeIdentityStore  *store,
                      GAsyncResult     *result,
                      GError          **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
complete_worker (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  ZeFileStore *self = source_object;
  ZeIdentity *identity = task_data;
  g_autofree char *pending_path = ze_file_store_dup_pending_path (self);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;

  ze_identity_set_pending (identity, FALSE);

  if (!(contents = build_contents (self, identity, FALSE, &error)) ||
      !_ze_write_file_atomic (self->path, contents, strlen (contents), 0600, FALSE, &error))
    {
      if (contents != NULL)
        _ze_wipe_string (contents);
      /* The pending file still holds the key: say where. */
      ze_identity_set_pending (identity, TRUE);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  _ze_wipe_string (contents);
  if (self->created_pending)
    g_unlink (pending_path);
  self->created_pending = FALSE;
  g_clear_object (&self->key);
  ze_identity_set_location (identity, self->path);
  g_task_return_boolean (task, TRUE);
}

static void
ze_file_store_complete_async (ZeIdentityStore     *store,
                              ZeIdentity          *identity,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (store, NULL, callback, user_data);

  /* Not cancellable: once the certificate is here, it is kept. */
  g_task_set_source_tag (task, ze_file_store_complete_async);
  g_task_set_task_data (task, g_object_ref (identity), g_object_unref);
  g_task_run_in_thread (task, complete_worker);
}

static void
abort_worker (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  ZeFileStore *self = source_object;
  g_autofree char *pending_path = ze_file_store_dup_pending_path (self);

  if (self->created_pending && g_unlink (pending_path) != 0 && errno != ENOENT)
    {
      int saved_errno = errno;

      g_task_return_new_error (task, ZE_ERROR, ZE_ERROR_STORAGE_FAILED,
                               _("Could not remove “%s”: %s."),
                               pending_path, g_strerror (saved_errno));
      return;
    }

  self->created_pending = FALSE;
  g_clear_object (&self->key);
  g_task_return_boolean (task, TRUE);
}

static void
ze_file_store_abort_async (ZeIdentityStore     *store,
                           ZeIdentity          *identity,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (store, NULL, callback, user_data);

  g_task_set_source_tag (task, ze_file_store_abort_async);
  g_task_run_in_thread (task, abort_worker);
}

static void
identity_store_iface_init (ZeIdentityStoreInterface *iface)
{
  iface->get_kind = ze_file_store_get_kind;
  iface->begin_async = ze_file_store_begin_async;
  iface->begin_finish = ze_file_store_finish;
  iface->complete_async = ze_file_store_complete_async;
  iface->complete_finish = ze_file_store_finish;
  iface->abort_async = ze_file_store_abort_async;
  iface->abort_finish = ze_file_store_finish;
}
