/* ze-token.c
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "ze-error.h"
#include "ze-format.h"
#include "ze-gnutls-private.h"
#include "ze-token.h"

struct _ZeToken
{
  GObject           parent_instance;

  char             *signing_input;   /* "header.payload", what the signature covers */
  GBytes           *signature;

  ZeTokenAlgorithm  algorithm;
  char             *key_id;
  char             *issuer;
  char             *controller_url;  /* https://host:port, no path */
  char             *host;
  int               port;
  char             *subject;
  char             *token_id;
  ZeEnrollMethod    method;
  GStrv             audience;
  GStrv             controllers;
  gint64            expiry;
  guint             has_expiry : 1;
};

G_DEFINE_FINAL_TYPE (ZeToken, ze_token, G_TYPE_OBJECT)

static void
ze_token_finalize (GObject *object)
{
  ZeToken *self = (ZeToken *)object;

  g_clear_pointer (&self->signing_input, g_free);
  g_clear_pointer (&self->signature, g_bytes_unref);
  g_clear_pointer (&self->key_id, g_free);
  g_clear_pointer (&self->issuer, g_free);
  g_clear_pointer (&self->controller_url, g_free);
  g_clear_pointer (&self->host, g_free);
  g_clear_pointer (&self->subject, g_free);
  g_clear_pointer (&self->token_id, g_free);
  g_clear_pointer (&self->audience, g_strfreev);
  g_clear_pointer (&self->controllers, g_strfreev);

  G_OBJECT_CLASS (ze_token_parent_class)->finalize (object);
}

static void
ze_token_class_init (ZeTokenClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ze_token_finalize;
}

static void
ze_token_init (ZeToken *self)
{
  self->port = 443;
}

/* base64url (RFC 4648 §5) without padding, as JWS requires. */
static GBytes *
base64url_decode (const char  *text,
                  gsize        len,
                  GError     **error)
{
  g_autofree guint8 *out = NULL;
  guint32 acc = 0;
  gsize n = 0;
  int bits = 0;

  if (len % 4 == 1)
    goto bad;

  out = g_malloc (len * 3 / 4 + 1);

  for (gsize i = 0; i < len; i++)
    {
      char c = text[i];
      int v;

      if (c >= 'A' && c <= 'Z')
        v = c - 'A';
      else if (c >= 'a' && c <= 'z')
        v = c - 'a' + 26;
      else if (c >= '0' && c <= '9')
        v = c - '0' + 52;
      else if (c == '-')
        v = 62;
      else if (c == '_')
        v = 63;
      else
        goto bad;

      acc = (acc << 6) | (guint32)v;
      bits += 6;

      if (bits >= 8)
        {
          bits -= 8;
          out[n++] = (guint8)((acc >> bits) & 0xff);
        }
    }

  /* The unused low bits of the last character must be zero (canonical form). */
  if ((acc & ((1u << bits) - 1)) != 0)
    goto bad;

  return g_bytes_new_take (g_steal_pointer (&out), n);

bad:
  g_set_error_literal (error, ZE_ERROR, ZE_ERROR_TOKEN_ENCODING,
                       _("This token is damaged: one of its parts is not valid base64url text. "
                         "It may have been cut or changed when it was copied. "
                         "Open the original file, or ask your administrator for a new token."));
  return NULL;
}

static JsonObject *
decode_json_object (const char  *part,
                    gsize        len,
                    const char  *what,
                    GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GBytes) bytes = NULL;
  const char *data;
  JsonNode *root;
  gsize size;

  if (!(bytes = base64url_decode (part, len, error)))
    return NULL;

  data = g_bytes_get_data (bytes, &size);

  if (size == 0 ||
      !g_utf8_validate (data, size, NULL) ||
      !json_parser_load_from_data (parser, data, size, NULL) ||
      (root = json_parser_get_root (parser)) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, ZE_ERROR, ZE_ERROR_TOKEN_NOT_JSON,
                   /* Translators: %s is "header" or "claims" */
                   _("This is not an enrollment token: its %s part is not a JSON object. "
                     "Check that you opened the token file your administrator sent."),
                   what);
      return NULL;
    }

  return json_object_ref (json_node_get_object (root));
}

