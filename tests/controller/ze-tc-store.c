/* ze-tc-store.c: enrollments and authenticators, one file each, shared by processes
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * An enrollment is DIR/enrollments/<token>.json, written atomically (a
 * temporary file renamed into place). Using it renames it to
 * DIR/consumed/<token>.json: rename() is atomic, so of two concurrent
 * enrollments (threads or processes) exactly one succeeds and the other
 * finds the token gone. A certificate bound to an identity is claimed
 * with O_CREAT|O_EXCL on DIR/authenticators/<sha1>.json.
 */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "ze-tc-private.h"

void
ze_tc_enrollment_free (ZeTcEnrollment *enrollment)
{
  if (enrollment == NULL)
    return;

  g_free (enrollment->token);
  g_free (enrollment->method);
  g_free (enrollment->identity_id);
  g_free (enrollment->identity_name);
  g_free (enrollment->username);
  g_free (enrollment->ca_id);
  g_free (enrollment);
}

static gboolean
make_dir (const char  *dir,
          const char  *name,
          GError     **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  if (g_mkdir_with_parents (path, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Could not create %s: %s", path, g_strerror (saved_errno));
      return FALSE;
    }

  return TRUE;
}

gboolean
ze_tc_store_prepare (const char  *dir,
                     GError     **error)
{
  return make_dir (dir, ZE_TC_DIR_ENROLLMENTS, error) &&
         make_dir (dir, ZE_TC_DIR_CONSUMED, error) &&
         make_dir (dir, ZE_TC_DIR_AUTHENTICATORS, error);
}

/* Tokens become file names: accept only what `token` generates. */
gboolean
ze_tc_store_is_valid_token (const char *token)
{
  return token != NULL && g_uuid_string_is_valid (token);
}

static char *
enrollment_path (const char *dir,
                 const char *folder,
                 const char *token)
{
  g_autofree char *name = g_strconcat (token, ".json", NULL);

  return g_build_filename (dir, folder, name, NULL);
}

static void
add_string_member (JsonBuilder *builder,
                   const char  *name,
                   const char  *value)
{
  if (value == NULL)
    return;

  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, value);
}

gboolean
ze_tc_store_add (const char            *dir,
                 const ZeTcEnrollment  *enrollment,
                 GError               **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;

  g_return_val_if_fail (ze_tc_store_is_valid_token (enrollment->token), FALSE);

  if (!ze_tc_store_prepare (dir, error))
    return FALSE;

  json_builder_begin_object (builder);
  add_string_member (builder, "token", enrollment->token);
  add_string_member (builder, "method", enrollment->method);
  add_string_member (builder, "identityId", enrollment->identity_id);
  add_string_member (builder, "identityName", enrollment->identity_name);
  add_string_member (builder, "username", enrollment->username);
  add_string_member (builder, "caId", enrollment->ca_id);
  json_builder_set_member_name (builder, "expiresAt");
  json_builder_add_int_value (builder, enrollment->expires_at);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);

  /* g_file_set_contents_full() writes a temporary file and renames it
   * into place, so a reader never sees a partial record. */
  path = enrollment_path (dir, ZE_TC_DIR_ENROLLMENTS, enrollment->token);
  return ze_tc_write_file (path, text, -1, 0600, error);
}

