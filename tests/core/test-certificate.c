/* test-certificate.c: certificate facts, CA bundles and chain checks
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <string.h>

#include "zitienroll.h"
#include "ze-test-util.h"

/* tv2-leaf.pem: the Let's Encrypt leaf of TV2 (protocol.md §11), recorded with
 * `certtool --fingerprint --hash sha256 --infile tests/data/tv2-leaf.pem`. */
#define TV2_SHA256_HEX "0c4d9862d475698a19734eca67c7a6aae5bd60a32ab5f90fcb0122a9ca58324e"
#define TV2_SHA256 \
  "0C:4D:98:62:D4:75:69:8A:19:73:4E:CA:67:C7:A6:AA:" \
  "E5:BD:60:A3:2A:B5:F9:0F:CB:01:22:A9:CA:58:32:4E"
#define TV2_SHORT "0C4D 9862 D475 698A"
#define TV2_NOT_BEFORE G_GINT64_CONSTANT (1680229612)   /* 2023-03-31 02:26:52 UTC */
#define TV2_NOT_AFTER  G_GINT64_CONSTANT (1688005611)   /* 2023-06-29 02:26:51 UTC */

/* The NetFoundry CA pair of TV3, recorded with certtool the same way. */
#define NF_ROOT_SHA256_HEX "2b2ff79ff36b03c389c33cf049230a72c382039026ef52eb82e4610a5112186f"
#define NF_INTERMEDIATE_SHA256_HEX "84aaea1fb32b93450c93216cde8caff839d72cb47f1cea6f362b83e981ff880e"
#define NF_ROOT_SUBJECT \
  "CN=Netfoundry\\, Inc. Certificate Authority,OU=ADV-DEV,O=Netfoundry,L=Charlotte,C=US"
#define NF_INTERMEDIATE_SUBJECT \
  "CN=Netfoundry\\, Inc. Intermediate CA,OU=ADV-DEV,O=Netfoundry,L=Charlotte,C=US"

static ZeCertificate *
load_certificate (const char *name)
{
  g_autofree char *pem = ze_test_read_data (name);
  g_autoptr(GError) error = NULL;
  ZeCertificate *cert = ze_certificate_new_from_pem (pem, -1, &error);

  g_assert_no_error (error);
  g_assert_true (ZE_IS_CERTIFICATE (cert));

  return cert;
}

static GPtrArray *
load_certificates (const char *name)
{
  g_autofree char *pem = ze_test_read_data (name);
  g_autoptr(GError) error = NULL;
  GPtrArray *list = ze_certificate_list_new_from_pem (pem, -1, &error);

  g_assert_no_error (error);
  g_assert_nonnull (list);

  return list;
}

static GBytes *
read_data_bytes (const char *name)
{
  char *contents = ze_test_read_data (name);

  return g_bytes_new_take (contents, strlen (contents));
}

static GPtrArray *
single (ZeCertificate *cert)
{
  GPtrArray *list = g_ptr_array_new_with_free_func (g_object_unref);

  g_ptr_array_add (list, g_object_ref (cert));

  return list;
}

/* A time inside the validity of the generated PKI (valid for 20 years from
 * when regenerate.sh ran), so the tests depend on neither clock nor fixture date. */
static gint64
pki_now (void)
{
  g_autoptr(ZeCertificate) server = load_certificate ("pki/server.pem");

  return ze_certificate_get_not_before (server) + 86400;
}

static void
assert_sentence (const GError *error)
{
  g_assert_nonnull (error);
  g_assert_cmpuint (strlen (error->message), >, 40);
  g_assert_true (g_str_has_suffix (error->message, "."));
}

/* --- facts ------------------------------------------------------------------- */

static void
test_fingerprint_sha256 (void)
{
  g_autoptr(ZeCertificate) tv2 = load_certificate ("tv2-leaf.pem");
  g_autoptr(ZeCertificate) server = load_certificate ("pki/server.pem");
  g_autofree char *colons = ze_certificate_dup_fingerprint_sha256 (tv2);
  g_autofree char *hex = ze_certificate_dup_fingerprint_hex (tv2);
  g_autofree char *server_hex = ze_certificate_dup_fingerprint_hex (server);
  g_autofree char *recorded = ze_test_read_data ("pki/server.sha256");

  g_assert_cmpstr (colons, ==, TV2_SHA256);
  g_assert_cmpuint (strlen (colons), ==, 32 * 3 - 1);
  g_assert_cmpstr (hex, ==, TV2_SHA256_HEX);

  /* regenerate.sh records certtool's view of the generated leaf */
  g_strstrip (recorded);
  g_assert_cmpstr (server_hex, ==, recorded);
}

