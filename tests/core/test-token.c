/* test-token.c: parsing, checking and verifying enrollment tokens
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <string.h>

#include "zitienroll.h"
#include "ze-test-util.h"

/* 2026-12-01 00:00:00 UTC, so the tests do not depend on the clock. */
#define NOW G_GINT64_CONSTANT (1795996800)

static GBytes *
read_data_bytes (const char *name)
{
  char *contents = ze_test_read_data (name);

  return g_bytes_new_take (contents, strlen (contents));
}

#define ES256 "{\"alg\":\"ES256\",\"kid\":\"5b0d0d0a3f2e3c7f6f0e1c2b3a4d5e6f708192a3\",\"typ\":\"JWT\"}"
#define CLAIMS(em, extra) \
  "{\"iss\":\"https://ctrl.example.com:1280\",\"sub\":\"Qk3f9Zp2a\",\"aud\":[\"\"]," \
  "\"exp\":1798761600,\"jti\":\"6f1d2c3e-8a4b-4c2d-9e1f-0a1b2c3d4e5f\",\"em\":\"" em "\"" extra "}"

/* One row per case of the shape/claims table. */
typedef struct
{
  const char *name;
  const char *header;        /* JSON, or NULL to use @raw */
  const char *claims;
  const char *raw;           /* a literal token text */
  int         expected;      /* a ZeError code, or -1 for success */
} TokenCase;

