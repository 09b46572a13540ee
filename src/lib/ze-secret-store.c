/* ze-secret-store.c
 *
 * The key (PKCS#8 PEM, content type application/x-pem-file) goes into the
 * default Secret Service collection; its attributes identify the identity and
 * never hold the secret. The identity record (ze_identity_to_record_json())
 * goes into DIRECTORY/NAME.json and refers to the item as "keyring:KEY-ID".
 *
 * The record is written first, exclusively (so two enrollments cannot take
 * one name), marked pending; then the secret. A secret therefore never
 * exists without its record.
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
#include "ze-file-util-private.h"
#include "ze-identity-library-private.h"
#include "ze-secret-store.h"

struct _ZeSecretStore
{
  GObject     parent_instance;

  char       *directory;
  char       *record_path;
  char       *key_id;
  SecretValue *value;           /* from begin until the secret is stored */
  guint       created_record : 1;
  guint       stored_secret : 1;
};

static void identity_store_iface_init (ZeIdentityStoreInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ZeSecretStore, ze_secret_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (ZE_TYPE_IDENTITY_STORE,
                                                      identity_store_iface_init))

/**
 * ze_secret_store_get_schema:
 *
 * The schema of the private-key items: named after the application id.
 */
const SecretSchema *
ze_secret_store_get_schema (void)
{
  static const SecretSchema schema = {
    "io.github.zitienroll.ZitiEnroll.PrivateKey", SECRET_SCHEMA_NONE,
    {
      { "key-id", SECRET_SCHEMA_ATTRIBUTE_STRING },      /* attributes are NOT secret */
      { "identity", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "controller", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    }
  };

  return &schema;
}

static void
ze_secret_store_finalize (GObject *object)
{
  ZeSecretStore *self = (ZeSecretStore *)object;

  g_clear_pointer (&self->directory, g_free);
  g_clear_pointer (&self->record_path, g_free);
  g_clear_pointer (&self->key_id, g_free);
  g_clear_pointer (&self->value, secret_value_unref);

  G_OBJECT_CLASS (ze_secret_store_parent_class)->finalize (object);
}

static void
ze_secret_store_class_init (ZeSecretStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ze_secret_store_finalize;
}

static void
ze_secret_store_init (ZeSecretStore *self)
{
}

/**
 * ze_secret_store_new:
 * @directory: where the identity records go
 */
ZeSecretStore *
ze_secret_store_new (const char *directory)
{
  ZeSecretStore *self;

  g_return_val_if_fail (directory != NULL, NULL);

  self = g_object_new (ZE_TYPE_SECRET_STORE, NULL);
  self->directory = g_strdup (directory);

  return self;
}

static const char *
ze_secret_store_get_kind (ZeIdentityStore *store)
{
  return "keyring";
}

/* libsecret and D-Bus errors, in words that say what to do. */
GError *
_ze_secret_store_map_error (const GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_error_copy (error);

  if (g_error_matches (error, SECRET_ERROR, SECRET_ERROR_IS_LOCKED) ||
      g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED))
    return g_error_new (ZE_ERROR, ZE_ERROR_KEYRING_LOCKED,
                        _("Your keyring is locked and could not be unlocked (%s). Unlock it "
                          "(for example in Passwords and Keys) and try again, or keep the key "
                          "in a file instead (--store file)."),
                        error->message);

  return g_error_new (ZE_ERROR, ZE_ERROR_KEYRING_UNAVAILABLE,
                      _("The keyring (Secret Service) is not available (%s). Log in to a "
                        "desktop session with a keyring, or keep the key in a file instead "
                        "(--store file). The key was not written anywhere else."),
                      error->message);
}

static void
write_record_worker (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  ZeSecretStore *self = source_object;
  ZeIdentity *identity = task_data;
  GError *error = NULL;

  if (!_ze_identity_library_write_record (self->directory, self->record_path, identity,
                                          self->created_record, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  self->created_record = TRUE;
  g_task_return_boolean (task, TRUE);
}

static void
write_record_async (ZeSecretStore       *self,
                    ZeIdentity          *identity,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, callback, user_data);

  g_task_set_source_tag (task, write_record_async);
  g_task_set_task_data (task, g_object_ref (identity), g_object_unref);
  g_task_run_in_thread (task, write_record_worker);
}

static void
remove_record_worker (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  ZeSecretStore *self = source_object;
  GError *error = NULL;

  if (self->created_record && !_ze_identity_library_remove_record (self->record_path, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  self->created_record = FALSE;
  g_task_return_boolean (task, TRUE);
}

/* ---- begin: record (pending), then secret ---- */

typedef struct
{
  ZeIdentity *identity;
  GError     *error;
} Begin;

static void
begin_free (Begin *begin)
{
  g_clear_object (&begin->identity);
  g_clear_error (&begin->error);
  g_free (begin);
}

static void
begin_undone_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Begin *begin = g_task_get_task_data (task);

  g_task_propagate_boolean (G_TASK (result), NULL);
  g_task_return_error (task, g_steal_pointer (&begin->error));
}

static void
begin_secret_stored_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ZeSecretStore *self = g_task_get_source_object (task);
  Begin *begin = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) undo = NULL;

  g_clear_pointer (&self->value, secret_value_unref);

  if (secret_password_store_finish (result, &error))
    {
      self->stored_secret = TRUE;
      g_task_return_boolean (task, TRUE);
      return;
    }

  /* No secret: the record goes too. */
  begin->error = _ze_secret_store_map_error (error);
  undo = g_task_new (self, NULL, begin_undone_cb, g_steal_pointer (&task));
  g_task_run_in_thread (undo, remove_record_worker);
}