static void
test_fingerprint_short (void)
{
  g_autoptr(ZeCertificate) tv2 = load_certificate ("tv2-leaf.pem");
  g_autoptr(ZeCertificate) server = load_certificate ("pki/server.pem");
  g_autofree char *tv2_short = ze_certificate_dup_fingerprint_short (tv2);
  g_autofree char *server_short = ze_certificate_dup_fingerprint_short (server);
  g_autofree char *server_full = ze_certificate_dup_fingerprint_sha256 (server);
  g_autofree char *expected = NULL;

  g_assert_cmpstr (tv2_short, ==, TV2_SHORT);

  /* the short form is the first 8 bytes of the full one, regrouped */
  expected = g_strdup_printf ("%.2s%.2s %.2s%.2s %.2s%.2s %.2s%.2s",
                              server_full, server_full + 3, server_full + 6, server_full + 9,
                              server_full + 12, server_full + 15, server_full + 18,
                              server_full + 21);
  g_assert_cmpstr (server_short, ==, expected);
}

static void
test_subject_issuer (void)
{
  g_autoptr(ZeCertificate) tv2 = load_certificate ("tv2-leaf.pem");
  g_autoptr(ZeCertificate) server = load_certificate ("pki/server.pem");
  g_autoptr(ZeCertificate) root = load_certificate ("pki/root-ca.pem");
  g_autofree char *tv2_subject = ze_certificate_dup_subject (tv2);
  g_autofree char *tv2_issuer = ze_certificate_dup_issuer (tv2);
  g_autofree char *server_subject = ze_certificate_dup_subject (server);
  g_autofree char *server_issuer = ze_certificate_dup_issuer (server);
  g_autofree char *root_subject = ze_certificate_dup_subject (root);
  g_autofree char *root_issuer = ze_certificate_dup_issuer (root);

  g_assert_cmpstr (tv2_subject, ==, "CN=*.clint.demo.openziti.org");
  g_assert_cmpstr (tv2_issuer, ==, "CN=R3,O=Let's Encrypt,C=US");
  g_assert_cmpstr (server_subject, ==, "CN=ctrl.example.com,O=Ziti Enroll Tests");
  g_assert_cmpstr (server_issuer, ==, "CN=Ziti Enroll Test Intermediate CA,O=Ziti Enroll Tests");
  g_assert_cmpstr (root_subject, ==, "CN=Ziti Enroll Test Root CA,O=Ziti Enroll Tests");
  g_assert_cmpstr (root_issuer, ==, root_subject);
}

static void
test_validity (void)
{
  g_autoptr(ZeCertificate) tv2 = load_certificate ("tv2-leaf.pem");
  g_autoptr(ZeCertificate) expired = load_certificate ("pki/expired.pem");

  g_assert_cmpint (ze_certificate_get_not_before (tv2), ==, TV2_NOT_BEFORE);
  g_assert_cmpint (ze_certificate_get_not_after (tv2), ==, TV2_NOT_AFTER);

  /* 2020-01-01 00:00:00 .. 2020-12-31 23:59:59 UTC */
  g_assert_cmpint (ze_certificate_get_not_before (expired), ==, G_GINT64_CONSTANT (1577836800));
  g_assert_cmpint (ze_certificate_get_not_after (expired), ==, G_GINT64_CONSTANT (1609459199));
}

static void
test_host_names_sans (void)
{
  g_autoptr(ZeCertificate) server = load_certificate ("pki/server.pem");
  g_autoptr(ZeCertificate) tv2 = load_certificate ("tv2-leaf.pem");
  g_auto(GStrv) names = ze_certificate_dup_host_names (server);
  g_auto(GStrv) tv2_names = ze_certificate_dup_host_names (tv2);
  const char * const expected[] = { "ctrl.example.com", "localhost", "127.0.0.1", "::1", NULL };
  const char * const tv2_expected[] = { "*.clint.demo.openziti.org", NULL };

  g_assert_cmpstrv (names, expected);
  g_assert_cmpstrv (tv2_names, tv2_expected);
}

static void
test_host_names_common_name (void)
{
  /* No subjectAltName at all: the common name stands in. */
  g_autoptr(ZeCertificate) root = load_certificate ("pki/root-ca.pem");
  g_auto(GStrv) names = ze_certificate_dup_host_names (root);
  const char * const expected[] = { "Ziti Enroll Test Root CA", NULL };

  g_assert_cmpstrv (names, expected);
}

