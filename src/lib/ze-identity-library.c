/* ze-identity-library.c: the identities kept on this computer, and their records
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <libsecret/secret.h>

#include "ze-error.h"
#include "ze-file-util-private.h"
#include "ze-identity-library.h"
#include "ze-identity-library-private.h"
#include "ze-secret-store.h"

struct _ZeIdentityLibrary
{
  GObject  parent_instance;

  char    *directory;
};

G_DEFINE_FINAL_TYPE (ZeIdentityLibrary, ze_identity_library, G_TYPE_OBJECT)

static void
ze_identity_library_finalize (GObject *object)
{
  ZeIdentityLibrary *self = (ZeIdentityLibrary *)object;

  g_clear_pointer (&self->directory, g_free);

  G_OBJECT_CLASS (ze_identity_library_parent_class)->finalize (object);
}

static void
ze_identity_library_class_init (ZeIdentityLibraryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ze_identity_library_finalize;
}

static void
ze_identity_library_init (ZeIdentityLibrary *self)
{
}

ZeIdentityLibrary *
ze_identity_library_new (const char *directory)
{
  ZeIdentityLibrary *self;

  g_return_val_if_fail (directory != NULL, NULL);

  self = g_object_new (ZE_TYPE_IDENTITY_LIBRARY, NULL);
  self->directory = g_strdup (directory);

  return self;
}

/**
 * ze_identity_library_get_default:
 *
 * Returns: (transfer none): the library in `$XDG_DATA_HOME/ziti-enroll/identities`
 */
ZeIdentityLibrary *
ze_identity_library_get_default (void)
{
  static ZeIdentityLibrary *library;

  if (g_once_init_enter (&library))
    {
      g_autofree char *directory = g_build_filename (g_get_user_data_dir (), "ziti-enroll",
                                                     "identities", NULL);

      g_once_init_leave (&library, ze_identity_library_new (directory));
    }

  return library;
}

const char *
ze_identity_library_get_directory (ZeIdentityLibrary *self)
{
  g_return_val_if_fail (ZE_IS_IDENTITY_LIBRARY (self), NULL);

  return self->directory;
}

char *
ze_identity_library_dup_record_path (ZeIdentityLibrary *self,
                                     const char        *name)
{
  g_autofree char *file = NULL;

  g_return_val_if_fail (ZE_IS_IDENTITY_LIBRARY (self), NULL);
  g_return_val_if_fail (ze_identity_name_is_valid (name), NULL);

  file = g_strconcat (name, ".json", NULL);

  return g_build_filename (self->directory, file, NULL);
}

static ZeIdentity *
load_record (const char  *path,
             GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local = NULL;
  ZeIdentity *identity;

  if (!json_parser_load_from_file (parser, path, &local))
    {
      g_set_error (error, ZE_ERROR, ZE_ERROR_STORAGE_FAILED,
                   _("The identity record “%s” cannot be read: %s."), path, local->message);
      return NULL;
    }

  if ((identity = ze_identity_new_from_record_json (json_parser_get_root (parser), error)))
    ze_identity_set_location (identity, path);

  return identity;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  ZeIdentity *ia = *(ZeIdentity **)a;
  ZeIdentity *ib = *(ZeIdentity **)b;

  return g_utf8_collate (ze_identity_get_name (ia), ze_identity_get_name (ib));
}

/**
 * ze_identity_library_list:
 *
 * Reads every record. A damaged record is skipped (with a warning), so one
 * bad file does not hide the others.
 *
 * Returns: (transfer full) (element-type ZeIdentity): the identities, by name
 */
GPtrArray *
ze_identity_library_list (ZeIdentityLibrary  *self,
                          GError            **error)
{
  g_autoptr(GPtrArray) identities = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) local = NULL;
  const char *name;

  g_return_val_if_fail (ZE_IS_IDENTITY_LIBRARY (self), NULL);

  if (!(dir = g_dir_open (self->directory, 0, &local)))
    {
      if (g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return g_steal_pointer (&identities);

      g_set_error (error, ZE_ERROR, ZE_ERROR_STORAGE_FAILED,
                   _("The identities folder “%s” cannot be read: %s."),
                   self->directory, local->message);
      return NULL;
    }

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autoptr(GError) record_error = NULL;
      ZeIdentity *identity;

      if (!g_str_has_suffix (name, ".json") || name[0] == '.')
        continue;

      path = g_build_filename (self->directory, name, NULL);
      if ((identity = load_record (path, &record_error)))
        g_ptr_array_add (identities, identity);
      else
        g_warning ("%s", record_error->message);
    }

  g_ptr_array_sort (identities, compare_names);

  return g_steal_pointer (&identities);
}

/**
 * ze_identity_library_lookup:
 *
 * Returns: (transfer full): the identity named @name, or %NULL with
 *   %ZE_ERROR_IDENTITY_NOT_FOUND
 */