static const TokenCase token_cases[] = {
  { "valid/current-controller", ES256, CLAIMS ("ott", ",\"ctrls\":[\"tls:ctrl.example.com:6262\"]"), NULL, -1 },
  { "valid/claims-any-order", "{\"typ\":\"JWT\",\"alg\":\"ES384\"}",
    "{\"em\":\"ott\",\"jti\":\"j1\",\"sub\":\"s1\",\"exp\":1798761600,\"iss\":\"https://c.example.org\"}", NULL, -1 },
  { "valid/no-optional-claims", "{\"alg\":\"RS256\"}",
    "{\"iss\":\"https://c.example.org:8441\",\"sub\":\"s\",\"jti\":\"j\",\"em\":\"ott\"}", NULL, -1 },
  { "valid/ctrls-null", ES256, CLAIMS ("ott", ",\"ctrls\":null"), NULL, -1 },
  { "valid/aud-string", ES256,
    "{\"iss\":\"https://c.example.org\",\"sub\":\"s\",\"aud\":\"x\",\"jti\":\"j\",\"em\":\"ott\"}", NULL, -1 },
  { "valid/ottca", ES256, CLAIMS ("ottca", ""), NULL, -1 },
  { "valid/updb", ES256, CLAIMS ("updb", ""), NULL, -1 },
  { "valid/ca-without-jti", "{\"alg\":\"ES256\"}",
    "{\"iss\":\"https://c.example.org/\",\"sub\":\"ca1\",\"aud\":[\"openziti-enroller\"],\"em\":\"ca\"}", NULL, -1 },
  { "valid/network-without-exp", "{\"alg\":\"ES256\"}",
    "{\"iss\":\"https://c.example.org/\",\"sub\":\"https://c.example.org/\",\"em\":\"network\",\"ctrls\":null}", NULL, -1 },
  { "valid/ipv6-issuer", ES256,
    "{\"iss\":\"https://[::1]:1280\",\"sub\":\"s\",\"jti\":\"j\",\"em\":\"ott\"}", NULL, -1 },
  { "valid/fractional-exp", ES256,
    "{\"iss\":\"https://c.example.org\",\"sub\":\"s\",\"jti\":\"j\",\"em\":\"ott\",\"exp\":1798761600.5}", NULL, -1 },
  { "shape/empty", NULL, NULL, "", ZE_ERROR_TOKEN_EMPTY },
  { "shape/blank", NULL, NULL, " \n\t ", ZE_ERROR_TOKEN_EMPTY },
  { "shape/one-part", NULL, NULL, "eyJhbGciOiJFUzI1NiJ9", ZE_ERROR_TOKEN_MALFORMED },
  { "shape/two-parts", NULL, NULL, "eyJhbGciOiJFUzI1NiJ9.e30", ZE_ERROR_TOKEN_MALFORMED },
  { "shape/four-parts", NULL, NULL, "eyJhbGciOiJFUzI1NiJ9.e30.AA.AA", ZE_ERROR_TOKEN_MALFORMED },
  { "shape/empty-signature", NULL, NULL, "eyJhbGciOiJFUzI1NiJ9.e30.", ZE_ERROR_TOKEN_MALFORMED },
  { "shape/empty-header", NULL, NULL, ".e30.AAAA", ZE_ERROR_TOKEN_MALFORMED },
  { "shape/url-not-token", NULL, NULL, "https://ctrl.example.com/enroll", ZE_ERROR_TOKEN_MALFORMED },
  { "encoding/standard-base64-chars", NULL, NULL, "eyJhbGciOiJFUzI1NiJ9.e30+.AAAA", ZE_ERROR_TOKEN_ENCODING },
  { "encoding/padding", NULL, NULL, "eyJhbGciOiJFUzI1NiJ9.e30=.AAAA", ZE_ERROR_TOKEN_ENCODING },
  { "encoding/inner-space", NULL, NULL, "eyJhbGciOi JFUzI1NiJ9.e30.AAAA", ZE_ERROR_TOKEN_ENCODING },
  { "encoding/impossible-length", NULL, NULL, "eyJhbGciOiJFUzI1NiJ9.e30.A", ZE_ERROR_TOKEN_ENCODING },
  { "json/header-not-json", "not json", CLAIMS ("ott", ""), NULL, ZE_ERROR_TOKEN_NOT_JSON },
  { "json/claims-array", ES256, "[1,2,3]", NULL, ZE_ERROR_TOKEN_NOT_JSON },
  { "json/claims-string", ES256, "\"ott\"", NULL, ZE_ERROR_TOKEN_NOT_JSON },
  { "alg/none", "{\"alg\":\"none\"}", CLAIMS ("ott", ""), NULL, ZE_ERROR_TOKEN_ALGORITHM },
  { "alg/HS256", "{\"alg\":\"HS256\"}", CLAIMS ("ott", ""), NULL, ZE_ERROR_TOKEN_ALGORITHM },
  { "alg/PS256", "{\"alg\":\"PS256\"}", CLAIMS ("ott", ""), NULL, ZE_ERROR_TOKEN_ALGORITHM },
  { "alg/missing", "{\"typ\":\"JWT\"}", CLAIMS ("ott", ""), NULL, ZE_ERROR_TOKEN_ALGORITHM },
  { "alg/lowercase", "{\"alg\":\"es256\"}", CLAIMS ("ott", ""), NULL, ZE_ERROR_TOKEN_ALGORITHM },
  { "alg/not-string", "{\"alg\":256}", CLAIMS ("ott", ""), NULL, ZE_ERROR_TOKEN_CLAIM_TYPE },
  { "iss/http", ES256, "{\"iss\":\"http://c.example.org\",\"sub\":\"s\",\"jti\":\"j\",\"em\":\"ott\"}", NULL, ZE_ERROR_TOKEN_ISSUER },
  { "iss/no-host", ES256, "{\"iss\":\"https://\",\"sub\":\"s\",\"jti\":\"j\",\"em\":\"ott\"}", NULL, ZE_ERROR_TOKEN_ISSUER },
  { "iss/not-url", ES256, "{\"iss\":\"ctrl.example.com:1280\",\"sub\":\"s\",\"jti\":\"j\",\"em\":\"ott\"}", NULL, ZE_ERROR_TOKEN_ISSUER },
  { "iss/userinfo", ES256, "{\"iss\":\"https://u:p@c.example.org\",\"sub\":\"s\",\"jti\":\"j\",\"em\":\"ott\"}", NULL, ZE_ERROR_TOKEN_ISSUER },
  { "iss/missing", ES256, "{\"sub\":\"s\",\"jti\":\"j\",\"em\":\"ott\"}", NULL, ZE_ERROR_TOKEN_ISSUER },
  { "iss/number", ES256, "{\"iss\":443,\"sub\":\"s\",\"jti\":\"j\",\"em\":\"ott\"}", NULL, ZE_ERROR_TOKEN_CLAIM_TYPE },
  { "em/erott", ES256, CLAIMS ("erott", ""), NULL, ZE_ERROR_TOKEN_ROUTER },
  { "em/trott", ES256, CLAIMS ("trott", ""), NULL, ZE_ERROR_TOKEN_ROUTER },
  { "em/unknown", ES256, CLAIMS ("magic", ""), NULL, ZE_ERROR_TOKEN_METHOD },
  { "em/missing", ES256, "{\"iss\":\"https://c.example.org\",\"sub\":\"s\",\"jti\":\"j\"}", NULL, ZE_ERROR_TOKEN_METHOD },
  { "jti/missing-for-ott", ES256, "{\"iss\":\"https://c.example.org\",\"sub\":\"s\",\"em\":\"ott\"}", NULL, ZE_ERROR_TOKEN_MISSING_CLAIM },
  { "jti/missing-for-updb", ES256, "{\"iss\":\"https://c.example.org\",\"sub\":\"s\",\"em\":\"updb\"}", NULL, ZE_ERROR_TOKEN_MISSING_CLAIM },
  { "sub/missing-for-ott", ES256, "{\"iss\":\"https://c.example.org\",\"jti\":\"j\",\"em\":\"ott\"}", NULL, ZE_ERROR_TOKEN_MISSING_CLAIM },
  { "exp/string", ES256, "{\"iss\":\"https://c.example.org\",\"sub\":\"s\",\"jti\":\"j\",\"em\":\"ott\",\"exp\":\"tomorrow\"}", NULL, ZE_ERROR_TOKEN_CLAIM_TYPE },
  { "aud/number", ES256, "{\"iss\":\"https://c.example.org\",\"sub\":\"s\",\"jti\":\"j\",\"em\":\"ott\",\"aud\":[1]}", NULL, ZE_ERROR_TOKEN_CLAIM_TYPE },
  { "ctrls/object", ES256, CLAIMS ("ott", ",\"ctrls\":{}"), NULL, ZE_ERROR_TOKEN_CLAIM_TYPE },
};

