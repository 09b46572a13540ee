/* test-key-pair.c: key generation, key files and certificate requests
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <string.h>

#include "zitienroll.h"
#include "ze-gnutls-private.h"
#include "ze-test-util.h"

#define CONTROLLER "https://ctrl.example.com:1280"
#define SUBJECT    "ymLGeIPi4"

static ZeKeyPair *
load_key (const char *name)
{
  g_autofree char *pem = ze_test_read_data (name);
  g_autoptr(GError) error = NULL;
  ZeKeyPair *key = ze_key_pair_new_from_pem (pem, strlen (pem), &error);

  g_assert_no_error (error);
  g_assert_true (ZE_IS_KEY_PAIR (key));
  gnutls_memset (pem, 0, strlen (pem));

  return key;
}

static ZeCertificate *
load_certificate (const char *name)
{
  g_autofree char *pem = ze_test_read_data (name);
  g_autoptr(GError) error = NULL;
  ZeCertificate *cert = ze_certificate_new_from_pem (pem, -1, &error);

  g_assert_no_error (error);

  return cert;
}

/* What kind of key a SubjectPublicKeyInfo holds, as "ec-p256" or "rsa-2048". */
static char *
describe_public_key (GBytes *der)
{
  g_auto(gnutls_pubkey_t) pubkey = NULL;
  gnutls_ecc_curve_t curve;
  gnutls_datum_t datum;
  unsigned int bits = 0;
  int pk;

  g_assert_nonnull (der);
  datum.data = (unsigned char *)g_bytes_get_data (der, NULL);
  datum.size = (unsigned int)g_bytes_get_size (der);

  g_assert_cmpint (gnutls_pubkey_init (&pubkey), ==, 0);
  g_assert_cmpint (gnutls_pubkey_import (pubkey, &datum, GNUTLS_X509_FMT_DER), ==, 0);
  pk = gnutls_pubkey_get_pk_algorithm (pubkey, &bits);

  if (pk == GNUTLS_PK_ECDSA)
    {
      g_assert_cmpint (gnutls_pubkey_export_ecc_raw (pubkey, &curve, NULL, NULL), ==, 0);
      return g_strdup_printf ("ec-p%u", curve == GNUTLS_ECC_CURVE_SECP256R1 ? 256u :
                                        curve == GNUTLS_ECC_CURVE_SECP384R1 ? 384u : 0u);
    }

  g_assert_cmpint (pk, ==, GNUTLS_PK_RSA);
  return g_strdup_printf ("rsa-%u", bits);
}

static gboolean
same_public_key (ZeKeyPair *a,
                 ZeKeyPair *b)
{
  g_autoptr(GBytes) a_der = ze_key_pair_get_public_key_der (a);
  g_autoptr(GBytes) b_der = ze_key_pair_get_public_key_der (b);

  g_assert_nonnull (a_der);
  g_assert_nonnull (b_der);

  return g_bytes_equal (a_der, b_der);
}

static void
assert_key_type (ZeKeyPair *key,
                 ZeKeyType  key_type)
{
  g_autoptr(GBytes) der = ze_key_pair_get_public_key_der (key);
  g_autofree char *actual = describe_public_key (der);

  g_assert_cmpint (ze_key_pair_get_key_type (key), ==, key_type);
  g_assert_cmpstr (actual, ==, ze_key_type_to_string (key_type));
}

/* --- generation ----------------------------------------------------------- */

static void
test_generate (gconstpointer data)
{
  ZeKeyType key_type = GPOINTER_TO_INT (data);
  g_autoptr(GError) error = NULL;
  g_autoptr(ZeKeyPair) key = ze_key_pair_generate (key_type, &error);
  g_autoptr(ZeKeyPair) other = NULL;

  g_assert_no_error (error);
  g_assert_true (ZE_IS_KEY_PAIR (key));
  assert_key_type (key, key_type);
  g_assert_null (ze_key_pair_get_uri (key));

  if (key_type == ZE_KEY_TYPE_EC_P256)
    {
      /* two keys are never the same key */
      other = ze_key_pair_generate (key_type, &error);
      g_assert_no_error (error);
      g_assert_false (same_public_key (key, other));
    }
}

typedef struct
{
  GMainLoop    *loop;
  GAsyncResult *result;
} Await;

static void
await_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  Await *await = user_data;

  g_assert_null (object);
  await->result = g_object_ref (result);
  g_main_loop_quit (await->loop);
}