/* Returns TRUE when @member is absent or null (*out = NULL), or a string. */
static gboolean
get_optional_string (JsonObject  *object,
                     const char  *member,
                     const char **out,
                     GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);

  *out = NULL;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;

  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      *out = json_node_get_string (node);
      return TRUE;
    }

  g_set_error (error, ZE_ERROR, ZE_ERROR_TOKEN_CLAIM_TYPE,
               _("This token is damaged: its “%s” field should be text. "
                 "Ask your administrator for a new token."),
               member);
  return FALSE;
}

/* A string, or an array of strings, or absent/null. */
static gboolean
get_optional_strv (JsonObject  *object,
                   const char  *member,
                   GStrv       *out,
                   GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  *out = NULL;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;

  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      g_strv_builder_add (builder, json_node_get_string (node));
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      guint n = json_array_get_length (array);

      for (guint i = 0; i < n; i++)
        {
          JsonNode *element = json_array_get_element (array, i);

          if (!JSON_NODE_HOLDS_VALUE (element) ||
              json_node_get_value_type (element) != G_TYPE_STRING)
            goto bad;

          g_strv_builder_add (builder, json_node_get_string (element));
        }
    }
  else
    goto bad;

  *out = g_strv_builder_end (builder);
  return TRUE;

bad:
  g_set_error (error, ZE_ERROR, ZE_ERROR_TOKEN_CLAIM_TYPE,
               _("This token is damaged: its “%s” field should be a list of text. "
                 "Ask your administrator for a new token."),
               member);
  return FALSE;
}

static gboolean
parse_algorithm (ZeToken     *self,
                 const char  *alg,
                 GError     **error)
{
  static const struct { const char *name; ZeTokenAlgorithm algorithm; } known[] = {
    { "ES256", ZE_TOKEN_ALGORITHM_ES256 },
    { "ES384", ZE_TOKEN_ALGORITHM_ES384 },
    { "ES512", ZE_TOKEN_ALGORITHM_ES512 },
    { "RS256", ZE_TOKEN_ALGORITHM_RS256 },
  };

  if (alg == NULL)
    {
      g_set_error_literal (error, ZE_ERROR, ZE_ERROR_TOKEN_ALGORITHM,
                           _("This token does not say how it was signed (no “alg” in its header), "
                             "so it cannot be checked. Ask your administrator for a new token."));
      return FALSE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (known); i++)
    {
      if (strcmp (alg, known[i].name) == 0)
        {
          self->algorithm = known[i].algorithm;
          return TRUE;
        }
    }

  if (g_ascii_strcasecmp (alg, "none") == 0)
    g_set_error_literal (error, ZE_ERROR, ZE_ERROR_TOKEN_ALGORITHM,
                         _("This token is not signed (its algorithm is “none”), so nobody can "
                           "vouch for it. OpenZiti controllers always sign their tokens: do not "
                           "use this one, and tell your administrator."));
  else if (g_ascii_strncasecmp (alg, "HS", 2) == 0)
    g_set_error (error, ZE_ERROR, ZE_ERROR_TOKEN_ALGORITHM,
                 _("This token is signed with a shared secret (%s), which cannot prove who "
                   "issued it. OpenZiti controllers sign with their certificate: do not use "
                   "this token, and tell your administrator."),
                 alg);
  else
    g_set_error (error, ZE_ERROR, ZE_ERROR_TOKEN_ALGORITHM,
                 _("This token is signed with “%s”, which OpenZiti controllers do not use "
                   "(they use ES256, ES384, ES512 or RS256). Ask your administrator for a "
                   "new token."),
                 alg);

  return FALSE;
}

