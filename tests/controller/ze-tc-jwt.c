/* ze-tc-jwt.c: enrollment JWTs, signed like the OpenZiti controller signs them
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include <string.h>

#include "ze-tc-private.h"

char *
ze_tc_base64url (const guint8 *data,
                 gsize         len)
{
  g_autofree char *b64 = g_base64_encode (data, len);
  GString *out = g_string_sized_new (strlen (b64));

  for (const char *p = b64; *p != '\0'; p++)
    {
      if (*p == '+')
        g_string_append_c (out, '-');
      else if (*p == '/')
        g_string_append_c (out, '_');
      else if (*p != '=')
        g_string_append_c (out, *p);
    }

  return g_string_free (out, FALSE);
}

/* The JWS algorithm the Go controller derives from the signer's public key. */
static const char *
signer_algorithm (ZeTcCredential          *signer,
                  gnutls_sign_algorithm_t *out_sign,
                  guint                   *out_coordinate_size,
                  GError                 **error)
{
  unsigned int bits = 0;
  int pk = gnutls_x509_crt_get_pk_algorithm (signer->crt, &bits);

  if (pk == GNUTLS_PK_RSA)
    {
      *out_sign = GNUTLS_SIGN_RSA_SHA256;
      *out_coordinate_size = 0;
      return "RS256";
    }

  if (pk == GNUTLS_PK_ECDSA && bits == 256)
    {
      *out_sign = GNUTLS_SIGN_ECDSA_SHA256;
      *out_coordinate_size = 32;
      return "ES256";
    }

  if (pk == GNUTLS_PK_ECDSA && bits == 384)
    {
      *out_sign = GNUTLS_SIGN_ECDSA_SHA384;
      *out_coordinate_size = 48;
      return "ES384";
    }

  if (pk == GNUTLS_PK_ECDSA && bits == 521)
    {
      *out_sign = GNUTLS_SIGN_ECDSA_SHA512;
      *out_coordinate_size = 66;
      return "ES512";
    }

  g_set_error (error, ZE_TC_ERROR, ZE_TC_ERROR_INVALID,
               "Unsupported signer key (algorithm %d, %u bits)", pk, bits);
  return NULL;
}

/* Appends an unsigned big-endian integer left-padded to @size bytes. */
static gboolean
append_padded (GByteArray           *out,
               const gnutls_datum_t *value,
               guint                 size)
{
  const guint8 *data = value->data;
  guint len = value->size;

  while (len > 0 && data[0] == 0)
    {
      data++;
      len--;
    }

  if (len > size)
    return FALSE;

  for (guint i = len; i < size; i++)
    g_byte_array_append (out, (const guint8 *)"\0", 1);
  g_byte_array_append (out, data, len);

  return TRUE;
}

static char *
node_to_compact_json (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  json_generator_set_root (generator, node);
  json_generator_set_pretty (generator, FALSE);

  return json_generator_to_data (generator, NULL);
}