static gboolean
ticked_cb (gpointer user_data)
{
  (*(guint *)user_data)++;
  return G_SOURCE_CONTINUE;
}

static void
test_generate_rsa_4096_async (void)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(ZeKeyPair) key = NULL;
  g_autoptr(GError) error = NULL;
  Await await = { loop, NULL };
  guint ticks = 0;
  guint tick_id;

  /* The main loop keeps running while the key is made in a thread. */
  tick_id = g_timeout_add (10, ticked_cb, &ticks);
  ze_key_pair_generate_async (ZE_KEY_TYPE_RSA_4096, NULL, await_cb, &await);
  g_assert_null (await.result);
  g_main_loop_run (loop);
  g_source_remove (tick_id);

  g_assert_true (g_task_get_source_tag (G_TASK (await.result)) == ze_key_pair_generate_async);
  key = ze_key_pair_generate_finish (await.result, &error);
  g_clear_object (&await.result);
  g_assert_no_error (error);
  assert_key_type (key, ZE_KEY_TYPE_RSA_4096);
  /* a key made on the main thread would have let the 10 ms timer fire once at most */
  g_test_message ("main loop ticks while generating: %u", ticks);
  g_assert_cmpuint (ticks, >=, 2);
}

static void
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
}

static void
test_generate_cancelled (void)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(ZeKeyPair) key = NULL;
  g_autoptr(GError) error = NULL;
  Await await = { loop, NULL };
  GWeakRef task_ref;
  GObject *task;

  /* cancelled before it starts */
  g_cancellable_cancel (cancellable);
  ze_key_pair_generate_async (ZE_KEY_TYPE_EC_P256, cancellable, await_cb, &await);
  g_main_loop_run (loop);
  key = ze_key_pair_generate_finish (await.result, &error);
  g_clear_object (&await.result);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (key);
  g_clear_error (&error);

  /* cancelled while the worker runs: the caller hears at once, while the
   * worker still holds the task (RSA 3072 takes 0.1 to 1 s here),
   * and the key made afterwards is dropped with the task */
  g_clear_object (&cancellable);
  cancellable = g_cancellable_new ();
  ze_key_pair_generate_async (ZE_KEY_TYPE_RSA_3072, cancellable, await_cb, &await);
  /* late enough for the worker to be busy with the key, not at its first check */
  g_timeout_add_once (20, cancel_cb, cancellable);
  g_main_loop_run (loop);
  g_weak_ref_init (&task_ref, await.result);
  key = ze_key_pair_generate_finish (await.result, &error);
  g_clear_object (&await.result);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (key);
  task = g_weak_ref_get (&task_ref);
  g_assert_nonnull (task);
  g_object_unref (task);

  /* wait for the worker to let go, so it does not outlive the test */
  for (guint i = 0; (task = g_weak_ref_get (&task_ref)) != NULL; i++)
    {
      g_object_unref (task);
      g_assert_cmpuint (i, <, 3000);
      g_usleep (10 * 1000);
    }
  g_weak_ref_clear (&task_ref);
}

/* --- key files ------------------------------------------------------------ */

static void
test_pkcs8_round_trip (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZeKeyPair) key = ze_key_pair_generate (ZE_KEY_TYPE_EC_P384, &error);
  g_autoptr(ZeKeyPair) again = NULL;
  g_autoptr(ZeKeyPair) rsa = load_key ("pki/rsa-pkcs1-key.pem");
  g_autoptr(ZeKeyPair) rsa_again = NULL;
  char *pem;

  g_assert_no_error (error);
  pem = ze_key_pair_export_pkcs8_pem (key, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (pem, "-----BEGIN PRIVATE KEY-----\n"));
  g_assert_true (g_str_has_suffix (pem, "-----END PRIVATE KEY-----\n"));

  again = ze_key_pair_new_from_pem (pem, strlen (pem), &error);
  gnutls_memset (pem, 0, strlen (pem));
  g_free (pem);
  g_assert_no_error (error);
  g_assert_true (same_public_key (key, again));
  g_assert_cmpint (ze_key_pair_get_key_type (again), ==, ZE_KEY_TYPE_EC_P384);

  /* a PKCS #1 key comes out as PKCS #8 too */
  pem = ze_key_pair_export_pkcs8_pem (rsa, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (pem, "-----BEGIN PRIVATE KEY-----\n"));
  rsa_again = ze_key_pair_new_from_pem (pem, strlen (pem), &error);
  gnutls_memset (pem, 0, strlen (pem));
  g_free (pem);
  g_assert_no_error (error);
  g_assert_true (same_public_key (rsa, rsa_again));
}