static void
test_token_case (gconstpointer data)
{
  const TokenCase *tc = data;
  g_autofree char *text = NULL;
  g_autoptr(ZeToken) token = NULL;
  g_autoptr(GError) error = NULL;

  text = tc->raw != NULL ? g_strdup (tc->raw) : ze_test_make_token (tc->header, tc->claims);
  token = ze_token_new_from_string (text, &error);

  if (tc->expected < 0)
    {
      g_assert_no_error (error);
      g_assert_true (ZE_IS_TOKEN (token));
      g_assert_true (g_str_has_prefix (ze_token_get_controller_url (token), "https://"));
    }
  else
    {
      g_assert_error (error, ZE_ERROR, tc->expected);
      g_assert_null (token);
      /* Every failure has a sentence for a person, not a bare code. */
      g_assert_cmpuint (strlen (error->message), >, 40);
      g_assert_true (g_str_has_suffix (error->message, "."));
      /* ...and never echoes the token back. */
      if (strlen (text) > 8)
        g_assert_null (strstr (error->message, text));
    }
}

static void
test_token_router_message (void)
{
  g_autofree char *text = ze_test_make_token (ES256, CLAIMS ("erott", ""));
  g_autoptr(GError) error = NULL;
  g_autoptr(ZeToken) token = ze_token_new_from_string (text, &error);

  g_assert_null (token);
  g_assert_error (error, ZE_ERROR, ZE_ERROR_TOKEN_ROUTER);
  g_assert_nonnull (strstr (error->message, "router token"));
}