ZeIdentity *
ze_identity_library_lookup (ZeIdentityLibrary  *self,
                            const char         *name,
                            GError            **error)
{
  g_autofree char *path = NULL;

  g_return_val_if_fail (ZE_IS_IDENTITY_LIBRARY (self), NULL);

  if (!ze_identity_name_is_valid (name) ||
      !(path = ze_identity_library_dup_record_path (self, name)) ||
      !g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, ZE_ERROR, ZE_ERROR_IDENTITY_NOT_FOUND,
                   _("There is no identity named “%s”. “ziti-enroll-cli list” shows the "
                     "identities there are."),
                   name);
      return NULL;
    }

  return load_record (path, error);
}

/**
 * ze_identity_library_create_keyring_store:
 *
 * Returns: (transfer full): a store that keeps the key in the keyring and
 *   the record in this library
 */
ZeIdentityStore *
ze_identity_library_create_keyring_store (ZeIdentityLibrary *self)
{
  g_return_val_if_fail (ZE_IS_IDENTITY_LIBRARY (self), NULL);

  return ZE_IDENTITY_STORE (ze_secret_store_new (self->directory));
}

static const char *
keyring_key_id (ZeIdentity *identity)
{
  const char *reference = ze_identity_get_key_reference (identity);

  if (reference != NULL && g_str_has_prefix (reference, "keyring:"))
    return reference + strlen ("keyring:");

  return NULL;
}

/* ---- export ---- */

typedef struct
{
  ZeIdentity *identity;
  char       *path;
  char       *key;          /* the id.key value; wiped */
} Export;

static void
export_free (Export *export)
{
  g_clear_object (&export->identity);
  g_clear_pointer (&export->path, g_free);
  _ze_wipe_string (export->key);
  g_clear_pointer (&export->key, g_free);
  g_free (export);
}

static void
export_worker (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Export *export = task_data;
  g_autoptr(JsonNode) root = ze_identity_to_standard_json (export->identity, export->key);
  g_autofree char *text = ze_json_to_string (root);
  g_autoptr(GError) error = NULL;
  gboolean ok;

  /* Wipe the copy of the key inside @root. */
  {
    JsonObject *id = json_object_get_object_member (json_node_get_object (root), "id");
    JsonNode *key = json_object_get_member (id, "key");

    if (key != NULL)
      _ze_wipe_string ((char *)json_node_get_string (key));
  }

  ok = _ze_write_file_atomic (export->path, text, strlen (text), 0600, FALSE, &error);
  _ze_wipe_string (text);

  if (!ok)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
export_looked_up_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Export *export = g_task_get_task_data (task);
  g_autoptr(SecretValue) value = NULL;
  g_autoptr(GError) error = NULL;
  const char *pem;
  gsize len;

  if (!(value = secret_password_lookup_binary_finish (result, &error)))
    {
      if (error != NULL)
        g_task_return_error (task, _ze_secret_store_map_error (error));
      else
        g_task_return_new_error (task, ZE_ERROR, ZE_ERROR_IDENTITY_NOT_FOUND,
                                 _("The private key of “%s” is not in the keyring any more, so "
                                   "it cannot be exported. Enroll again with a new token."),
                                 ze_identity_get_name (export->identity));
      return;
    }

  pem = secret_value_get (value, &len);
  export->key = g_malloc (len + 5);
  memcpy (export->key, "pem:", 4);
  memcpy (export->key + 4, pem, len);
  export->key[len + 4] = '\0';

  g_task_run_in_thread (task, export_worker);
}

/**
 * ze_identity_library_export_async:
 * @path: the file to create (0600, never overwriting)
 *
 * Writes a standard identity file (protocol.md §8) with the key in it, for
 * ziti-edge-tunnel and the SDKs.
 */
void
ze_identity_library_export_async (ZeIdentityLibrary   *self,
                                  ZeIdentity          *identity,
                                  const char          *path,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  const char *key_id;
  Export *export;

  g_return_if_fail (ZE_IS_IDENTITY_LIBRARY (self));
  g_return_if_fail (ZE_IS_IDENTITY (identity));
  g_return_if_fail (path != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ze_identity_library_export_async);
  export = g_new0 (Export, 1);
  export->identity = g_object_ref (identity);
  export->path = g_strdup (path);
  g_task_set_task_data (task, export, (GDestroyNotify)export_free);

  if (ze_identity_get_pending (identity) || ze_identity_get_certificate_pem (identity) == NULL)
    {
      g_task_return_new_error (task, ZE_ERROR, ZE_ERROR_IDENTITY_NOT_FOUND,
                               _("“%s” is not enrolled yet (its certificate is missing), so there "
                                 "is nothing to export."),
                               ze_identity_get_name (identity));
      return;
    }

  if ((key_id = keyring_key_id (identity)) != NULL)
    {
      secret_password_lookup (ze_secret_store_get_schema (), cancellable,
                              export_looked_up_cb, g_steal_pointer (&task),
                                     "key-id", key_id,
                                     NULL);
      return;
    }

  /* A hardware-token key is referred to by its URI, which the SDKs load. */
  export->key = g_strdup (ze_identity_get_key_reference (identity));
  g_task_run_in_thread (task, export_worker);
}