static void
test_pem_formats (void)
{
  g_autoptr(ZeKeyPair) sec1 = load_key ("pki/server-key.pem");            /* EC PRIVATE KEY */
  g_autoptr(ZeKeyPair) pkcs1 = load_key ("pki/rsa-pkcs1-key.pem");        /* RSA PRIVATE KEY */
  g_autoptr(ZeKeyPair) pkcs8 = load_key ("pki/ec-pkcs8-key.pem");         /* PRIVATE KEY */
  g_autofree char *sec1_text = ze_test_read_data ("pki/server-key.pem");
  g_autofree char *pkcs1_text = ze_test_read_data ("pki/rsa-pkcs1-key.pem");
  g_autofree char *pkcs8_text = ze_test_read_data ("pki/ec-pkcs8-key.pem");

  g_assert_true (g_str_has_prefix (sec1_text, "-----BEGIN EC PRIVATE KEY-----"));
  g_assert_true (g_str_has_prefix (pkcs1_text, "-----BEGIN RSA PRIVATE KEY-----"));
  g_assert_true (g_str_has_prefix (pkcs8_text, "-----BEGIN PRIVATE KEY-----"));

  assert_key_type (sec1, ZE_KEY_TYPE_EC_P256);
  assert_key_type (pkcs1, ZE_KEY_TYPE_RSA_2048);
  assert_key_type (pkcs8, ZE_KEY_TYPE_EC_P384);
}

static void
test_pem_invalid (void)
{
  g_autofree char *certificate = ze_test_read_data ("pki/server.pem");
  g_autofree char *key = ze_test_read_data ("pki/server-key.pem");
  g_autofree char *truncated = g_strndup (key, strlen (key) / 2);
  g_autofree char *damaged = g_strdup (key);
  g_autofree char *scalar_changed = g_strdup (key);
  char *body = strchr (damaged, '\n') + 1;
  const char *inputs[] = {
    "",
    "not a key",
    "-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----\n",
    certificate,
    truncated,
    damaged,
    scalar_changed,
  };

  /* the DER structure broken; then only the private scalar changed (SEC1
   * "MHcCAQEEI" + 32 bytes), so it no longer matches the public key beside it */
  body[0] = body[0] == 'A' ? 'B' : 'A';
  body = strchr (scalar_changed, '\n') + 1;
  g_assert_true (g_str_has_prefix (body, "MHcCAQEEI"));
  body[12] = body[12] == 'A' ? 'B' : 'A';

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ZeKeyPair) pair = NULL;

      g_test_message ("case %u", i);
      pair = ze_key_pair_new_from_pem (inputs[i], strlen (inputs[i]), &error);
      g_assert_error (error, ZE_ERROR, ZE_ERROR_INPUT_INVALID);
      g_assert_null (pair);
      g_assert_cmpuint (strlen (error->message), >, 40);
      g_assert_true (g_str_has_suffix (error->message, "."));
      /* the message never quotes the key */
      g_assert_null (strstr (error->message, "MI"));
    }

  gnutls_memset (key, 0, strlen (key));
  gnutls_memset (damaged, 0, strlen (damaged));
  gnutls_memset (scalar_changed, 0, strlen (scalar_changed));
  gnutls_memset (truncated, 0, strlen (truncated));
}

static void
test_pem_encrypted (void)
{
  g_autofree char *pem = ze_test_read_data ("pki/encrypted-key.pem");
  g_autoptr(GError) error = NULL;
  g_autoptr(ZeKeyPair) key = ze_key_pair_new_from_pem (pem, strlen (pem), &error);

  g_assert_error (error, ZE_ERROR, ZE_ERROR_INPUT_INVALID);
  g_assert_null (key);
  g_assert_nonnull (strstr (error->message, "password"));
}

/* --- certificate requests ------------------------------------------------- */

static gnutls_x509_crq_t
import_csr (const char *pem)
{
  gnutls_x509_crq_t crq = NULL;
  gnutls_datum_t datum = { (unsigned char *)pem, (unsigned int)strlen (pem) };

  g_assert_cmpint (gnutls_x509_crq_init (&crq), ==, 0);
  g_assert_cmpint (gnutls_x509_crq_import (crq, &datum, GNUTLS_X509_FMT_PEM), ==, 0);

  return crq;
}