static void
test_matches_host_wildcard (void)
{
  g_autoptr(ZeCertificate) tv2 = load_certificate ("tv2-leaf.pem");

  g_assert_true (ze_certificate_matches_host (tv2, "ctrl.clint.demo.openziti.org"));
  g_assert_true (ze_certificate_matches_host (tv2, "CTRL.clint.demo.OpenZiti.org"));
  /* a wildcard covers exactly one label */
  g_assert_false (ze_certificate_matches_host (tv2, "clint.demo.openziti.org"));
  g_assert_false (ze_certificate_matches_host (tv2, "a.b.clint.demo.openziti.org"));
  g_assert_false (ze_certificate_matches_host (tv2, "ctrl.example.com"));
  g_assert_false (ze_certificate_matches_host (tv2, ""));
}

static void
test_matches_host_ip (void)
{
  g_autoptr(ZeCertificate) server = load_certificate ("pki/server.pem");

  g_assert_true (ze_certificate_matches_host (server, "ctrl.example.com"));
  g_assert_true (ze_certificate_matches_host (server, "localhost"));
  g_assert_true (ze_certificate_matches_host (server, "127.0.0.1"));
  g_assert_true (ze_certificate_matches_host (server, "::1"));
  g_assert_true (ze_certificate_matches_host (server, "[::1]"));
  g_assert_false (ze_certificate_matches_host (server, "127.0.0.2"));
  g_assert_false (ze_certificate_matches_host (server, "::2"));
  g_assert_false (ze_certificate_matches_host (server, "other.example.com"));
}

static void
test_is_ca (void)
{
  g_autoptr(ZeCertificate) root = load_certificate ("pki/root-ca.pem");
  g_autoptr(ZeCertificate) intermediate = load_certificate ("pki/intermediate-ca.pem");
  g_autoptr(ZeCertificate) server = load_certificate ("pki/server.pem");
  g_autoptr(ZeCertificate) tv2 = load_certificate ("tv2-leaf.pem");

  g_assert_true (ze_certificate_is_ca (root));
  g_assert_true (ze_certificate_is_ca (intermediate));
  g_assert_false (ze_certificate_is_ca (server));
  g_assert_false (ze_certificate_is_ca (tv2));
}

/* --- PEM and DER ------------------------------------------------------------- */

static void
test_pem_round_trip (void)
{
  g_autoptr(ZeCertificate) tv2 = load_certificate ("tv2-leaf.pem");
  g_autoptr(ZeCertificate) server = load_certificate ("pki/server.pem");
  g_autoptr(ZeCertificate) again = NULL;
  g_autoptr(ZeCertificate) from_der = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pem = ze_certificate_to_pem (tv2);
  g_autofree char *original = ze_test_read_data ("tv2-leaf.pem");
  g_autofree char *hex = NULL;
  g_autoptr(GBytes) der = NULL;

  g_assert_true (g_str_has_prefix (pem, "-----BEGIN CERTIFICATE-----\n"));
  g_assert_true (g_str_has_suffix (pem, "\n-----END CERTIFICATE-----\n"));
  g_assert_nonnull (strstr (original, pem));   /* the same 64-column text */

  again = ze_certificate_new_from_pem (pem, strlen (pem), &error);
  g_assert_no_error (error);
  g_assert_true (ze_certificate_equal (tv2, again));
  g_assert_false (ze_certificate_equal (tv2, server));

  der = ze_certificate_get_der (tv2);
  g_assert_nonnull (der);
  hex = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, der);
  g_assert_cmpstr (hex, ==, TV2_SHA256_HEX);

  from_der = ze_certificate_new_from_der (der, &error);
  g_assert_no_error (error);
  g_assert_true (ze_certificate_equal (tv2, from_der));
}