static void
test_token_claims (void)
{
  g_autofree char *text = ze_test_make_token (ES256, CLAIMS ("ott", ",\"ctrls\":[\"tls:a:6262\",\"tls:b:6262\"]"));
  g_autoptr(GError) error = NULL;
  g_autoptr(ZeToken) token = ze_token_new_from_string (text, &error);
  g_autofree char *host_port = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (ze_token_get_algorithm (token), ==, ZE_TOKEN_ALGORITHM_ES256);
  g_assert_cmpstr (ze_token_get_key_id (token), ==, "5b0d0d0a3f2e3c7f6f0e1c2b3a4d5e6f708192a3");
  g_assert_cmpstr (ze_token_get_issuer (token), ==, "https://ctrl.example.com:1280");
  g_assert_cmpstr (ze_token_get_controller_url (token), ==, "https://ctrl.example.com:1280");
  g_assert_cmpstr (ze_token_get_host (token), ==, "ctrl.example.com");
  g_assert_cmpint (ze_token_get_port (token), ==, 1280);
  host_port = ze_token_dup_host_and_port (token);
  g_assert_cmpstr (host_port, ==, "ctrl.example.com:1280");
  g_assert_cmpstr (ze_token_get_subject (token), ==, "Qk3f9Zp2a");
  g_assert_cmpstr (ze_token_get_token_id (token), ==, "6f1d2c3e-8a4b-4c2d-9e1f-0a1b2c3d4e5f");
  g_assert_cmpint (ze_token_get_method (token), ==, ZE_ENROLL_METHOD_OTT);
  g_assert_cmpuint (g_strv_length ((GStrv)ze_token_get_audience (token)), ==, 1);
  g_assert_cmpstr (ze_token_get_audience (token)[0], ==, "");
  g_assert_cmpuint (g_strv_length ((GStrv)ze_token_get_controllers (token)), ==, 2);
  g_assert_cmpstr (ze_token_get_controllers (token)[1], ==, "tls:b:6262");
  g_assert_true (ze_token_has_expiry (token));
  g_assert_cmpint (ze_token_get_expiry (token), ==, 1798761600);
  g_assert_false (ze_token_is_expired (token, NOW));
  g_assert_true (ze_token_check_expiry (token, NOW, &error));
  g_assert_true (ze_token_is_expired (token, 1798761600));
}

static void
test_token_default_port (void)
{
  g_autofree char *text = ze_test_make_token (ES256, "{\"iss\":\"https://Ctrl.Example.COM\",\"sub\":\"s\",\"jti\":\"j\",\"em\":\"ott\"}");
  g_autoptr(GError) error = NULL;
  g_autoptr(ZeToken) token = ze_token_new_from_string (text, &error);

  g_assert_no_error (error);
  g_assert_cmpint (ze_token_get_port (token), ==, 443);
  g_assert_cmpstr (ze_token_get_host (token), ==, "ctrl.example.com");
  g_assert_cmpstr (ze_token_get_controller_url (token), ==, "https://ctrl.example.com:443");
  g_assert_false (ze_token_has_expiry (token));
  g_assert_false (ze_token_is_expired (token, G_MAXINT64));
}

static void
test_token_whitespace (void)
{
  g_autofree char *text = ze_test_make_token (ES256, CLAIMS ("ott", ""));
  g_autofree char *padded = g_strdup_printf ("\n  %s\r\n", text);
  g_autoptr(GError) error = NULL;
  g_autoptr(ZeToken) token = ze_token_new_from_string (padded, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (ze_token_get_subject (token), ==, "Qk3f9Zp2a");
}

static void
test_token_too_large (void)
{
  g_autofree char *claims = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ZeToken) token = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *pad = g_strnfill (ZE_TOKEN_MAX_SIZE, 'x');

  claims = g_strdup_printf (CLAIMS ("ott", ",\"pad\":\"%s\""), pad);
  text = ze_test_make_token (ES256, claims);
  token = ze_token_new_from_string (text, &error);
  g_assert_error (error, ZE_ERROR, ZE_ERROR_TOKEN_TOO_LARGE);
  g_assert_null (token);
  g_clear_error (&error);

  bytes = g_bytes_new (text, strlen (text));
  token = ze_token_new_from_bytes (bytes, &error);
  g_assert_error (error, ZE_ERROR, ZE_ERROR_TOKEN_TOO_LARGE);
  g_assert_null (token);
}