static void
test_csr_subject (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZeKeyPair) key = ze_key_pair_generate (ZE_KEY_TYPE_EC_P256, &error);
  g_autofree char *pem = NULL;
  g_auto(gnutls_x509_crq_t) crq = NULL;
  g_auto(gnutls_datum_t) dn = { NULL, 0 };
  const char *oids[] = { GNUTLS_OID_X520_ORGANIZATION_NAME, GNUTLS_OID_LDAP_DC,
                         GNUTLS_OID_X520_COMMON_NAME };

  g_assert_no_error (error);
  pem = ze_key_pair_create_csr (key, CONTROLLER, SUBJECT, &error);
  g_assert_no_error (error);
  crq = import_csr (pem);

  /* RFC 4514 lists the RDNs last first */
  g_assert_cmpint (gnutls_x509_crq_get_dn3 (crq, &dn, 0), ==, 0);
  g_assert_cmpstr ((const char *)dn.data, ==, "CN=" SUBJECT ",DC=" CONTROLLER ",O=OpenZiti");

  /* ...so in the DER the order is O, DC, CN, as the C SDK writes it */
  for (guint i = 0; i < G_N_ELEMENTS (oids); i++)
    {
      char oid[64];
      size_t size = sizeof oid;

      g_assert_cmpint (gnutls_x509_crq_get_dn_oid (crq, i, oid, &size), ==, 0);
      g_assert_cmpstr (oid, ==, oids[i]);
    }

  /* no extensions, no attributes */
  {
    char oid[64];
    size_t size = sizeof oid;

    g_assert_cmpint (gnutls_x509_crq_get_extension_info (crq, 0, oid, &size, NULL), ==,
                     GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE);
    size = sizeof oid;
    g_assert_cmpint (gnutls_x509_crq_get_attribute_info (crq, 0, oid, &size), <, 0);
  }
}

static void
test_csr_signature (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZeKeyPair) key = ze_key_pair_generate (ZE_KEY_TYPE_EC_P256, &error);
  g_autofree char *pem = NULL;
  g_auto(gnutls_x509_crq_t) crq = NULL;
  g_auto(gnutls_pubkey_t) pubkey = NULL;
  g_auto(gnutls_datum_t) spki = { NULL, 0 };
  g_autoptr(GBytes) spki_bytes = NULL;
  g_autoptr(GBytes) public_key = NULL;

  g_assert_no_error (error);
  pem = ze_key_pair_create_csr (key, CONTROLLER, SUBJECT, &error);
  g_assert_no_error (error);
  crq = import_csr (pem);

  /* proof of possession, as the controller checks it */
  g_assert_cmpint (gnutls_x509_crq_verify (crq, 0), ==, 0);
  g_assert_cmpint (gnutls_x509_crq_get_signature_algorithm (crq), ==, GNUTLS_SIGN_ECDSA_SHA256);

  /* ...for this very key */
  g_assert_cmpint (gnutls_pubkey_init (&pubkey), ==, 0);
  g_assert_cmpint (gnutls_pubkey_import_x509_crq (pubkey, crq, 0), ==, 0);
  g_assert_cmpint (gnutls_pubkey_export2 (pubkey, GNUTLS_X509_FMT_DER, &spki), ==, 0);
  spki_bytes = g_bytes_new (spki.data, spki.size);
  public_key = ze_key_pair_get_public_key_der (key);
  g_assert_true (g_bytes_equal (spki_bytes, public_key));
}

static void
test_csr_single_newline (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZeKeyPair) key = ze_key_pair_generate (ZE_KEY_TYPE_EC_P256, &error);
  g_autofree char *pem = NULL;
  const char *end;
  g_auto(GStrv) lines = NULL;

  g_assert_no_error (error);
  pem = ze_key_pair_create_csr (key, CONTROLLER, SUBJECT, &error);
  g_assert_no_error (error);

  /* exactly one block, and nothing after it but one "\n": the controller
   * refuses anything more */
  g_assert_true (g_str_has_prefix (pem, "-----BEGIN CERTIFICATE REQUEST-----\n"));
  end = strstr (pem, "-----END CERTIFICATE REQUEST-----");
  g_assert_nonnull (end);
  g_assert_cmpstr (end, ==, "-----END CERTIFICATE REQUEST-----\n");
  g_assert_null (strstr (pem + 1, "-----BEGIN"));
  g_assert_null (strchr (pem, '\r'));

  /* base64 in 64-column lines */
  lines = g_strsplit (pem, "\n", -1);
  for (guint i = 1; lines[i + 1] != NULL && lines[i + 2] != NULL; i++)
    g_assert_cmpuint (strlen (lines[i]), <=, 64);
  g_assert_cmpuint (strlen (lines[1]), ==, 64);
}