static void
test_pem_list (void)
{
  g_autoptr(GPtrArray) chain = load_certificates ("pki/server-chain.pem");
  g_autoptr(ZeCertificate) server = load_certificate ("pki/server.pem");
  g_autoptr(ZeCertificate) intermediate = load_certificate ("pki/intermediate-ca.pem");
  g_autoptr(ZeCertificate) first = load_certificate ("pki/server-chain.pem");
  g_autoptr(GPtrArray) with_key = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *server_pem = ze_test_read_data ("pki/server.pem");
  g_autofree char *key_pem = ze_test_read_data ("pki/server-key.pem");
  g_autofree char *mixed = NULL;

  g_assert_cmpuint (chain->len, ==, 2);
  g_assert_true (ze_certificate_equal (g_ptr_array_index (chain, 0), server));
  g_assert_true (ze_certificate_equal (g_ptr_array_index (chain, 1), intermediate));

  /* new_from_pem takes the first block */
  g_assert_true (ze_certificate_equal (first, server));

  /* other blocks and text around the certificates are skipped */
  mixed = g_strconcat ("Bag Attributes\n", key_pem, server_pem, "trailing text\n", NULL);
  with_key = ze_certificate_list_new_from_pem (mixed, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (with_key->len, ==, 1);
  g_assert_true (ze_certificate_equal (g_ptr_array_index (with_key, 0), server));
}

static void
test_pem_invalid (void)
{
  g_autofree char *key_pem = ze_test_read_data ("pki/server-key.pem");
  g_autofree char *server_pem = ze_test_read_data ("pki/server.pem");
  g_autofree char *damaged = g_strdup (server_pem);
  const guint8 junk[] = { 0x30, 0x03, 0x02, 0x01, 0x05 };
  g_autoptr(GBytes) junk_bytes = g_bytes_new_static (junk, sizeof junk);
  g_autoptr(GError) error = NULL;
  g_autoptr(ZeCertificate) cert = NULL;
  g_autoptr(GPtrArray) list = NULL;

  cert = ze_certificate_new_from_pem ("hello", -1, &error);
  g_assert_error (error, ZE_ERROR, ZE_ERROR_CERTIFICATE_INVALID);
  assert_sentence (error);
  g_assert_null (cert);
  g_clear_error (&error);

  cert = ze_certificate_new_from_pem (key_pem, -1, &error);
  g_assert_error (error, ZE_ERROR, ZE_ERROR_CERTIFICATE_INVALID);
  g_assert_null (cert);
  g_clear_error (&error);

  cert = ze_certificate_new_from_der (junk_bytes, &error);
  g_assert_error (error, ZE_ERROR, ZE_ERROR_CERTIFICATE_INVALID);
  g_assert_null (cert);
  g_clear_error (&error);

  list = ze_certificate_list_new_from_pem (key_pem, -1, &error);
  g_assert_error (error, ZE_ERROR, ZE_ERROR_CERTIFICATE_INVALID);
  assert_sentence (error);
  g_assert_null (list);
  g_clear_error (&error);

  /* a damaged block fails the whole list rather than being skipped */
  damaged[60] = '*';
  list = ze_certificate_list_new_from_pem (damaged, -1, &error);
  g_assert_error (error, ZE_ERROR, ZE_ERROR_CERTIFICATE_INVALID);
  g_assert_null (list);
}

/* --- fingerprints typed by people ------------------------------------------- */

static void
test_normalize_accepts (void)
{
  const char *inputs[] = {
    TV2_SHA256,
    TV2_SHA256_HEX,
    "0c:4d:98:62:d4:75:69:8a:19:73:4e:ca:67:c7:a6:aa:e5:bd:60:a3:2a:b5:f9:0f:cb:01:22:a9:ca:58:32:4e",
    "0C4d9862D475698a19734ECA67c7a6aae5bd60a32ab5f90fcb0122a9CA58324E",
    "0C4D 9862 D475 698A 1973 4ECA 67C7 A6AA E5BD 60A3 2AB5 F90F CB01 22A9 CA58 324E",
    "  " TV2_SHA256 "\n",
  };

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autofree char *hex = NULL;

      g_test_message ("input: %s", inputs[i]);
      g_assert_true (ze_fingerprint_normalize (inputs[i], &hex));
      g_assert_cmpstr (hex, ==, TV2_SHA256_HEX);
    }

  g_assert_true (ze_fingerprint_normalize (TV2_SHA256, NULL));
}

static void
test_normalize_rejects (void)
{
  const char *inputs[] = {
    "",
    ":::",
    TV2_SHORT,                                      /* the short form is not enough */
    "0C:4D:98:62:D4:75:69:8A:19:73:4E:CA:67:C7:A6:AA:E5:BD:60:A3:2A:B5:F9:0F:CB:01:22:A9:CA:58:32", /* 31 pairs */
    TV2_SHA256_HEX "00",                            /* 33 bytes */
    TV2_SHA256_HEX "0",                             /* 65 digits */
    "0g4d9862d475698a19734eca67c7a6aae5bd60a32ab5f90fcb0122a9ca58324e", /* 'g' */
    "0c-4d-98-62-d4-75-69-8a-19-73-4e-ca-67-c7-a6-aa-e5-bd-60-a3-2a-b5-f9-0f-cb-01-22-a9-ca-58-32-4e",
    "sha256:" TV2_SHA256_HEX,
    "0c4d9862d475698a19734eca67c7a6aae5bd60a3", /* a SHA-1 */
  };

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      char *hex = (char *)"untouched";

      g_test_message ("input: %s", inputs[i]);
      g_assert_false (ze_fingerprint_normalize (inputs[i], &hex));
      g_assert_null (hex);
    }
}