char *
ze_tc_jwt_sign (ZeTcCredential  *signer,
                JsonNode        *claims,
                GError         **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) header = NULL;
  g_autoptr(GByteArray) raw = g_byte_array_new ();
  g_auto(gnutls_privkey_t) key = NULL;
  g_auto(gnutls_datum_t) signature = { NULL, 0 };
  g_autofree char *header_json = NULL;
  g_autofree char *claims_json = NULL;
  g_autofree char *header_b64 = NULL;
  g_autofree char *claims_b64 = NULL;
  g_autofree char *signing_input = NULL;
  g_autofree char *signature_b64 = NULL;
  gnutls_sign_algorithm_t sign_algo;
  gnutls_datum_t data;
  guint coordinate_size;
  const char *alg;
  int rc;

  if (!(alg = signer_algorithm (signer, &sign_algo, &coordinate_size, error)))
    return NULL;

  /* Go marshals the header map with sorted keys. */
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "alg");
  json_builder_add_string_value (builder, alg);
  json_builder_set_member_name (builder, "kid");
  json_builder_add_string_value (builder, signer->sha1_hex);
  json_builder_set_member_name (builder, "typ");
  json_builder_add_string_value (builder, "JWT");
  json_builder_end_object (builder);
  header = json_builder_get_root (builder);

  header_json = node_to_compact_json (header);
  claims_json = node_to_compact_json (claims);
  header_b64 = ze_tc_base64url ((const guint8 *)header_json, strlen (header_json));
  claims_b64 = ze_tc_base64url ((const guint8 *)claims_json, strlen (claims_json));
  signing_input = g_strconcat (header_b64, ".", claims_b64, NULL);

  data.data = (unsigned char *)signing_input;
  data.size = strlen (signing_input);

  if ((rc = gnutls_privkey_init (&key)) < 0 ||
      (rc = gnutls_privkey_import_x509 (key, signer->key, 0)) < 0 ||
      (rc = gnutls_privkey_sign_data2 (key, sign_algo, 0, &data, &signature)) < 0)
    {
      g_set_error (error, ZE_TC_ERROR, ZE_TC_ERROR_CRYPTO,
                   "Could not sign the token: %s", gnutls_strerror (rc));
      return NULL;
    }

  if (coordinate_size == 0)
    g_byte_array_append (raw, signature.data, signature.size);
  else
    {
      /* JWS wants raw R || S, each left-padded to the curve size, not DER. */
      g_auto(gnutls_datum_t) r = { NULL, 0 };
      g_auto(gnutls_datum_t) s = { NULL, 0 };

      if ((rc = gnutls_decode_rs_value (&signature, &r, &s)) < 0)
        {
          g_set_error (error, ZE_TC_ERROR, ZE_TC_ERROR_CRYPTO,
                       "Could not decode the ECDSA signature: %s", gnutls_strerror (rc));
          return NULL;
        }

      if (!append_padded (raw, &r, coordinate_size) || !append_padded (raw, &s, coordinate_size))
        {
          g_set_error_literal (error, ZE_TC_ERROR, ZE_TC_ERROR_CRYPTO,
                               "ECDSA signature value larger than the curve");
          return NULL;
        }
    }

  signature_b64 = ze_tc_base64url (raw->data, raw->len);

  return g_strconcat (signing_input, ".", signature_b64, NULL);
}

/* Identity enrollment claims, in Go struct order: iss, sub, aud, exp, jti, em, ctrls. */
JsonNode *
ze_tc_jwt_identity_claims (const char *iss,
                           const char *sub,
                           gint64      exp,
                           const char *jti,
                           const char *em)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "iss");
  json_builder_add_string_value (builder, iss);
  json_builder_set_member_name (builder, "sub");
  json_builder_add_string_value (builder, sub);
  json_builder_set_member_name (builder, "aud");
  json_builder_begin_array (builder);
  json_builder_add_string_value (builder, "");
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "exp");
  json_builder_add_int_value (builder, exp);
  json_builder_set_member_name (builder, "jti");
  json_builder_add_string_value (builder, jti);
  json_builder_set_member_name (builder, "em");
  json_builder_add_string_value (builder, em);
  json_builder_set_member_name (builder, "ctrls");
  json_builder_begin_array (builder);
  json_builder_add_string_value (builder, ZE_TC_CTRL_ADDRESS);
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

/* Network and CA JWTs (§2.2): iss with a trailing slash, audience
 * "openziti-enroller", no exp, and ctrls null. */
JsonNode *
ze_tc_jwt_bootstrap_claims (const char *iss_with_slash,
                            const char *sub,
                            const char *jti,
                            const char *em)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "iss");
  json_builder_add_string_value (builder, iss_with_slash);
  json_builder_set_member_name (builder, "sub");
  json_builder_add_string_value (builder, sub);
  json_builder_set_member_name (builder, "aud");
  json_builder_begin_array (builder);
  json_builder_add_string_value (builder, "openziti-enroller");
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "jti");
  json_builder_add_string_value (builder, jti);
  json_builder_set_member_name (builder, "em");
  json_builder_add_string_value (builder, em);
  json_builder_set_member_name (builder, "ctrls");
  json_builder_add_null_value (builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}
