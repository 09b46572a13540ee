/* ze-identity.c
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "ze-certificate.h"
#include "ze-error.h"
#include "ze-identity.h"
#include "ze-token.h"

struct _ZeIdentity
{
  GObject         parent_instance;

  char           *name;
  char           *controller_url;
  GStrv           controller_urls;
  char           *certificate_pem;
  char           *ca_pem;
  char           *key_reference;
  char           *store_kind;
  char           *location;
  char           *token_id;
  char           *username;
  char           *controller_fingerprint;
  ZeEnrollMethod  method;
  guint           pending : 1;
};

G_DEFINE_FINAL_TYPE (ZeIdentity, ze_identity, G_TYPE_OBJECT)

static void
ze_identity_finalize (GObject *object)
{
  ZeIdentity *self = (ZeIdentity *)object;

  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->controller_url, g_free);
  g_clear_pointer (&self->controller_urls, g_strfreev);
  g_clear_pointer (&self->certificate_pem, g_free);
  g_clear_pointer (&self->ca_pem, g_free);
  g_clear_pointer (&self->key_reference, g_free);
  g_clear_pointer (&self->store_kind, g_free);
  g_clear_pointer (&self->location, g_free);
  g_clear_pointer (&self->token_id, g_free);
  g_clear_pointer (&self->username, g_free);
  g_clear_pointer (&self->controller_fingerprint, g_free);

  G_OBJECT_CLASS (ze_identity_parent_class)->finalize (object);
}

static void
ze_identity_class_init (ZeIdentityClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ze_identity_finalize;
}

static void
ze_identity_init (ZeIdentity *self)
{
}

ZeIdentity *
ze_identity_new (const char *name)
{
  ZeIdentity *self;

  g_return_val_if_fail (name != NULL, NULL);

  self = g_object_new (ZE_TYPE_IDENTITY, NULL);
  self->name = g_strdup (name);

  return self;
}

/**
 * ze_identity_name_is_valid:
 *
 * A name becomes a file name: one path component of at most 100 bytes of
 * printable UTF-8, without "/" or a leading dot.
 */
gboolean
ze_identity_name_is_valid (const char *name)
{
  if (name == NULL || *name == '\0' || *name == '.' || strlen (name) > 100 ||
      !g_utf8_validate (name, -1, NULL) || strchr (name, '/') != NULL ||
      strchr (name, '\\') != NULL)
    return FALSE;

  for (const char *p = name; *p != '\0'; p = g_utf8_next_char (p))
    {
      if (!g_unichar_isprint (g_utf8_get_char (p)))
        return FALSE;
    }

  return TRUE;
}

#define STRING_ACCESSORS(field)                                         \
  const char *                                                          \
  ze_identity_get_##field (ZeIdentity *self)                            \
  {                                                                     \
    g_return_val_if_fail (ZE_IS_IDENTITY (self), NULL);                 \
    return self->field;                                                 \
  }                                                                     \
  void                                                                  \
  ze_identity_set_##field (ZeIdentity *self, const char *value)         \
  {                                                                     \
    g_return_if_fail (ZE_IS_IDENTITY (self));                           \
    if (self->field != value)                                           \
      {                                                                 \
        g_free (self->field);                                           \
        self->field = g_strdup (value);                                 \
      }                                                                 \
  }

const char *
ze_identity_get_name (ZeIdentity *self)
{
  g_return_val_if_fail (ZE_IS_IDENTITY (self), NULL);

  return self->name;
}

STRING_ACCESSORS (controller_url)
STRING_ACCESSORS (certificate_pem)
STRING_ACCESSORS (ca_pem)
STRING_ACCESSORS (key_reference)
STRING_ACCESSORS (store_kind)
STRING_ACCESSORS (location)
STRING_ACCESSORS (token_id)
STRING_ACCESSORS (username)
STRING_ACCESSORS (controller_fingerprint)

const char * const *
ze_identity_get_controller_urls (ZeIdentity *self)
{
  g_return_val_if_fail (ZE_IS_IDENTITY (self), NULL);

  return (const char * const *)self->controller_urls;
}