static void
test_csr_rsa (void)
{
  g_autoptr(ZeKeyPair) key = load_key ("pki/rsa-pkcs1-key.pem");
  g_autoptr(GError) error = NULL;
  g_autofree char *pem = ze_key_pair_create_csr (key, "https://[::1]:1280", "Ünïcode name", &error);
  g_auto(gnutls_x509_crq_t) crq = NULL;
  g_auto(gnutls_datum_t) dn = { NULL, 0 };

  g_assert_no_error (error);
  crq = import_csr (pem);
  g_assert_cmpint (gnutls_x509_crq_verify (crq, 0), ==, 0);
  g_assert_cmpint (gnutls_x509_crq_get_signature_algorithm (crq), ==, GNUTLS_SIGN_RSA_SHA256);
  g_assert_cmpint (gnutls_x509_crq_get_dn3 (crq, &dn, 0), ==, 0);
  g_assert_cmpstr ((const char *)dn.data, ==, "CN=Ünïcode name,DC=https://[::1]:1280,O=OpenZiti");
}

static void
test_csr_invalid_input (void)
{
  g_autoptr(ZeKeyPair) key = load_key ("pki/server-key.pem");
  g_autoptr(GError) error = NULL;
  g_autofree char *pem = NULL;

  pem = ze_key_pair_create_csr (key, "https://ctrl.exämple.com", SUBJECT, &error);
  g_assert_error (error, ZE_ERROR, ZE_ERROR_INPUT_INVALID);
  g_assert_null (pem);
  g_clear_error (&error);

  pem = ze_key_pair_create_csr (key, CONTROLLER, "", &error);
  g_assert_error (error, ZE_ERROR, ZE_ERROR_INPUT_INVALID);
  g_assert_null (pem);
  g_clear_error (&error);

  pem = ze_key_pair_create_csr (key, "", SUBJECT, &error);
  g_assert_error (error, ZE_ERROR, ZE_ERROR_INPUT_INVALID);
  g_assert_null (pem);
}

/* --- the key and its certificate ------------------------------------------ */

static void
test_public_key_matches_certificate (void)
{
  g_autoptr(ZeKeyPair) server_key = load_key ("pki/server-key.pem");
  g_autoptr(ZeKeyPair) rsa_key = load_key ("pki/rsa-pkcs1-key.pem");
  g_autoptr(ZeCertificate) server = load_certificate ("pki/server.pem");
  g_autoptr(ZeCertificate) other = load_certificate ("pki/other-server.pem");
  g_autoptr(ZeCertificate) tv2 = load_certificate ("tv2-leaf.pem");
  g_autoptr(GBytes) public_key = ze_key_pair_get_public_key_der (server_key);
  g_autoptr(GBytes) rsa_public_key = ze_key_pair_get_public_key_der (rsa_key);

  g_assert_true (ze_certificate_has_public_key_of (server, public_key));
  g_assert_false (ze_certificate_has_public_key_of (other, public_key));
  g_assert_false (ze_certificate_has_public_key_of (tv2, public_key));
  g_assert_false (ze_certificate_has_public_key_of (server, rsa_public_key));
}

static void
test_key_type_strings (void)
{
  const char *names[] = { "ec-p256", "ec-p384", "rsa-2048", "rsa-3072", "rsa-4096" };
  ZeKeyType key_type;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_assert_true (ze_key_type_from_string (names[i], &key_type));
      g_assert_cmpint (key_type, ==, (ZeKeyType)i);
      g_assert_cmpstr (ze_key_type_to_string (key_type), ==, names[i]);
    }

  g_assert_true (ze_key_type_from_string ("EC-P384", &key_type));
  g_assert_cmpint (key_type, ==, ZE_KEY_TYPE_EC_P384);

  key_type = ZE_KEY_TYPE_RSA_3072;
  g_assert_false (ze_key_type_from_string ("ec-p521", &key_type));
  g_assert_false (ze_key_type_from_string ("rsa", &key_type));
  g_assert_false (ze_key_type_from_string ("", &key_type));
  g_assert_cmpint (key_type, ==, ZE_KEY_TYPE_RSA_3072);
}