/* --- the cacerts bundle ------------------------------------------------------ */

static GPtrArray *
parse_bundle_text (const char  *text,
                   GError     **error)
{
  g_autoptr(GBytes) body = g_bytes_new (text, strlen (text));

  return ze_ca_bundle_parse_pkcs7_base64 (body, error);
}

static void
test_ca_bundle_netfoundry (void)
{
  g_autoptr(GBytes) body = read_data_bytes ("cacerts-netfoundry.p7b64");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) cas = ze_ca_bundle_parse_pkcs7_base64 (body, &error);
  g_autofree char *root_subject = NULL;
  g_autofree char *root_issuer = NULL;
  g_autofree char *intermediate_subject = NULL;
  g_autofree char *intermediate_issuer = NULL;
  g_autofree char *root_hex = NULL;
  g_autofree char *intermediate_hex = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (cas);
  g_assert_cmpuint (cas->len, ==, 2);

  root_subject = ze_certificate_dup_subject (g_ptr_array_index (cas, 0));
  root_issuer = ze_certificate_dup_issuer (g_ptr_array_index (cas, 0));
  intermediate_subject = ze_certificate_dup_subject (g_ptr_array_index (cas, 1));
  intermediate_issuer = ze_certificate_dup_issuer (g_ptr_array_index (cas, 1));
  root_hex = ze_certificate_dup_fingerprint_hex (g_ptr_array_index (cas, 0));
  intermediate_hex = ze_certificate_dup_fingerprint_hex (g_ptr_array_index (cas, 1));

  g_assert_cmpstr (root_subject, ==, NF_ROOT_SUBJECT);
  g_assert_cmpstr (root_issuer, ==, NF_ROOT_SUBJECT);
  g_assert_cmpstr (intermediate_subject, ==, NF_INTERMEDIATE_SUBJECT);
  g_assert_cmpstr (intermediate_issuer, ==, NF_ROOT_SUBJECT);
  g_assert_cmpstr (root_hex, ==, NF_ROOT_SHA256_HEX);
  g_assert_cmpstr (intermediate_hex, ==, NF_INTERMEDIATE_SHA256_HEX);
  g_assert_true (ze_certificate_is_ca (g_ptr_array_index (cas, 0)));
  g_assert_true (ze_certificate_is_ca (g_ptr_array_index (cas, 1)));
}

static void
test_ca_bundle_fixture (void)
{
  g_autoptr(GBytes) body = read_data_bytes ("pki/cacerts.p7b64");
  g_autoptr(GPtrArray) expected = load_certificates ("pki/ca-bundle.pem");
  g_autoptr(GPtrArray) again = NULL;
  g_autoptr(GPtrArray) cas = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pem = NULL;
  g_autofree char *expected_pem = ze_test_read_data ("pki/ca-bundle.pem");

  cas = ze_ca_bundle_parse_pkcs7_base64 (body, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cas->len, ==, 2);
  g_assert_true (ze_certificate_equal (g_ptr_array_index (cas, 0), g_ptr_array_index (expected, 0)));
  g_assert_true (ze_certificate_equal (g_ptr_array_index (cas, 1), g_ptr_array_index (expected, 1)));

  /* the bundle as the identity's id.ca: PEM that reads back the same */
  pem = ze_ca_bundle_to_pem (cas);
  g_assert_cmpstr (pem, ==, expected_pem);
  again = ze_certificate_list_new_from_pem (pem, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (again->len, ==, 2);
  g_assert_true (ze_certificate_equal (g_ptr_array_index (again, 1), g_ptr_array_index (cas, 1)));
}

static void
test_ca_bundle_crlf (void)
{
  g_autofree char *text = ze_test_read_data ("cacerts-netfoundry.p7b64");
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  g_autofree char *crlf = g_strjoinv ("\r\n", lines);
  g_autofree char *unwrapped = g_strjoinv ("", lines);
  g_autoptr(GPtrArray) cas = NULL;
  g_autoptr(GPtrArray) one_line = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (strstr (crlf, "\r\n"));
  cas = parse_bundle_text (crlf, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cas->len, ==, 2);

  /* the line width does not matter either */
  one_line = parse_bundle_text (unwrapped, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (one_line->len, ==, 2);
}

static void
test_ca_bundle_not_base64 (void)
{
  g_autofree char *text = ze_test_read_data ("cacerts-netfoundry.p7b64");
  g_autofree char *bad_char = g_strdup (text);
  g_autofree char *url_safe = g_strdup (text);
  g_autofree char *no_padding = g_strdup (text);
  g_autofree char *data_after_padding = g_strconcat (text, "AAAA", NULL);
  g_autofree char *huge = g_strnfill (1024 * 1024 + 4, 'A');
  char *p;
  const char *inputs[] = {
    "",
    "<html><body>Not Found</body></html>",
    "{\"error\":{\"code\":\"NOT_FOUND\"}}",
    NULL, NULL, NULL, NULL, NULL,
  };

  bad_char[100] = '*';
  /* base64url is not the standard alphabet */
  for (p = url_safe; *p; p++)
    *p = *p == '+' ? '-' : *p == '/' ? '_' : *p;
  g_assert_nonnull (strpbrk (text, "+/"));
  *strchr (no_padding, '=') = '\0';

  inputs[3] = bad_char;
  inputs[4] = url_safe;
  inputs[5] = no_padding;
  inputs[6] = data_after_padding;
  inputs[7] = huge;

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) cas = NULL;

      g_test_message ("case %u", i);
      cas = parse_bundle_text (inputs[i], &error);
      g_assert_error (error, ZE_ERROR, ZE_ERROR_CA_BUNDLE_INVALID);
      assert_sentence (error);
      g_assert_null (cas);
    }
}