void
ze_identity_set_controller_urls (ZeIdentity         *self,
                                 const char * const *urls)
{
  g_return_if_fail (ZE_IS_IDENTITY (self));

  g_strfreev (self->controller_urls);
  self->controller_urls = g_strdupv ((GStrv)urls);
}

ZeEnrollMethod
ze_identity_get_method (ZeIdentity *self)
{
  g_return_val_if_fail (ZE_IS_IDENTITY (self), 0);

  return self->method;
}

void
ze_identity_set_method (ZeIdentity     *self,
                        ZeEnrollMethod  method)
{
  g_return_if_fail (ZE_IS_IDENTITY (self));

  self->method = method;
}

gboolean
ze_identity_get_pending (ZeIdentity *self)
{
  g_return_val_if_fail (ZE_IS_IDENTITY (self), FALSE);

  return self->pending;
}

void
ze_identity_set_pending (ZeIdentity *self,
                         gboolean    pending)
{
  g_return_if_fail (ZE_IS_IDENTITY (self));

  self->pending = !!pending;
}

/**
 * ze_identity_get_certificate_expiry:
 *
 * Returns: the not-after time of the identity's own certificate (the first
 *   of its chain), or 0 when it has none yet
 */
gint64
ze_identity_get_certificate_expiry (ZeIdentity *self)
{
  g_autoptr(ZeCertificate) leaf = NULL;

  g_return_val_if_fail (ZE_IS_IDENTITY (self), 0);

  if (self->certificate_pem == NULL ||
      !(leaf = ze_certificate_new_from_pem (self->certificate_pem, -1, NULL)))
    return 0;

  return ze_certificate_get_not_after (leaf);
}