ZeTcEnrollment *
ze_tc_store_lookup (const char *dir,
                    const char *token)
{
  g_autoptr(ZeTcEnrollment) enrollment = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autofree char *path = NULL;
  JsonObject *object;
  JsonNode *root;

  if (!ze_tc_store_is_valid_token (token))
    return NULL;

  path = enrollment_path (dir, ZE_TC_DIR_ENROLLMENTS, token);
  parser = json_parser_new ();
  if (!json_parser_load_from_file (parser, path, NULL) ||
      (root = json_parser_get_root (parser)) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;

  object = json_node_get_object (root);
  enrollment = g_new0 (ZeTcEnrollment, 1);
  enrollment->token = g_strdup (token);
  enrollment->method = g_strdup (json_object_get_string_member_with_default (object, "method", NULL));
  enrollment->identity_id = g_strdup (json_object_get_string_member_with_default (object, "identityId", NULL));
  enrollment->identity_name = g_strdup (json_object_get_string_member_with_default (object, "identityName", NULL));
  enrollment->username = g_strdup (json_object_get_string_member_with_default (object, "username", NULL));
  enrollment->ca_id = g_strdup (json_object_get_string_member_with_default (object, "caId", NULL));
  enrollment->expires_at = json_object_get_int_member_with_default (object, "expiresAt", 0);

  if (enrollment->method == NULL || enrollment->identity_id == NULL)
    return NULL;

  return g_steal_pointer (&enrollment);
}

gboolean
ze_tc_store_consume (const char *dir,
                     const char *token)
{
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;

  if (!ze_tc_store_is_valid_token (token))
    return FALSE;

  from = enrollment_path (dir, ZE_TC_DIR_ENROLLMENTS, token);
  to = enrollment_path (dir, ZE_TC_DIR_CONSUMED, token);

  /* The single point of decision: only one rename() of @from can succeed. */
  return g_rename (from, to) == 0;
}

static char *
fingerprint_path (const char *dir,
                  const char *fingerprint)
{
  g_autofree char *name = g_strconcat (fingerprint, ".json", NULL);

  return g_build_filename (dir, ZE_TC_DIR_AUTHENTICATORS, name, NULL);
}

gboolean
ze_tc_store_claim_fingerprint (const char  *dir,
                               const char  *fingerprint,
                               const char  *identity_id,
                               GError     **error)
{
  g_autofree char *path = fingerprint_path (dir, fingerprint);
  g_autofree char *text = NULL;
  gsize len;
  int fd;

  fd = g_open (path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Could not claim certificate %s: %s", fingerprint, g_strerror (saved_errno));
      return FALSE;
    }

  text = g_strdup_printf ("{\n  \"method\": \"cert\",\n  \"fingerprint\": \"%s\",\n"
                          "  \"identityId\": \"%s\"\n}\n", fingerprint, identity_id);
  len = strlen (text);
  if (write (fd, text, len) != (gssize)len)
    {
      int saved_errno = errno;

      close (fd);
      g_unlink (path);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Could not write %s: %s", path, g_strerror (saved_errno));
      return FALSE;
    }

  close (fd);
  return TRUE;
}

void
ze_tc_store_release_fingerprint (const char *dir,
                                 const char *fingerprint)
{
  g_autofree char *path = fingerprint_path (dir, fingerprint);

  g_unlink (path);
}

/* Stores a salted hash, never the password. */
gboolean
ze_tc_store_add_updb (const char  *dir,
                      const char  *identity_id,
                      const char  *username,
                      const char  *password,
                      GError     **error)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA512);
  g_autofree char *salt_b64 = NULL;
  g_autofree char *name = NULL;
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  g_autofree char *escaped = NULL;
  guint8 salt[16];
  guint8 digest[64];
  gsize digest_len = sizeof digest;
  g_autofree char *digest_b64 = NULL;

  gnutls_rnd (GNUTLS_RND_NONCE, salt, sizeof salt);
  g_checksum_update (checksum, salt, sizeof salt);
  g_checksum_update (checksum, (const guchar *)password, strlen (password));
  g_checksum_get_digest (checksum, digest, &digest_len);

  salt_b64 = g_base64_encode (salt, sizeof salt);
  digest_b64 = g_base64_encode (digest, digest_len);
  gnutls_memset (digest, 0, sizeof digest);

  escaped = g_strescape (username, NULL);
  text = g_strdup_printf ("{\n  \"method\": \"updb\",\n  \"identityId\": \"%s\",\n"
                          "  \"username\": \"%s\",\n  \"salt\": \"%s\",\n  \"password\": \"%s\"\n}\n",
                          identity_id, escaped, salt_b64, digest_b64);

  name = g_strconcat ("updb-", identity_id, ".json", NULL);
  path = g_build_filename (dir, ZE_TC_DIR_AUTHENTICATORS, name, NULL);

  return ze_tc_write_file (path, text, -1, 0600, error);
}