static void
test_ca_bundle_not_pkcs7 (void)
{
  g_autoptr(ZeCertificate) root = load_certificate ("pki/root-ca.pem");
  g_autoptr(GBytes) der = ze_certificate_get_der (root);
  g_autofree char *cert_b64 = g_base64_encode (g_bytes_get_data (der, NULL), g_bytes_get_size (der));
  g_autofree char *pem = ze_test_read_data ("pki/root-ca.pem");
  const char *inputs[] = {
    "SGVsbG8sIHdvcmxkIQ==",    /* "Hello, world!" */
    cert_b64,                  /* a certificate, not a bundle of them */
    pem,                       /* PEM is not the cacerts format */
  };

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) cas = NULL;

      g_test_message ("case %u", i);
      cas = parse_bundle_text (inputs[i], &error);
      g_assert_error (error, ZE_ERROR, ZE_ERROR_CA_BUNDLE_INVALID);
      assert_sentence (error);
      g_assert_null (cas);
    }
}

static void
test_ca_bundle_no_ca (void)
{
  g_autoptr(GBytes) body = read_data_bytes ("pki/leaf-only.p7b64");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) cas = ze_ca_bundle_parse_pkcs7_base64 (body, &error);

  g_assert_error (error, ZE_ERROR, ZE_ERROR_CA_BUNDLE_INVALID);
  assert_sentence (error);
  g_assert_null (cas);
}

/* --- chains ------------------------------------------------------------------ */

static GPtrArray *
fixture_cas (void)
{
  g_autoptr(GBytes) body = read_data_bytes ("pki/cacerts.p7b64");
  g_autoptr(GError) error = NULL;
  GPtrArray *cas = ze_ca_bundle_parse_pkcs7_base64 (body, &error);

  g_assert_no_error (error);

  return cas;
}

static void
test_chain_ok (void)
{
  g_autoptr(ZeCertificate) server = load_certificate ("pki/server.pem");
  g_autoptr(GPtrArray) cas = fixture_cas ();
  const char *hosts[] = { "ctrl.example.com", "localhost", "127.0.0.1", "::1", "[::1]", NULL };
  gint64 now = pki_now ();

  for (guint i = 0; i < G_N_ELEMENTS (hosts); i++)
    {
      g_autoptr(GError) error = NULL;

      g_test_message ("host: %s", hosts[i] ? hosts[i] : "(none)");
      g_assert_true (ze_certificate_verify_chain (server, NULL, cas, hosts[i], now, &error));
      g_assert_no_error (error);
    }
}

static void
test_chain_intermediate (void)
{
  g_autoptr(GPtrArray) sent = load_certificates ("pki/server-chain.pem");
  g_autoptr(ZeCertificate) root = load_certificate ("pki/root-ca.pem");
  g_autoptr(GPtrArray) root_only = single (root);
  g_autoptr(GPtrArray) intermediates = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  ZeCertificate *server = g_ptr_array_index (sent, 0);
  gint64 now = pki_now ();

  /* as a TLS server sends it: leaf, then intermediate */
  g_ptr_array_add (intermediates, g_object_ref (g_ptr_array_index (sent, 1)));
  g_assert_true (ze_certificate_verify_chain (server, intermediates, root_only,
                                              "ctrl.example.com", now, &error));
  g_assert_no_error (error);

  /* the whole list, leaf included, works as well */
  g_assert_true (ze_certificate_verify_chain (server, sent, root_only,
                                              "ctrl.example.com", now, &error));
  g_assert_no_error (error);

  /* without the intermediate, the root alone cannot vouch for the leaf */
  g_assert_false (ze_certificate_verify_chain (server, NULL, root_only,
                                               "ctrl.example.com", now, &error));
  g_assert_error (error, ZE_ERROR, ZE_ERROR_CHAIN_UNTRUSTED);
}