static void
test_token_nul_byte (void)
{
  static const char data[] = "eyJhbGciOiJFUzI1NiJ9\0.e30.AAAA";
  g_autoptr(GBytes) bytes = g_bytes_new_static (data, sizeof data - 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(ZeToken) token = ze_token_new_from_bytes (bytes, &error);

  g_assert_error (error, ZE_ERROR, ZE_ERROR_TOKEN_MALFORMED);
  g_assert_null (token);
}

/* An empty file (found by tests/fuzz/fuzz-token.c: it crashed the command line). */
static void
test_token_empty_bytes (void)
{
  g_autoptr(GBytes) bytes = g_bytes_new (NULL, 0);
  g_autoptr(GError) error = NULL;
  g_autoptr(ZeToken) token = ze_token_new_from_bytes (bytes, &error);

  g_assert_error (error, ZE_ERROR, ZE_ERROR_TOKEN_EMPTY);
  g_assert_null (token);
}

static void
test_token_expired (void)
{
  g_autofree char *text = ze_test_make_token (ES256, CLAIMS ("ott", ""));
  g_autoptr(GError) error = NULL;
  g_autoptr(ZeToken) token = ze_token_new_from_string (text, &error);

  g_assert_no_error (error);
  /* Three days after the expiry. */
  g_assert_false (ze_token_check_expiry (token, 1798761600 + 3 * 86400, &error));
  g_assert_error (error, ZE_ERROR, ZE_ERROR_TOKEN_EXPIRED);
  g_assert_nonnull (strstr (error->message, "3 days ago"));
  g_assert_nonnull (strstr (error->message, "2027-01-01 00:00:00 UTC"));
  g_assert_cmpint (ze_error_exit_status (error), ==, 3);
}

/* TV1: a production controller's RS256 token, every claim as the C SDK's test has it. */
static void
test_token_tv1 (void)
{
  g_autofree char *text = ze_test_read_data ("tv1-rs256-production.jwt");
  g_autoptr(GError) error = NULL;
  g_autoptr(ZeToken) token = ze_token_new_from_string (text, &error);

  g_assert_no_error (error);
  g_assert_cmpint (ze_token_get_algorithm (token), ==, ZE_TOKEN_ALGORITHM_RS256);
  g_assert_cmpstr (ze_token_get_key_id (token), ==, "e0c6ae91c14c9c95b8c0a523686a371c8f50e140");
  g_assert_cmpstr (ze_token_get_issuer (token), ==,
                   "https://fd200fd3-a2d9-457f-bc0b-f9b8ee7d2898.production.netfoundry.io:443");
  g_assert_cmpstr (ze_token_get_host (token), ==,
                   "fd200fd3-a2d9-457f-bc0b-f9b8ee7d2898.production.netfoundry.io");
  g_assert_cmpint (ze_token_get_port (token), ==, 443);
  g_assert_cmpstr (ze_token_get_subject (token), ==, "AZ5jYB-0F");
  g_assert_cmpstr (ze_token_get_token_id (token), ==, "09297479-4894-40a0-bb42-9030d4bdd05a");
  g_assert_cmpint (ze_token_get_method (token), ==, ZE_ENROLL_METHOD_OTT);
  g_assert_cmpint (ze_token_get_expiry (token), ==, 1704661695);
  g_assert_cmpstr (ze_token_get_audience (token)[0], ==, "");
  g_assert_null (ze_token_get_controllers (token));
  g_assert_true (ze_token_is_expired (token, NOW));
  g_assert_false (ze_token_check_expiry (token, NOW, &error));
  g_assert_error (error, ZE_ERROR, ZE_ERROR_TOKEN_EXPIRED);
  g_assert_nonnull (strstr (error->message, "2024-01-07 21:08:15 UTC"));
}

/* TV2: an older controller's ES256 token (no kid, aud or ctrls; claims sorted). */
static void
test_token_tv2_verifies (void)
{
  g_autofree char *text = ze_test_read_data ("tv2-es256.jwt");
  g_autoptr(GBytes) leaf = read_data_bytes ("tv2-leaf.pem");
  g_autoptr(GError) error = NULL;
  g_autoptr(ZeToken) token = ze_token_new_from_string (text, &error);

  g_assert_no_error (error);
  g_assert_null (ze_token_get_key_id (token));
  g_assert_null (ze_token_get_audience (token));
  g_assert_cmpstr (ze_token_get_issuer (token), ==, "https://ctrl.clint.demo.openziti.org:8441");
  g_assert_cmpstr (ze_token_get_subject (token), ==, "ymLGeIPi4");
  g_assert_cmpstr (ze_token_get_token_id (token), ==, "59d19808-3a12-435a-a373-bce0e1f72198");
  g_assert_cmpint (ze_token_get_expiry (token), ==, 1681324898);

  g_assert_true (ze_token_verify_signature (token, leaf, &error));
  g_assert_no_error (error);
}

static void
test_token_tv2_badsig (void)
{
  g_autofree char *text = ze_test_read_data ("tv2-es256-badsig.jwt");
  g_autoptr(GBytes) leaf = read_data_bytes ("tv2-leaf.pem");
  g_autoptr(GError) error = NULL;
  g_autoptr(ZeToken) token = ze_token_new_from_string (text, &error);

  g_assert_no_error (error);
  g_assert_false (ze_token_verify_signature (token, leaf, &error));
  g_assert_error (error, ZE_ERROR, ZE_ERROR_SIGNATURE_INVALID);
  g_assert_nonnull (strstr (error->message, "ctrl.clint.demo.openziti.org"));
  g_assert_cmpint (ze_error_exit_status (error), ==, 4);
}

/* The same signing input and signature, re-labelled: alg must match the key. */
static void
test_token_alg_key_mismatch (gconstpointer data)
{
  const char *alg = data;
  g_autofree char *text = ze_test_read_data ("tv2-es256.jwt");
  g_autoptr(GBytes) leaf = read_data_bytes ("tv2-leaf.pem");
  g_autofree char *header_json = g_strdup_printf ("{\"alg\":\"%s\",\"typ\":\"JWT\"}", alg);
  g_autofree char *header = ze_test_b64url (header_json);
  g_autofree char *relabelled = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ZeToken) token = NULL;
  const char *dot;

  g_strstrip (text);
  dot = strchr (text, '.');
  g_assert_nonnull (dot);
  relabelled = g_strconcat (header, dot, NULL);
  token = ze_token_new_from_string (relabelled, &error);

  g_assert_no_error (error);
  g_assert_false (ze_token_verify_signature (token, leaf, &error));
  g_assert_error (error, ZE_ERROR, ZE_ERROR_SIGNATURE_KEY_MISMATCH);
}