static void
test_new_for_privkey (void)
{
  g_autofree char *pem = ze_test_read_data ("pki/rsa-pkcs1-key.pem");
  gnutls_datum_t datum = { (unsigned char *)pem, (unsigned int)strlen (pem) };
  gnutls_x509_privkey_t x509 = NULL;
  gnutls_privkey_t privkey = NULL;
  g_autoptr(ZeKeyPair) key = NULL;
  g_autoptr(ZeKeyPair) reference = load_key ("pki/rsa-pkcs1-key.pem");
  g_autoptr(GError) error = NULL;
  g_autofree char *csr = NULL;
  char *exported;

  g_assert_cmpint (gnutls_x509_privkey_init (&x509), ==, 0);
  g_assert_cmpint (gnutls_x509_privkey_import (x509, &datum, GNUTLS_X509_FMT_PEM), ==, 0);
  gnutls_memset (pem, 0, strlen (pem));
  g_assert_cmpint (gnutls_privkey_init (&privkey), ==, 0);
  g_assert_cmpint (gnutls_privkey_import_x509 (privkey, x509, GNUTLS_PRIVKEY_IMPORT_AUTO_RELEASE), ==, 0);

  /* the key pair takes the privkey over; it is freed with it */
  key = ze_key_pair_new_for_privkey (privkey, "pkcs11:token=Test;object=ziti;type=private");
  g_assert_cmpstr (ze_key_pair_get_uri (key), ==, "pkcs11:token=Test;object=ziti;type=private");
  g_assert_cmpint (ze_key_pair_get_key_type (key), ==, ZE_KEY_TYPE_RSA_2048);
  g_assert_true (same_public_key (key, reference));

  /* signing goes through the abstract key */
  csr = ze_key_pair_create_csr (key, CONTROLLER, SUBJECT, &error);
  g_assert_no_error (error);
  g_assert_nonnull (csr);

  /* a software key stays exportable */
  exported = ze_key_pair_export_pkcs8_pem (key, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (exported, "-----BEGIN PRIVATE KEY-----\n"));
  gnutls_memset (exported, 0, strlen (exported));
  g_free (exported);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_data_func ("/core/key-pair/generate/ec-p256",
                        GINT_TO_POINTER (ZE_KEY_TYPE_EC_P256), test_generate);
  g_test_add_data_func ("/core/key-pair/generate/ec-p384",
                        GINT_TO_POINTER (ZE_KEY_TYPE_EC_P384), test_generate);
  g_test_add_data_func ("/core/key-pair/generate/rsa-2048",
                        GINT_TO_POINTER (ZE_KEY_TYPE_RSA_2048), test_generate);
  g_test_add_data_func ("/core/key-pair/generate/rsa-3072",
                        GINT_TO_POINTER (ZE_KEY_TYPE_RSA_3072), test_generate);
  g_test_add_func ("/core/key-pair/generate/rsa-4096-async", test_generate_rsa_4096_async);
  g_test_add_func ("/core/key-pair/generate/cancelled", test_generate_cancelled);
  g_test_add_func ("/core/key-pair/pkcs8/round-trip", test_pkcs8_round_trip);
  g_test_add_func ("/core/key-pair/pem/formats", test_pem_formats);
  g_test_add_func ("/core/key-pair/pem/invalid", test_pem_invalid);
  g_test_add_func ("/core/key-pair/pem/encrypted", test_pem_encrypted);
  g_test_add_func ("/core/key-pair/csr/subject", test_csr_subject);
  g_test_add_func ("/core/key-pair/csr/signature", test_csr_signature);
  g_test_add_func ("/core/key-pair/csr/single-newline", test_csr_single_newline);
  g_test_add_func ("/core/key-pair/csr/rsa", test_csr_rsa);
  g_test_add_func ("/core/key-pair/csr/invalid-input", test_csr_invalid_input);
  g_test_add_func ("/core/key-pair/public-key/matches-certificate",
                   test_public_key_matches_certificate);
  g_test_add_func ("/core/key-pair/key-type/strings", test_key_type_strings);
  g_test_add_func ("/core/key-pair/new-for-privkey", test_new_for_privkey);

  return g_test_run ();
}