static void
begin_record_written_cb (GObject      *object,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ZeSecretStore *self = g_task_get_source_object (task);
  Begin *begin = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *label = NULL;
  g_autofree char *host = NULL;
  g_autoptr(GUri) uri = NULL;
  const char *controller = ze_identity_get_controller_url (begin->identity);
  GCancellable *cancellable;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_clear_pointer (&self->value, secret_value_unref);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (self->value == NULL)        /* updb: no key */
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  uri = controller != NULL ? g_uri_parse (controller, G_URI_FLAGS_NONE, NULL) : NULL;
  host = g_strdup (uri != NULL && g_uri_get_host (uri) != NULL ? g_uri_get_host (uri) : "?");
  /* Translators: the keyring item's label; %s are the identity name and a host name */
  label = g_strdup_printf (_("Ziti identity %s (%s)"), ze_identity_get_name (begin->identity), host);

  cancellable = g_task_get_cancellable (task);   /* before the task is stolen below */
  secret_password_store_binary (ze_secret_store_get_schema (),
                                SECRET_COLLECTION_DEFAULT,
                                label,
                                self->value,
                                cancellable,
                                begin_secret_stored_cb,
                                g_steal_pointer (&task),
                                "key-id", self->key_id,
                                "identity", ze_identity_get_name (begin->identity),
                                "controller", controller != NULL ? controller : "",
                                NULL);
}

static void
ze_secret_store_begin_async (ZeIdentityStore     *store,
                             ZeIdentity          *identity,
                             ZeKeyPair           *key,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  ZeSecretStore *self = ZE_SECRET_STORE (store);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autofree char *file = g_strconcat (ze_identity_get_name (identity), ".json", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *reference = NULL;
  Begin *begin;

  g_task_set_source_tag (task, ze_secret_store_begin_async);
  begin = g_new0 (Begin, 1);
  begin->identity = g_object_ref (identity);
  g_task_set_task_data (task, begin, (GDestroyNotify)begin_free);

  self->record_path = g_build_filename (self->directory, file, NULL);
  self->key_id = g_uuid_string_random ();

  if (key != NULL)
    {
      char *pem = ze_key_pair_export_pkcs8_pem (key, &error);

      if (pem == NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }

      /* The SecretValue owns @pem and wipes it when freed (libsecret uses egg_secure_free
       * only for its own buffers: wipe ours in the destroy notify). */
      self->value = secret_value_new_full (pem, strlen (pem), "application/x-pem-file",
                                           (GDestroyNotify)_ze_wipe_and_free);
      reference = g_strconcat ("keyring:", self->key_id, NULL);
      ze_identity_set_key_reference (identity, reference);
    }

  ze_identity_set_store_kind (identity, "keyring");
  ze_identity_set_location (identity, self->record_path);
  ze_identity_set_pending (identity, TRUE);

  write_record_async (self, identity, begin_record_written_cb, g_steal_pointer (&task));
}

static gboolean
ze_secret_store_finish (ZeIdentityStore  *store,
                        GAsyncResult     *result,
                        GError          **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- complete: the record, with its certificate, replaces the pending one ---- */

static void
complete_written_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
ze_secret_store_complete_async (ZeIdentityStore     *store,
                                ZeIdentity          *identity,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  ZeSecretStore *self = ZE_SECRET_STORE (store);
  g_autoptr(GTask) task = g_task_new (self, NULL, callback, user_data);

  g_task_set_source_tag (task, ze_secret_store_complete_async);
  ze_identity_set_pending (identity, FALSE);
  write_record_async (self, identity, complete_written_cb, g_steal_pointer (&task));
}

/* ---- abort: the secret, then the record ---- */

static void
abort_record_removed_cb (GObject      *object,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
abort_secret_cleared_cb (GObject      *object,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ZeSecretStore *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) remove = NULL;

  if (!secret_password_clear_finish (result, &error))
    {
      /* Keep the record: a secret must never stay without one. */
      g_task_return_error (task, _ze_secret_store_map_error (error));
      return;
    }

  self->stored_secret = FALSE;
  remove = g_task_new (self, NULL, abort_record_removed_cb, g_steal_pointer (&task));
  g_task_run_in_thread (remove, remove_record_worker);
}

static void
ze_secret_store_abort_async (ZeIdentityStore     *store,
                             ZeIdentity          *identity,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  ZeSecretStore *self = ZE_SECRET_STORE (store);
  g_autoptr(GTask) task = g_task_new (self, NULL, callback, user_data);

  g_task_set_source_tag (task, ze_secret_store_abort_async);

  if (self->stored_secret)
    {
      secret_password_clear (ze_secret_store_get_schema (), NULL,
                             abort_secret_cleared_cb, g_steal_pointer (&task),
                             "key-id", self->key_id,
                             NULL);
      return;
    }

  {
    g_autoptr(GTask) remove = g_task_new (self, NULL, abort_record_removed_cb, g_steal_pointer (&task));

    g_task_run_in_thread (remove, remove_record_worker);
  }
}

static void
identity_store_iface_init (ZeIdentityStoreInterface *iface)
{
  iface->get_kind = ze_secret_store_get_kind;
  iface->begin_async = ze_secret_store_begin_async;
  iface->begin_finish = ze_secret_store_finish;
  iface->complete_async = ze_secret_store_complete_async;
  iface->complete_finish = ze_secret_store_finish;
  iface->abort_async = ze_secret_store_abort_async;
  iface->abort_finish = ze_secret_store_finish;
}