static void
test_token_truncated_signature (void)
{
  g_autofree char *text = g_strstrip (ze_test_read_data ("tv2-es256.jwt"));
  g_autoptr(GBytes) leaf = read_data_bytes ("tv2-leaf.pem");
  g_autoptr(GError) error = NULL;
  g_autoptr(ZeToken) token = NULL;

  /* Drop the last 2 characters of the signature: 63 bytes, not 64. */
  text[strlen (text) - 2] = '\0';
  token = ze_token_new_from_string (text, &error);
  g_assert_no_error (error);
  g_assert_false (ze_token_verify_signature (token, leaf, &error));
  g_assert_error (error, ZE_ERROR, ZE_ERROR_SIGNATURE_INVALID);
}

static void
test_token_bad_certificate (void)
{
  g_autofree char *text = ze_test_read_data ("tv2-es256.jwt");
  g_autoptr(GBytes) garbage = g_bytes_new_static ("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", 58);
  g_autoptr(GError) error = NULL;
  g_autoptr(ZeToken) token = ze_token_new_from_string (text, &error);

  g_assert_no_error (error);
  g_assert_false (ze_token_verify_signature (token, garbage, &error));
  g_assert_error (error, ZE_ERROR, ZE_ERROR_CERTIFICATE_INVALID);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (token_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/core/token/table/%s", token_cases[i].name);
      g_test_add_data_func (path, &token_cases[i], test_token_case);
    }

  g_test_add_func ("/core/token/claims", test_token_claims);
  g_test_add_func ("/core/token/default-port", test_token_default_port);
  g_test_add_func ("/core/token/whitespace", test_token_whitespace);
  g_test_add_func ("/core/token/too-large", test_token_too_large);
  g_test_add_func ("/core/token/nul-byte", test_token_nul_byte);
  g_test_add_func ("/core/token/empty-bytes", test_token_empty_bytes);
  g_test_add_func ("/core/token/expired", test_token_expired);
  g_test_add_func ("/core/token/router-message", test_token_router_message);
  g_test_add_func ("/core/token/tv1", test_token_tv1);
  g_test_add_func ("/core/token/signature/tv2-verifies", test_token_tv2_verifies);
  g_test_add_func ("/core/token/signature/tv2-badsig", test_token_tv2_badsig);
  g_test_add_data_func ("/core/token/signature/mismatch-rs256", "RS256", test_token_alg_key_mismatch);
  g_test_add_data_func ("/core/token/signature/mismatch-es384", "ES384", test_token_alg_key_mismatch);
  g_test_add_data_func ("/core/token/signature/mismatch-es512", "ES512", test_token_alg_key_mismatch);
  g_test_add_func ("/core/token/signature/truncated", test_token_truncated_signature);
  g_test_add_func ("/core/token/signature/bad-certificate", test_token_bad_certificate);

  return g_test_run ();
}