gboolean
ze_identity_library_export_finish (ZeIdentityLibrary  *self,
                                   GAsyncResult       *result,
                                   GError            **error)
{
  g_return_val_if_fail (ZE_IS_IDENTITY_LIBRARY (self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- delete: the secret first, then the record ---- */

static void
delete_record_worker (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  ZeIdentity *identity = task_data;
  const char *path = ze_identity_get_location (identity);

  if (path != NULL && g_unlink (path) != 0 && errno != ENOENT)
    {
      int saved_errno = errno;

      g_task_return_new_error (task, ZE_ERROR, ZE_ERROR_STORAGE_FAILED,
                               _("Could not remove “%s”: %s."), path, g_strerror (saved_errno));
      return;
    }

  g_task_return_boolean (task, TRUE);
}

static void
delete_secret_cleared_cb (GObject      *object,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!secret_password_clear_finish (result, &error) && error != NULL)
    {
      /* The record stays, so the secret is never left without one. */
      g_task_return_error (task, _ze_secret_store_map_error (error));
      return;
    }

  g_task_run_in_thread (task, delete_record_worker);
}

void
ze_identity_library_delete_async (ZeIdentityLibrary   *self,
                                  ZeIdentity          *identity,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  const char *key_id;

  g_return_if_fail (ZE_IS_IDENTITY_LIBRARY (self));
  g_return_if_fail (ZE_IS_IDENTITY (identity));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ze_identity_library_delete_async);
  g_task_set_task_data (task, g_object_ref (identity), g_object_unref);

  if ((key_id = keyring_key_id (identity)) != NULL)
    {
      secret_password_clear (ze_secret_store_get_schema (), cancellable,
                             delete_secret_cleared_cb, g_steal_pointer (&task),
                             "key-id", key_id,
                             NULL);
      return;
    }

  g_task_run_in_thread (task, delete_record_worker);
}

gboolean
ze_identity_library_delete_finish (ZeIdentityLibrary  *self,
                                   GAsyncResult       *result,
                                   GError            **error)
{
  g_return_val_if_fail (ZE_IS_IDENTITY_LIBRARY (self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- the records the keyring and hardware-token stores keep here ---- */

/**
 * _ze_identity_library_write_record:
 * @directory: the library folder, made (0700) if missing
 * @path: the record's file in it
 * @replace: %FALSE the first time: the name is then claimed exclusively, so
 *   that two enrollments cannot take one name; %TRUE to update it afterwards
 *
 * Writes the record of @identity atomically, mode 0600.
 *
 * Returns: %FALSE with %ZE_ERROR_IDENTITY_EXISTS when the name is taken, or
 *   %ZE_ERROR_STORAGE_FAILED
 */
gboolean
_ze_identity_library_write_record (const char  *directory,
                                   const char  *path,
                                   ZeIdentity  *identity,
                                   gboolean     replace,
                                   GError     **error)
{
  g_autoptr(JsonNode) record = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (directory != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (ZE_IS_IDENTITY (identity), FALSE);

  if (g_mkdir_with_parents (directory, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, ZE_ERROR, ZE_ERROR_STORAGE_FAILED,
                   _("Could not create the folder “%s”: %s."),
                   directory, g_strerror (saved_errno));
      return FALSE;
    }

  record = ze_identity_to_record_json (identity);
  text = ze_json_to_string (record);

  if (!_ze_write_file_atomic (path, text, strlen (text), 0600, replace, &local_error))
    {
      if (g_error_matches (local_error, ZE_ERROR, ZE_ERROR_IDENTITY_EXISTS))
        g_set_error (error, ZE_ERROR, ZE_ERROR_IDENTITY_EXISTS,
                     _("There is already an identity named “%s”. Choose another name, or "
                       "remove the old identity first."),
                     ze_identity_get_name (identity));
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  return TRUE;
}

/**
 * _ze_identity_library_remove_record:
 *
 * Removes the record at @path; one already gone is not an error.
 */
gboolean
_ze_identity_library_remove_record (const char  *path,
                                    GError     **error)
{
  g_return_val_if_fail (path != NULL, FALSE);

  if (g_unlink (path) != 0 && errno != ENOENT)
    {
      int saved_errno = errno;

      g_set_error (error, ZE_ERROR, ZE_ERROR_STORAGE_FAILED,
                   _("Could not remove “%s”: %s."),
                   path, g_strerror (saved_errno));
      return FALSE;
    }

  return TRUE;
}