static void
test_chain_unrelated_ca (void)
{
  g_autoptr(ZeCertificate) other = load_certificate ("pki/other-server.pem");
  g_autoptr(ZeCertificate) server = load_certificate ("pki/server.pem");
  g_autoptr(ZeCertificate) other_ca = load_certificate ("pki/other-ca.pem");
  g_autoptr(GPtrArray) other_cas = single (other_ca);
  g_autoptr(GPtrArray) cas = fixture_cas ();
  g_autoptr(GError) error = NULL;
  gint64 now = pki_now ();

  /* same names, wrong CA */
  g_assert_false (ze_certificate_verify_chain (other, NULL, cas, "ctrl.example.com", now, &error));
  g_assert_error (error, ZE_ERROR, ZE_ERROR_CHAIN_UNTRUSTED);
  assert_sentence (error);
  g_assert_nonnull (strstr (error->message, "not issued by the certificate authority"));
  g_clear_error (&error);

  g_assert_false (ze_certificate_verify_chain (server, NULL, other_cas, NULL, now, &error));
  g_assert_error (error, ZE_ERROR, ZE_ERROR_CHAIN_UNTRUSTED);
  g_clear_error (&error);

  /* and it is the chain, not the host or time, that is at fault */
  g_assert_true (ze_certificate_verify_chain (other, NULL, other_cas, "ctrl.example.com", now, &error));
  g_assert_no_error (error);
}

static void
test_chain_host_mismatch (void)
{
  g_autoptr(ZeCertificate) server = load_certificate ("pki/server.pem");
  g_autoptr(GPtrArray) cas = fixture_cas ();
  g_autoptr(GError) error = NULL;
  gint64 now = pki_now ();

  g_assert_false (ze_certificate_verify_chain (server, NULL, cas, "ctrl.example.org", now, &error));
  g_assert_error (error, ZE_ERROR, ZE_ERROR_HOST_MISMATCH);
  assert_sentence (error);
  g_assert_nonnull (strstr (error->message, "ctrl.example.org"));
  g_assert_nonnull (strstr (error->message, "ctrl.example.com, localhost, 127.0.0.1, ::1"));
  g_clear_error (&error);

  g_assert_false (ze_certificate_verify_chain (server, NULL, cas, "10.0.0.1", now, &error));
  g_assert_error (error, ZE_ERROR, ZE_ERROR_HOST_MISMATCH);
}

static void
test_chain_expired (void)
{
  g_autoptr(ZeCertificate) server = load_certificate ("pki/server.pem");
  g_autoptr(ZeCertificate) expired = load_certificate ("pki/expired.pem");
  g_autoptr(GPtrArray) cas = fixture_cas ();
  g_autoptr(GError) error = NULL;
  g_autofree char *date = NULL;
  gint64 not_after = ze_certificate_get_not_after (server);
  gint64 now = pki_now ();

  /* one second after the leaf's end */
  g_assert_true (ze_certificate_verify_chain (server, NULL, cas, "ctrl.example.com",
                                              not_after, &error));
  g_assert_no_error (error);
  g_assert_false (ze_certificate_verify_chain (server, NULL, cas, "ctrl.example.com",
                                               not_after + 1, &error));
  g_assert_error (error, ZE_ERROR, ZE_ERROR_CERTIFICATE_EXPIRED);
  assert_sentence (error);
  date = ze_format_utc_date (not_after);
  g_assert_nonnull (strstr (error->message, date));
  g_assert_nonnull (strstr (error->message, "less than a minute ago"));
  g_clear_error (&error);

  /* a leaf that expired in 2020 */
  g_assert_false (ze_certificate_verify_chain (expired, NULL, cas, "ctrl.example.com", now, &error));
  g_assert_error (error, ZE_ERROR, ZE_ERROR_CERTIFICATE_EXPIRED);
  g_assert_nonnull (strstr (error->message, "2020-12-31 23:59:59 UTC"));
  g_clear_error (&error);

  /* ...but was fine during 2020, when its CA did not exist yet (only its name) */
  g_assert_false (ze_certificate_verify_chain (expired, NULL, cas, "ctrl.example.com",
                                               G_GINT64_CONSTANT (1593561600), &error));
  g_assert_error (error, ZE_ERROR, ZE_ERROR_CERTIFICATE_EXPIRED);
  g_assert_nonnull (strstr (error->message, "certificate authority"));
  g_clear_error (&error);

  /* not valid yet: the clock is wrong */
  g_assert_false (ze_certificate_verify_chain (server, NULL, cas, "ctrl.example.com",
                                               ze_certificate_get_not_before (server) - 3 * 86400,
                                               &error));
  g_assert_error (error, ZE_ERROR, ZE_ERROR_CERTIFICATE_EXPIRED);
  g_assert_nonnull (strstr (error->message, "in 3 days"));
}