static char *
pem_value (const char *pem)
{
  return pem != NULL ? g_strconcat ("pem:", pem, NULL) : NULL;
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

static void
add_controller_members (ZeIdentity  *self,
                        JsonBuilder *builder)
{
  add_string_member (builder, "ztAPI", self->controller_url);
  json_builder_set_member_name (builder, "ztAPIs");
  json_builder_begin_array (builder);
  if (self->controller_urls != NULL)
    {
      for (guint i = 0; self->controller_urls[i] != NULL; i++)
        json_builder_add_string_value (builder, self->controller_urls[i]);
    }
  else if (self->controller_url != NULL)
    json_builder_add_string_value (builder, self->controller_url);
  json_builder_end_array (builder);
}

/**
 * ze_identity_to_standard_json:
 * @self: a #ZeIdentity
 * @key: (nullable): the `id.key` value: `pem:` + PKCS#8 PEM, or a `pkcs11://` URI
 *
 * The identity file that the OpenZiti C SDK (ziti-edge-tunnel) and the Go SDK
 * both load: `{"ztAPI", "ztAPIs", "id": {"cert", "key", "ca"}}` with
 * `pem:`-prefixed values (protocol.md §8).
 *
 * Returns: (transfer full): the JSON
 */
JsonNode *
ze_identity_to_standard_json (ZeIdentity *self,
                              const char *key)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *cert = NULL;
  g_autofree char *ca = NULL;

  g_return_val_if_fail (ZE_IS_IDENTITY (self), NULL);

  cert = pem_value (self->certificate_pem);
  ca = pem_value (self->ca_pem);

  json_builder_begin_object (builder);
  add_controller_members (self, builder);
  json_builder_set_member_name (builder, "id");
  json_builder_begin_object (builder);
  add_string_member (builder, "cert", cert);
  add_string_member (builder, "key", key);
  add_string_member (builder, "ca", ca);
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

/**
 * ze_identity_to_record_json:
 *
 * The record this app keeps for an identity whose key lives elsewhere (the
 * keyring or a hardware token). It is a standard identity file whose
 * `id.key` is the key's reference, plus an `enrollment` object that says how
 * and where it was made. It never holds a private key.
 *
 * Returns: (transfer full): the JSON
 */
JsonNode *
ze_identity_to_record_json (ZeIdentity *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *cert = NULL;
  g_autofree char *ca = NULL;

  g_return_val_if_fail (ZE_IS_IDENTITY (self), NULL);

  cert = pem_value (self->certificate_pem);
  ca = pem_value (self->ca_pem);

  json_builder_begin_object (builder);
  add_controller_members (self, builder);
  json_builder_set_member_name (builder, "id");
  json_builder_begin_object (builder);
  add_string_member (builder, "cert", cert);
  add_string_member (builder, "key", self->key_reference);
  add_string_member (builder, "ca", ca);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "enrollment");
  json_builder_begin_object (builder);
  add_string_member (builder, "name", self->name);
  add_string_member (builder, "store", self->store_kind);
  add_string_member (builder, "method", ze_enroll_method_to_string (self->method));
  json_builder_set_member_name (builder, "pending");
  json_builder_add_boolean_value (builder, self->pending);
  add_string_member (builder, "token_id", self->token_id);
  add_string_member (builder, "username", self->username);
  add_string_member (builder, "controller_fingerprint_sha256", self->controller_fingerprint);
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static JsonObject *
get_object_member (JsonObject *object,
                   const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static const char *
strip_pem_prefix (const char *value)
{
  if (value != NULL && g_str_has_prefix (value, "pem:"))
    return value + 4;

  return value;
}

/**
 * ze_identity_new_from_record_json:
 *
 * Reads back what ze_identity_to_record_json() wrote.
 *
 * Returns: (transfer full): the identity, or %NULL with @error set
 */
ZeIdentity *
ze_identity_new_from_record_json (JsonNode  *node,
                                  GError   **error)
{
  g_autoptr(ZeIdentity) self = NULL;
  JsonObject *root, *id, *enrollment;
  JsonArray *urls;
  const char *name, *method;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    goto bad;

  root = json_node_get_object (node);
  id = get_object_member (root, "id");
  enrollment = get_object_member (root, "enrollment");

  if (id == NULL || enrollment == NULL ||
      !(name = json_object_get_string_member_with_default (enrollment, "name", NULL)))
    goto bad;

  self = ze_identity_new (name);
  self->controller_url = g_strdup (json_object_get_string_member_with_default (root, "ztAPI", NULL));
  if (json_object_has_member (root, "ztAPIs") &&
      JSON_NODE_HOLDS_ARRAY (json_object_get_member (root, "ztAPIs")) &&
      (urls = json_object_get_array_member (root, "ztAPIs")) != NULL)
    {
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

      for (guint i = 0; i < json_array_get_length (urls); i++)
        {
          JsonNode *element = json_array_get_element (urls, i);

          if (JSON_NODE_HOLDS_VALUE (element) &&
              json_node_get_value_type (element) == G_TYPE_STRING)
            g_strv_builder_add (builder, json_node_get_string (element));
        }
      self->controller_urls = g_strv_builder_end (builder);
    }

  self->certificate_pem = g_strdup (strip_pem_prefix (json_object_get_string_member_with_default (id, "cert", NULL)));
  self->ca_pem = g_strdup (strip_pem_prefix (json_object_get_string_member_with_default (id, "ca", NULL)));
  self->key_reference = g_strdup (json_object_get_string_member_with_default (id, "key", NULL));
  self->store_kind = g_strdup (json_object_get_string_member_with_default (enrollment, "store", NULL));
  self->token_id = g_strdup (json_object_get_string_member_with_default (enrollment, "token_id", NULL));
  self->username = g_strdup (json_object_get_string_member_with_default (enrollment, "username", NULL));
  self->controller_fingerprint = g_strdup (json_object_get_string_member_with_default (enrollment, "controller_fingerprint_sha256", NULL));
  self->pending = json_object_get_boolean_member_with_default (enrollment, "pending", FALSE);

  method = json_object_get_string_member_with_default (enrollment, "method", "ott");
  for (int m = ZE_ENROLL_METHOD_OTT; m <= ZE_ENROLL_METHOD_NETWORK; m++)
    {
      if (g_strcmp0 (method, ze_enroll_method_to_string (m)) == 0)
        self->method = m;
    }

  return g_steal_pointer (&self);

bad:
  g_set_error_literal (error, ZE_ERROR, ZE_ERROR_STORAGE_FAILED,
                       _("An identity record is damaged and cannot be read. Remove it and "
                         "enroll again with a new token."));
  return NULL;
}

char *
ze_json_to_string (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  json_generator_set_root (generator, node);
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);

  return json_generator_to_data (generator, NULL);
}