static gboolean
parse_issuer (ZeToken     *self,
              const char  *iss,
              GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  const char *host;

  if (iss == NULL || *iss == '\0')
    {
      g_set_error_literal (error, ZE_ERROR, ZE_ERROR_TOKEN_ISSUER,
                           _("This token does not say which controller issued it (no “iss” "
                             "claim). Ask your administrator for a new token."));
      return FALSE;
    }

  uri = g_uri_parse (iss, G_URI_FLAGS_NONE, NULL);

  if (uri == NULL || g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") != 0)
    {
      g_set_error (error, ZE_ERROR, ZE_ERROR_TOKEN_ISSUER,
                   _("This token names its controller as “%s”, which is not an https address. "
                     "Enrollment only ever happens over https. Ask your administrator for a "
                     "new token."),
                   iss);
      return FALSE;
    }

  host = g_uri_get_host (uri);

  if (host == NULL || *host == '\0' || g_uri_get_userinfo (uri) != NULL)
    {
      g_set_error (error, ZE_ERROR, ZE_ERROR_TOKEN_ISSUER,
                   _("This token names its controller as “%s”, which has no usable host name. "
                     "Ask your administrator for a new token."),
                   iss);
      return FALSE;
    }

  self->issuer = g_strdup (iss);
  self->host = g_ascii_strdown (host, -1);
  self->port = g_uri_get_port (uri) > 0 ? g_uri_get_port (uri) : 443;

  if (strchr (self->host, ':') != NULL)
    self->controller_url = g_strdup_printf ("https://[%s]:%d", self->host, self->port);
  else
    self->controller_url = g_strdup_printf ("https://%s:%d", self->host, self->port);

  return TRUE;
}

static gboolean
parse_method (ZeToken     *self,
              const char  *em,
              GError     **error)
{
  static const struct { const char *name; ZeEnrollMethod method; } known[] = {
    { "ott", ZE_ENROLL_METHOD_OTT },
    { "ottca", ZE_ENROLL_METHOD_OTTCA },
    { "ca", ZE_ENROLL_METHOD_CA },
    { "updb", ZE_ENROLL_METHOD_UPDB },
    { "network", ZE_ENROLL_METHOD_NETWORK },
  };

  if (em == NULL || *em == '\0')
    {
      g_set_error_literal (error, ZE_ERROR, ZE_ERROR_TOKEN_METHOD,
                           _("This token does not say how to enroll (no “em” claim). "
                             "Ask your administrator for a new token."));
      return FALSE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (known); i++)
    {
      if (strcmp (em, known[i].name) == 0)
        {
          self->method = known[i].method;
          return TRUE;
        }
    }

  if (strcmp (em, "erott") == 0 || strcmp (em, "trott") == 0)
    g_set_error_literal (error, ZE_ERROR, ZE_ERROR_TOKEN_ROUTER,
                         _("This is a router token: it enrolls an OpenZiti edge router, not "
                           "this computer. Use it on the router with “ziti router enroll”, or "
                           "ask your administrator for an identity token."));
  else
    g_set_error (error, ZE_ERROR, ZE_ERROR_TOKEN_METHOD,
                 _("This token asks for the enrollment method “%s”, which this version does "
                   "not know. Ask your administrator for a one-time-token (ott) enrollment."),
                 em);

  return FALSE;
}

static gboolean
parse_expiry (ZeToken     *self,
              JsonObject  *claims,
              GError     **error)
{
  JsonNode *node = json_object_get_member (claims, "exp");

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;

  if (JSON_NODE_HOLDS_VALUE (node))
    {
      GType type = json_node_get_value_type (node);

      if (type == G_TYPE_INT64)
        {
          self->expiry = json_node_get_int (node);
          self->has_expiry = TRUE;
          return TRUE;
        }

      if (type == G_TYPE_DOUBLE)
        {
          double d = json_node_get_double (node);

          /* NumericDate may carry a fraction; clamp far outside any real date. */
          if (d > -1e15 && d < 1e15)
            {
              self->expiry = (gint64)d;
              self->has_expiry = TRUE;
              return TRUE;
            }
        }
    }

  g_set_error_literal (error, ZE_ERROR, ZE_ERROR_TOKEN_CLAIM_TYPE,
                       _("This token is damaged: its expiry (“exp”) is not a date. "
                         "Ask your administrator for a new token."));
  return FALSE;
}

static gboolean
method_needs_token_id (ZeEnrollMethod method)
{
  return method == ZE_ENROLL_METHOD_OTT ||
         method == ZE_ENROLL_METHOD_OTTCA ||
         method == ZE_ENROLL_METHOD_UPDB;
}

static gboolean
ze_token_parse (ZeToken     *self,
                const char  *text,
                gsize        len,
                GError     **error)
{
  g_autoptr(JsonObject) header = NULL;
  g_autoptr(JsonObject) claims = NULL;
  const char *dot1, *dot2, *end = text + len;
  const char *s;

  if (len == 0)
    {
      g_set_error_literal (error, ZE_ERROR, ZE_ERROR_TOKEN_EMPTY,
                           _("The token is empty. Paste the whole token, or open the .jwt file "
                             "your administrator sent."));
      return FALSE;
    }

  if (g_ascii_strncasecmp (text, "https://", MIN (len, 8)) == 0 && len >= 8)
    {
      g_set_error_literal (error, ZE_ERROR, ZE_ERROR_TOKEN_MALFORMED,
                           _("This is a web address, not an enrollment token. A token is a long "
                             "text in three parts separated by dots, usually in a .jwt file: "
                             "ask your administrator for one."));
      return FALSE;
    }

  dot1 = memchr (text, '.', len);
  dot2 = dot1 != NULL ? memchr (dot1 + 1, '.', end - dot1 - 1) : NULL;

  if (dot1 == NULL || dot2 == NULL || memchr (dot2 + 1, '.', end - dot2 - 1) != NULL ||
      dot1 == text || dot2 == dot1 + 1 || dot2 + 1 == end)
    {
      g_set_error_literal (error, ZE_ERROR, ZE_ERROR_TOKEN_MALFORMED,
                           _("This is not an enrollment token: a token has three parts "
                             "separated by dots. If you copied it, copy all of it again; "
                             "otherwise open the .jwt file your administrator sent."));
      return FALSE;
    }

  if (!(header = decode_json_object (text, dot1 - text, _("header"), error)) ||
      !(claims = decode_json_object (dot1 + 1, dot2 - dot1 - 1, _("claims"), error)))
    return FALSE;

  if (!(self->signature = base64url_decode (dot2 + 1, end - dot2 - 1, error)))
    return FALSE;

  self->signing_input = g_strndup (text, dot2 - text);

  if (!get_optional_string (header, "alg", &s, error) || !parse_algorithm (self, s, error))
    return FALSE;

  if (!get_optional_string (header, "kid", &s, error))
    return FALSE;
  self->key_id = g_strdup (s);

  if (!get_optional_string (claims, "iss", &s, error) || !parse_issuer (self, s, error))
    return FALSE;

  if (!get_optional_string (claims, "em", &s, error) || !parse_method (self, s, error))
    return FALSE;

  if (!get_optional_string (claims, "sub", &s, error))
    return FALSE;
  self->subject = g_strdup (s);

  if (!get_optional_string (claims, "jti", &s, error))
    return FALSE;
  self->token_id = g_strdup (s);

  if (!get_optional_strv (claims, "aud", &self->audience, error) ||
      !get_optional_strv (claims, "ctrls", &self->controllers, error) ||
      !parse_expiry (self, claims, error))
    return FALSE;

  if (method_needs_token_id (self->method) &&
      (self->token_id == NULL || *self->token_id == '\0'))
    {
      g_set_error (error, ZE_ERROR, ZE_ERROR_TOKEN_MISSING_CLAIM,
                   _("This %s token has no token id (no “jti” claim), so the controller "
                     "could not tell which enrollment it is for. Ask your administrator for "
                     "a new token."),
                   ze_enroll_method_to_string (self->method));
      return FALSE;
    }

  if (method_needs_token_id (self->method) &&
      (self->subject == NULL || *self->subject == '\0'))
    {
      g_set_error (error, ZE_ERROR, ZE_ERROR_TOKEN_MISSING_CLAIM,
                   _("This %s token does not name the identity it enrolls (no “sub” claim). "
                     "Ask your administrator for a new token."),
                   ze_enroll_method_to_string (self->method));
      return FALSE;
    }

  return TRUE;
}

/**
 * ze_token_new_from_string:
 * @text: the token text; surrounding white space is ignored
 * @error: a location for a #ZE_ERROR
 *
 * Parses and checks an enrollment token: its shape, its header and claims,
 * the algorithm, the controller address and the enrollment method. It does
 * not look at the expiry (see ze_token_check_expiry()) nor the signature
 * (see ze_token_verify_signature()), so that an expired token can still be
 * shown to the person who has it.
 *
 * Returns: (transfer full): the token, or %NULL with @error set
 */
ZeToken *
ze_token_new_from_string (const char  *text,
                          GError     **error)
{
  g_autoptr(ZeToken) self = NULL;
  gsize len;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  len = strlen (text);

  if (len > ZE_TOKEN_MAX_SIZE)
    {
      g_set_error (error, ZE_ERROR, ZE_ERROR_TOKEN_TOO_LARGE,
                   _("This is too large to be an enrollment token (%zu bytes; tokens are "
                     "smaller than %d KiB). Check that you opened the right file."),
                   len, ZE_TOKEN_MAX_SIZE / 1024);
      return NULL;
    }

  while (len > 0 && g_ascii_isspace (*text))
    text++, len--;
  while (len > 0 && g_ascii_isspace (text[len - 1]))
    len--;

  self = g_object_new (ZE_TYPE_TOKEN, NULL);

  if (!ze_token_parse (self, text, len, error))
    return NULL;

  return g_steal_pointer (&self);
}

/**
 * ze_token_new_from_bytes:
 * @bytes: the contents of a token file
 * @error: a location for a #ZE_ERROR
 *
 * Like ze_token_new_from_string(), for data read from a file: a NUL byte or
 * an oversized file is refused before anything is parsed.
 *
 * Returns: (transfer full): the token, or %NULL with @error set
 */
ZeToken *
ze_token_new_from_bytes (GBytes  *bytes,
                         GError **error)
{
  g_autofree char *text = NULL;
  const char *data;
  gsize len;

  g_return_val_if_fail (bytes != NULL, NULL);

  data = g_bytes_get_data (bytes, &len);

  if (len > ZE_TOKEN_MAX_SIZE)
    {
      g_set_error (error, ZE_ERROR, ZE_ERROR_TOKEN_TOO_LARGE,
                   _("This is too large to be an enrollment token (%zu bytes; tokens are "
                     "smaller than %d KiB). Check that you opened the right file."),
                   len, ZE_TOKEN_MAX_SIZE / 1024);
      return NULL;
    }

  if (len > 0 && memchr (data, '\0', len) != NULL)
    {
      g_set_error_literal (error, ZE_ERROR, ZE_ERROR_TOKEN_MALFORMED,
                           _("This is not an enrollment token: it holds binary data. "
                             "Check that you opened the .jwt file your administrator sent."));
      return NULL;
    }

  /* An empty file has no data at all: g_strndup (NULL, 0) would be NULL. */
  text = g_strndup (len > 0 ? data : "", len);

  return ze_token_new_from_string (text, error);
}

ZeTokenAlgorithm
ze_token_get_algorithm (ZeToken *self)
{
  g_return_val_if_fail (ZE_IS_TOKEN (self), 0);

  return self->algorithm;
}

const char *
ze_token_get_key_id (ZeToken *self)
{
  g_return_val_if_fail (ZE_IS_TOKEN (self), NULL);

  return self->key_id;
}

/**
 * ze_token_get_issuer:
 *
 * Returns: the `iss` claim exactly as the token has it
 */
const char *
ze_token_get_issuer (ZeToken *self)
{
  g_return_val_if_fail (ZE_IS_TOKEN (self), NULL);

  return self->issuer;
}

/**
 * ze_token_get_controller_url:
 *
 * Returns: `https://HOST:PORT`, with the default port filled in and no path
 */
const char *
ze_token_get_controller_url (ZeToken *self)
{
  g_return_val_if_fail (ZE_IS_TOKEN (self), NULL);

  return self->controller_url;
}

const char *
ze_token_get_host (ZeToken *self)
{
  g_return_val_if_fail (ZE_IS_TOKEN (self), NULL);

  return self->host;
}

int
ze_token_get_port (ZeToken *self)
{
  g_return_val_if_fail (ZE_IS_TOKEN (self), 0);

  return self->port;
}

/**
 * ze_token_dup_host_and_port:
 *
 * Returns: (transfer full): "host:port", with brackets around an IPv6 address
 */
char *
ze_token_dup_host_and_port (ZeToken *self)
{
  g_return_val_if_fail (ZE_IS_TOKEN (self), NULL);

  return g_strdup (self->controller_url + strlen ("https://"));
}

const char *
ze_token_get_subject (ZeToken *self)
{
  g_return_val_if_fail (ZE_IS_TOKEN (self), NULL);

  return self->subject;
}

const char *
ze_token_get_token_id (ZeToken *self)
{
  g_return_val_if_fail (ZE_IS_TOKEN (self), NULL);

  return self->token_id;
}

ZeEnrollMethod
ze_token_get_method (ZeToken *self)
{
  g_return_val_if_fail (ZE_IS_TOKEN (self), 0);

  return self->method;
}

const char * const *
ze_token_get_audience (ZeToken *self)
{
  g_return_val_if_fail (ZE_IS_TOKEN (self), NULL);

  return (const char * const *)self->audience;
}

const char * const *
ze_token_get_controllers (ZeToken *self)
{
  g_return_val_if_fail (ZE_IS_TOKEN (self), NULL);

  return (const char * const *)self->controllers;
}

gboolean
ze_token_has_expiry (ZeToken *self)
{
  g_return_val_if_fail (ZE_IS_TOKEN (self), FALSE);

  return self->has_expiry;
}

/**
 * ze_token_get_expiry:
 *
 * Returns: the `exp` claim in unix seconds, or 0 when the token has none
 */
gint64
ze_token_get_expiry (ZeToken *self)
{
  g_return_val_if_fail (ZE_IS_TOKEN (self), 0);

  return self->has_expiry ? self->expiry : 0;
}

gboolean
ze_token_is_expired (ZeToken *self,
                     gint64   now)
{
  g_return_val_if_fail (ZE_IS_TOKEN (self), TRUE);

  return self->has_expiry && self->expiry <= now;
}

/**
 * ze_token_check_expiry:
 * @self: a #ZeToken
 * @now: the current unix time, in seconds
 * @error: a location for a #ZE_ERROR
 *
 * Returns: %TRUE if the token has not expired; otherwise %FALSE with
 *   %ZE_ERROR_TOKEN_EXPIRED, whose message gives the date
 */
gboolean
ze_token_check_expiry (ZeToken  *self,
                       gint64    now,
                       GError  **error)
{
  g_autofree char *date = NULL;
  g_autofree char *ago = NULL;

  g_return_val_if_fail (ZE_IS_TOKEN (self), FALSE);

  if (!ze_token_is_expired (self, now))
    return TRUE;

  date = ze_format_utc_date (self->expiry);
  ago = ze_format_relative_time (self->expiry, now);
  g_set_error (error, ZE_ERROR, ZE_ERROR_TOKEN_EXPIRED,
               /* Translators: the first %s is like "3 days ago", the second a date */
               _("This token expired %s (%s). A token can only be used before its expiry: "
                 "ask your administrator for a new one."),
               ago, date);
  return FALSE;
}

/**
 * ze_token_verify_signature:
 * @self: a #ZeToken
 * @certificate: the controller's leaf certificate, DER or PEM
 * @error: a location for a #ZE_ERROR
 *
 * Checks that the token was signed by the key of @certificate, as the
 * OpenZiti SDKs do with the leaf the controller serves at `iss`: ES256,
 * ES384 and ES512 signatures are raw R‖S, RS256 is PKCS#1 v1.5, and the
 * token's `alg` must match the certificate's key type and curve.
 *
 * Returns: %TRUE if the signature verifies
 */
gboolean
ze_token_verify_signature (ZeToken  *self,
                           GBytes   *certificate,
                           GError  **error)
{
  g_auto(gnutls_x509_crt_t) crt = NULL;
  g_auto(gnutls_pubkey_t) pubkey = NULL;
  g_auto(gnutls_datum_t) der_signature = { NULL, 0 };
  gnutls_datum_t data, signature;
  gnutls_sign_algorithm_t sign_algorithm;
  gnutls_ecc_curve_t want_curve = GNUTLS_ECC_CURVE_INVALID;
  gnutls_ecc_curve_t curve;
  gnutls_pk_algorithm_t pk;
  const guint8 *cert_data;
  const guint8 *sig;
  gsize cert_len, sig_len, half = 0;

  g_return_val_if_fail (ZE_IS_TOKEN (self), FALSE);
  g_return_val_if_fail (certificate != NULL, FALSE);

  cert_data = g_bytes_get_data (certificate, &cert_len);

  if (gnutls_x509_crt_init (&crt) < 0 ||
      ze_gnutls_crt_import_any (crt, cert_data, cert_len) < 0 ||
      gnutls_pubkey_init (&pubkey) < 0 ||
      gnutls_pubkey_import_x509 (pubkey, crt, 0) < 0)
    {
      g_set_error_literal (error, ZE_ERROR, ZE_ERROR_CERTIFICATE_INVALID,
                           _("The controller’s certificate could not be read, so the token "
                             "cannot be checked against it."));
      return FALSE;
    }

  pk = gnutls_pubkey_get_pk_algorithm (pubkey, NULL);

  switch (self->algorithm)
    {
    case ZE_TOKEN_ALGORITHM_ES256:
      want_curve = GNUTLS_ECC_CURVE_SECP256R1, half = 32;
      sign_algorithm = GNUTLS_SIGN_ECDSA_SHA256;
      break;
    case ZE_TOKEN_ALGORITHM_ES384:
      want_curve = GNUTLS_ECC_CURVE_SECP384R1, half = 48;
      sign_algorithm = GNUTLS_SIGN_ECDSA_SHA384;
      break;
    case ZE_TOKEN_ALGORITHM_ES512:
      want_curve = GNUTLS_ECC_CURVE_SECP521R1, half = 66;
      sign_algorithm = GNUTLS_SIGN_ECDSA_SHA512;
      break;
    case ZE_TOKEN_ALGORITHM_RS256:
      sign_algorithm = GNUTLS_SIGN_RSA_SHA256;
      break;
    default:
      g_assert_not_reached ();
    }

  if (want_curve != GNUTLS_ECC_CURVE_INVALID)
    {
      if (pk != GNUTLS_PK_ECDSA ||
          gnutls_pubkey_export_ecc_raw (pubkey, &curve, NULL, NULL) < 0 ||
          curve != want_curve)
        goto mismatch;
    }
  else if (pk != GNUTLS_PK_RSA)
    goto mismatch;

  sig = g_bytes_get_data (self->signature, &sig_len);

  if (half > 0)
    {
      gnutls_datum_t r = { (unsigned char *)sig, (unsigned int)half };
      gnutls_datum_t s = { (unsigned char *)sig + half, (unsigned int)half };

      if (sig_len != 2 * half || gnutls_encode_rs_value (&der_signature, &r, &s) < 0)
        goto invalid;

      signature = der_signature;
    }
  else
    {
      signature.data = (unsigned char *)sig;
      signature.size = (unsigned int)sig_len;
    }

  data.data = (unsigned char *)self->signing_input;
  data.size = (unsigned int)strlen (self->signing_input);

  if (gnutls_pubkey_verify_data2 (pubkey, sign_algorithm, 0, &data, &signature) < 0)
    goto invalid;

  return TRUE;

mismatch:
  g_set_error (error, ZE_ERROR, ZE_ERROR_SIGNATURE_KEY_MISMATCH,
               _("This token says it was signed with %s, but the controller at %s has a "
                 "different kind of key. The token was not issued by this server, or the "
                 "connection is being intercepted. Do not enroll; tell your administrator."),
               ze_token_algorithm_to_string (self->algorithm), self->host);
  return FALSE;

invalid:
  g_set_error (error, ZE_ERROR, ZE_ERROR_SIGNATURE_INVALID,
               _("This token was not issued by the server at %s: its signature does not "
                 "match the server’s certificate. The usual cause is a proxy or an attacker "
                 "between you and the controller. Do not enroll; tell your administrator."),
               self->host);
  return FALSE;
}

const char *
ze_enroll_method_to_string (ZeEnrollMethod method)
{
  switch (method)
    {
    case ZE_ENROLL_METHOD_OTT:     return "ott";
    case ZE_ENROLL_METHOD_OTTCA:   return "ottca";
    case ZE_ENROLL_METHOD_CA:      return "ca";
    case ZE_ENROLL_METHOD_UPDB:    return "updb";
    case ZE_ENROLL_METHOD_NETWORK: return "network";
    default:                       return "unknown";
    }
}

/**
 * ze_enroll_method_describe:
 *
 * Returns: a short translated description of @method for people
 */
const char *
ze_enroll_method_describe (ZeEnrollMethod method)
{
  switch (method)
    {
    case ZE_ENROLL_METHOD_OTT:     return _("One-time token");
    case ZE_ENROLL_METHOD_OTTCA:   return _("One-time token with your certificate");
    case ZE_ENROLL_METHOD_CA:      return _("Your certificate authority");
    case ZE_ENROLL_METHOD_UPDB:    return _("User name and password");
    case ZE_ENROLL_METHOD_NETWORK: return _("Network bootstrap");
    default:                       return _("Unknown");
    }
}

const char *
ze_token_algorithm_to_string (ZeTokenAlgorithm algorithm)
{
  switch (algorithm)
    {
    case ZE_TOKEN_ALGORITHM_ES256: return "ES256";
    case ZE_TOKEN_ALGORITHM_ES384: return "ES384";
    case ZE_TOKEN_ALGORITHM_ES512: return "ES512";
    case ZE_TOKEN_ALGORITHM_RS256: return "RS256";
    default:                       return "unknown";
    }
}