static void
test_chain_ca_expired (void)
{
  /* The NetFoundry pair of TV3: the intermediate, checked against its root,
   * at a time when both were valid, then after the root expired. */
  g_autoptr(GBytes) body = read_data_bytes ("cacerts-netfoundry.p7b64");
  g_autoptr(GPtrArray) cas = ze_ca_bundle_parse_pkcs7_base64 (body, NULL);
  g_autoptr(GPtrArray) root_only = single (g_ptr_array_index (cas, 0));
  g_autoptr(GError) error = NULL;
  ZeCertificate *intermediate = g_ptr_array_index (cas, 1);
  gint64 in_2020 = G_GINT64_CONSTANT (1577836800);
  gint64 root_end = ze_certificate_get_not_after (g_ptr_array_index (cas, 0));

  g_assert_cmpint (ze_certificate_get_not_after (intermediate), >, root_end);

  g_assert_true (ze_certificate_verify_chain (intermediate, NULL, root_only, NULL, in_2020, &error));
  g_assert_no_error (error);

  g_assert_false (ze_certificate_verify_chain (intermediate, NULL, root_only, NULL,
                                               root_end + 30, &error));
  g_assert_error (error, ZE_ERROR, ZE_ERROR_CERTIFICATE_EXPIRED);
  assert_sentence (error);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "Netfoundry, Inc. Certificate Authority"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/certificate/fingerprint/sha256", test_fingerprint_sha256);
  g_test_add_func ("/core/certificate/fingerprint/short", test_fingerprint_short);
  g_test_add_func ("/core/certificate/subject-issuer", test_subject_issuer);
  g_test_add_func ("/core/certificate/validity", test_validity);
  g_test_add_func ("/core/certificate/host-names/sans", test_host_names_sans);
  g_test_add_func ("/core/certificate/host-names/common-name", test_host_names_common_name);
  g_test_add_func ("/core/certificate/matches-host/wildcard", test_matches_host_wildcard);
  g_test_add_func ("/core/certificate/matches-host/ip", test_matches_host_ip);
  g_test_add_func ("/core/certificate/is-ca", test_is_ca);
  g_test_add_func ("/core/certificate/pem/round-trip", test_pem_round_trip);
  g_test_add_func ("/core/certificate/pem/list", test_pem_list);
  g_test_add_func ("/core/certificate/pem/invalid", test_pem_invalid);
  g_test_add_func ("/core/certificate/normalize/accepts", test_normalize_accepts);
  g_test_add_func ("/core/certificate/normalize/rejects", test_normalize_rejects);
  g_test_add_func ("/core/certificate/ca-bundle/netfoundry", test_ca_bundle_netfoundry);
  g_test_add_func ("/core/certificate/ca-bundle/fixture", test_ca_bundle_fixture);
  g_test_add_func ("/core/certificate/ca-bundle/crlf", test_ca_bundle_crlf);
  g_test_add_func ("/core/certificate/ca-bundle/not-base64", test_ca_bundle_not_base64);
  g_test_add_func ("/core/certificate/ca-bundle/not-pkcs7", test_ca_bundle_not_pkcs7);
  g_test_add_func ("/core/certificate/ca-bundle/no-ca", test_ca_bundle_no_ca);
  g_test_add_func ("/core/certificate/chain/ok", test_chain_ok);
  g_test_add_func ("/core/certificate/chain/intermediate", test_chain_intermediate);
  g_test_add_func ("/core/certificate/chain/unrelated-ca", test_chain_unrelated_ca);
  g_test_add_func ("/core/certificate/chain/host-mismatch", test_chain_host_mismatch);
  g_test_add_func ("/core/certificate/chain/expired", test_chain_expired);
  g_test_add_func ("/core/certificate/chain/ca-expired", test_chain_ca_expired);

  return g_test_run ();
}
