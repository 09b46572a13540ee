/* test-pkcs11.c: keys generated on a PKCS #11 token, and their records
 *
 * Every case runs in a child process (g_test_trap_subprocess) with its own
 * SoftHSM2 configuration and token in a temporary folder: SoftHSM reads its
 * configuration once per process, and GnuTLS keeps a module loaded until the
 * process ends. The parent makes the folder and the token, and removes both.
 *
 * The token is inspected through p11-kit directly, not through the store,
 * and the key URI is read the way the OpenZiti C SDK reads it
 * (ziti-sdk-c library/utils.c parse_pkcs11_uri(), tlsuv src/p11.c).
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>
#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/pkcs11.h>
#include <gnutls/x509.h>
#include <p11-kit/p11-kit.h>
#include <p11-kit/uri.h>

#include "zitienroll.h"
#include "ze-gnutls-private.h"
#include "ze-pkcs11-store.h"
#include "ze-test-util.h"

#define TOKEN_LABEL "ze-test-token"
/* Characters that need escaping in URLs: the store must encode the PIN. */
#define PIN         "pin 12%;&?"
#define SO_PIN      "so-pin-5678"
#define CONTROLLER  "https://ctrl.example.com:1280"

static char *softhsm_module;
static char *softhsm_util;
static char *base_folder;       /* made by the parent, inherited by the children */

typedef struct
{
  char *root;
  char *records;
} Fixture;

/* ---- the parent: a folder, a SoftHSM configuration and a token ---- */

static void
remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
            remove_tree (child);
          else
            g_unlink (child);
        }
      g_dir_close (dir);
    }

  g_rmdir (path);
}

static void
run_softhsm_util (const char *conf,
                  const char *label)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "SOFTHSM2_CONF", conf, TRUE);
  process = g_subprocess_launcher_spawn (launcher, &error, softhsm_util,
                                         "--init-token", "--free",
                                         "--label", label,
                                         "--pin", PIN,
                                         "--so-pin", SO_PIN,
                                         NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_successful (process))
    g_error ("softhsm2-util --init-token failed: %s%s", out, err);
}

/* This case's folder: BASE/PATH-OF-THE-CASE, the same in parent and child. */
static char *
case_folder (void)
{
  g_autofree char *name = g_strdup (g_test_get_path ());

  g_strdelimit (name, "/", '_');

  return g_build_filename (base_folder, name, NULL);
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autofree char *conf = NULL;

  fixture->root = case_folder ();
  fixture->records = g_build_filename (fixture->root, "identities", NULL);
  conf = g_build_filename (fixture->root, "softhsm2.conf", NULL);

  if (!g_test_subprocess ())
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *tokens = g_build_filename (fixture->root, "tokens", NULL);
      g_autofree char *text = NULL;

      g_assert_cmpint (g_mkdir_with_parents (tokens, 0700), ==, 0);
      text = g_strdup_printf ("directories.tokendir = %s\n"
                              "objectstore.backend = file\n"
                              "log.level = ERROR\n"
                              "slots.removable = false\n",
                              tokens);
      g_file_set_contents (conf, text, -1, &error);
      g_assert_no_error (error);
      run_softhsm_util (conf, TOKEN_LABEL);
    }
  else
    {
      /* Before anything loads the module, which reads it once. */
      g_assert_true (g_file_test (conf, G_FILE_TEST_IS_REGULAR));
      g_setenv ("SOFTHSM2_CONF", conf, TRUE);
    }
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  if (!g_test_subprocess ())
    remove_tree (fixture->root);

  g_clear_pointer (&fixture->root, g_free);
  g_clear_pointer (&fixture->records, g_free);
}

/* In the parent: runs this case in a child and checks it passed. A failure
 * marks the case failed without stopping the parent, so that the teardown
 * still removes the token and the other cases still run. */
static gboolean
in_child (void)
{
  if (g_test_subprocess ())
    return TRUE;

  g_test_trap_subprocess (NULL, 50 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  if (!g_test_trap_has_passed ())
    g_test_fail_printf ("the child process for %s failed (its messages are above)",
                        g_test_get_path ());

  return FALSE;
}

/* ---- the store, driven as the enroller drives it ---- */

static void
store_result_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  g_assert_null (*slot);
  *slot = g_object_ref (result);
}

static GAsyncResult *
await_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);

  return *slot;
}

static ZePkcs11Store *
make_store (Fixture    *fixture,
            const char *label,
            const char *pin)
{
  g_autoptr(GError) error = NULL;
  ZePkcs11Store *store;

  store = ze_pkcs11_store_new (fixture->records, softhsm_module, label, pin, &error);
  g_assert_no_error (error);
  g_assert_true (ZE_IS_PKCS11_STORE (store));

  return store;
}

static ZeIdentity *
make_identity (const char *name)
{
  ZeIdentity *identity = ze_identity_new (name);

  ze_identity_set_controller_url (identity, CONTROLLER);
  ze_identity_set_token_id (identity, "2b6c5f0e-0f1a-4c1e-9d4e-0123456789ab");

  return identity;
}

static ZeKeyPair *
generate (ZePkcs11Store  *store,
          ZeIdentity     *identity,
          ZeKeyType       key_type,
          GCancellable   *cancellable,
          GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  ze_identity_store_generate_key_async (ZE_IDENTITY_STORE (store), identity, key_type,
                                        cancellable, store_result_cb, &result);
  return ze_identity_store_generate_key_finish (ZE_IDENTITY_STORE (store),
                                                await_result (&result), error);
}

static gboolean
begin (ZePkcs11Store  *store,
       ZeIdentity     *identity,
       ZeKeyPair      *key,
       GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  ze_identity_store_begin_async (ZE_IDENTITY_STORE (store), identity, key, NULL,
                                 store_result_cb, &result);
  return ze_identity_store_begin_finish (ZE_IDENTITY_STORE (store), await_result (&result), error);
}

static gboolean
complete (ZePkcs11Store  *store,
          ZeIdentity     *identity,
          GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  ze_identity_store_complete_async (ZE_IDENTITY_STORE (store), identity, NULL,
                                    store_result_cb, &result);
  return ze_identity_store_complete_finish (ZE_IDENTITY_STORE (store), await_result (&result),
                                            error);
}

static gboolean
abort_store (ZePkcs11Store  *store,
             ZeIdentity     *identity,
             GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  ze_identity_store_abort_async (ZE_IDENTITY_STORE (store), identity, NULL,
                                 store_result_cb, &result);
  return ze_identity_store_abort_finish (ZE_IDENTITY_STORE (store), await_result (&result), error);
}

static ZeKeyPair *
generate_ok (ZePkcs11Store *store,
             ZeIdentity    *identity,
             ZeKeyType      key_type)
{
  g_autoptr(GError) error = NULL;
  ZeKeyPair *key = generate (store, identity, key_type, NULL, &error);

  g_assert_no_error (error);
  g_assert_true (ZE_IS_KEY_PAIR (key));

  return key;
}

/* ---- the key URI, read the way the C SDK reads it ---- */

typedef struct
{
  char *lib;
  char *slot;
  char *pin;
  char *id;
  char *label;
} SdkUri;

static void
sdk_uri_clear (SdkUri *uri)
{
  g_clear_pointer (&uri->lib, g_free);
  g_clear_pointer (&uri->slot, g_free);
  g_clear_pointer (&uri->pin, g_free);
  g_clear_pointer (&uri->id, g_free);
  g_clear_pointer (&uri->label, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SdkUri, sdk_uri_clear)

/* scheme "://" [user "@"] [host] [":" port] path ["?" query]; then the query
 * split at '&' and matched by prefix. No percent-decoding anywhere. */
static void
sdk_uri_parse (const char *text,
               SdkUri     *uri)
{
  const char *p, *query;
  g_auto(GStrv) options = NULL;

  g_assert_true (g_str_has_prefix (text, "pkcs11://"));
  p = text + strlen ("pkcs11://");
  g_assert_null (strchr (p, '@'));        /* would be read as a user name */
  g_assert_cmpint (*p, ==, '/');          /* no host name: the path starts at once */

  query = strchr (p, '?');
  g_assert_nonnull (query);
  uri->lib = g_strndup (p, query - p);

  options = g_strsplit (query + 1, "&", -1);
  for (guint i = 0; options[i] != NULL; i++)
    {
      if (g_str_has_prefix (options[i], "slot="))
        uri->slot = g_strdup (options[i] + 5);
      else if (g_str_has_prefix (options[i], "pin="))
        uri->pin = g_strdup (options[i] + 4);
      else if (g_str_has_prefix (options[i], "id="))
        uri->id = g_strdup (options[i] + 3);
      else if (g_str_has_prefix (options[i], "label="))
        uri->label = g_strdup (options[i] + 6);
    }
}

/* tlsuv: strtoul (slot, NULL, 16), and the id as "%2hhx" pairs into char[32]. */
static CK_SLOT_ID
sdk_uri_slot (const SdkUri *uri)
{
  g_assert_nonnull (uri->slot);
  return strtoul (uri->slot, NULL, 16);
}

static GBytes *
sdk_uri_id (const SdkUri *uri)
{
  guint8 id[32];
  gsize len;

  g_assert_nonnull (uri->id);
  len = (strlen (uri->id) + 1) / 2;
  g_assert_cmpuint (len, <=, sizeof id);
  for (gsize i = 0; i < len; i++)
    g_assert_cmpint (sscanf (uri->id + 2 * i, "%2hhx", &id[i]), ==, 1);

  return g_bytes_new (id, len);
}

/* ---- the token, through p11-kit ---- */

typedef struct
{
  CK_FUNCTION_LIST  *module;
  CK_SESSION_HANDLE  session;
  CK_SLOT_ID         slot;
  CK_TOKEN_INFO      info;
} Token;

static void
token_open (Token *token)
{
  CK_SLOT_ID slots[16];
  CK_ULONG n_slots = G_N_ELEMENTS (slots);
  gboolean found = FALSE;
  CK_RV rv;

  memset (token, 0, sizeof *token);
  token->module = p11_kit_module_load (softhsm_module, 0);
  g_assert_nonnull (token->module);
  g_assert_cmpuint (p11_kit_module_initialize (token->module), ==, CKR_OK);
  g_assert_cmpuint (token->module->C_GetSlotList (CK_TRUE, slots, &n_slots), ==, CKR_OK);

  for (CK_ULONG i = 0; i < n_slots && !found; i++)
    {
      g_assert_cmpuint (token->module->C_GetTokenInfo (slots[i], &token->info), ==, CKR_OK);
      if (strncmp ((const char *)token->info.label, TOKEN_LABEL " ", strlen (TOKEN_LABEL) + 1) == 0)
        {
          token->slot = slots[i];
          found = TRUE;
        }
    }
  g_assert_true (found);

  g_assert_cmpuint (token->module->C_OpenSession (token->slot, CKF_SERIAL_SESSION, NULL, NULL,
                                                  &token->session), ==, CKR_OK);
  rv = token->module->C_Login (token->session, CKU_USER, (CK_UTF8CHAR_PTR)PIN, strlen (PIN));
  g_assert_true (rv == CKR_OK || rv == CKR_USER_ALREADY_LOGGED_IN);
}

static void
token_close (Token *token)
{
  if (token->module == NULL)
    return;

  token->module->C_CloseSession (token->session);
  p11_kit_module_finalize (token->module);
  p11_kit_module_release (token->module);
  token->module = NULL;
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Token, token_close)

/* Objects of @klass (any class when NULL) with CKA_ID @id (any when NULL). */
static guint
token_count (Token                 *token,
             const CK_OBJECT_CLASS *klass,
             GBytes                *id,
             CK_OBJECT_HANDLE      *first)
{
  CK_ATTRIBUTE query[2];
  CK_ULONG n_query = 0;
  CK_OBJECT_HANDLE handles[32];
  CK_ULONG found = 0;

  if (klass != NULL)
    query[n_query++] = (CK_ATTRIBUTE) { CKA_CLASS, (void *)klass, sizeof *klass };
  if (id != NULL)
    query[n_query++] = (CK_ATTRIBUTE) { CKA_ID, (void *)g_bytes_get_data (id, NULL),
                                        g_bytes_get_size (id) };

  g_assert_cmpuint (token->module->C_FindObjectsInit (token->session, query, n_query), ==, CKR_OK);
  g_assert_cmpuint (token->module->C_FindObjects (token->session, handles, G_N_ELEMENTS (handles),
                                                  &found), ==, CKR_OK);
  g_assert_cmpuint (token->module->C_FindObjectsFinal (token->session), ==, CKR_OK);

  if (first != NULL && found > 0)
    *first = handles[0];

  return found;
}

static const CK_OBJECT_CLASS private_class = CKO_PRIVATE_KEY;
static const CK_OBJECT_CLASS public_class = CKO_PUBLIC_KEY;

static CK_OBJECT_HANDLE
token_find (Token                 *token,
            const CK_OBJECT_CLASS *klass,
            GBytes                *id)
{
  CK_OBJECT_HANDLE handle = 0;

  g_assert_cmpuint (token_count (token, klass, id, &handle), ==, 1);

  return handle;
}

static gboolean
token_get_bool (Token             *token,
                CK_OBJECT_HANDLE   handle,
                CK_ATTRIBUTE_TYPE  type)
{
  CK_BBOOL value = CK_FALSE;
  CK_ATTRIBUTE attr = { type, &value, sizeof value };

  g_assert_cmpuint (token->module->C_GetAttributeValue (token->session, handle, &attr, 1), ==, CKR_OK);

  return value == CK_TRUE;
}

static CK_ULONG
token_get_ulong (Token             *token,
                 CK_OBJECT_HANDLE   handle,
                 CK_ATTRIBUTE_TYPE  type)
{
  CK_ULONG value = 0;
  CK_ATTRIBUTE attr = { type, &value, sizeof value };

  g_assert_cmpuint (token->module->C_GetAttributeValue (token->session, handle, &attr, 1), ==, CKR_OK);

  return value;
}

/* The attribute's bytes, or NULL with @rv_out set when the token refuses. */
static GBytes *
token_get_bytes (Token             *token,
                 CK_OBJECT_HANDLE   handle,
                 CK_ATTRIBUTE_TYPE  type,
                 CK_RV             *rv_out)
{
  CK_ATTRIBUTE attr = { type, NULL, 0 };
  g_autofree guint8 *value = NULL;
  CK_RV rv;

  rv = token->module->C_GetAttributeValue (token->session, handle, &attr, 1);
  if (rv == CKR_OK && attr.ulValueLen != (CK_ULONG)-1)
    {
      value = g_malloc0 (attr.ulValueLen + 1);
      attr.pValue = value;
      rv = token->module->C_GetAttributeValue (token->session, handle, &attr, 1);
    }

  if (rv_out != NULL)
    *rv_out = rv;
  if (rv != CKR_OK)
    return NULL;

  return g_bytes_new (value, attr.ulValueLen);
}

static GBytes *
export_pubkey (gnutls_pubkey_t pubkey)
{
  gnutls_datum_t der = { NULL, 0 };
  GBytes *bytes;

  g_assert_cmpint (gnutls_pubkey_export2 (pubkey, GNUTLS_X509_FMT_DER, &der), ==, 0);
  bytes = g_bytes_new (der.data, der.size);
  gnutls_free (der.data);

  return bytes;
}

static gnutls_datum_t
datum_of (GBytes *bytes)
{
  gsize len;
  gnutls_datum_t datum;

  datum.data = (unsigned char *)g_bytes_get_data (bytes, &len);
  datum.size = (unsigned int)len;

  return datum;
}

/* The SubjectPublicKeyInfo built from the token's public key object, from
 * the attributes tlsuv reads (EC: CKA_EC_PARAMS, CKA_EC_POINT; RSA:
 * CKA_MODULUS, CKA_PUBLIC_EXPONENT). */
static GBytes *
token_public_key (Token            *token,
                  CK_OBJECT_HANDLE  handle)
{
  g_auto(gnutls_pubkey_t) pubkey = NULL;
  CK_ULONG key_type = token_get_ulong (token, handle, CKA_KEY_TYPE);

  g_assert_cmpint (gnutls_pubkey_init (&pubkey), ==, 0);

  if (key_type == CKK_EC)
    {
      g_autoptr(GBytes) params = token_get_bytes (token, handle, CKA_EC_PARAMS, NULL);
      g_autoptr(GBytes) point = token_get_bytes (token, handle, CKA_EC_POINT, NULL);
      gnutls_datum_t p, q;

      g_assert_nonnull (params);
      g_assert_nonnull (point);
      p = datum_of (params);
      q = datum_of (point);
      g_assert_cmpint (gnutls_pubkey_import_ecc_x962 (pubkey, &p, &q), ==, 0);
    }
  else
    {
      g_autoptr(GBytes) modulus = token_get_bytes (token, handle, CKA_MODULUS, NULL);
      g_autoptr(GBytes) exponent = token_get_bytes (token, handle, CKA_PUBLIC_EXPONENT, NULL);
      gnutls_datum_t m, e;

      g_assert_cmpuint (key_type, ==, CKK_RSA);
      g_assert_nonnull (modulus);
      g_assert_nonnull (exponent);
      m = datum_of (modulus);
      e = datum_of (exponent);
      g_assert_cmpint (gnutls_pubkey_import_rsa_raw (pubkey, &m, &e), ==, 0);
    }

  return export_pubkey (pubkey);
}

/* An RFC 7512 URL for GnuTLS from what the C SDK URI says: the token in
 * @slot, the objects with @id, and the PIN. */
static char *
token_url_for (Token    *token,
               GBytes   *id,
               gboolean  private_key)
{
  P11KitUri *uri = p11_kit_uri_new ();
  CK_OBJECT_CLASS klass = CKO_PRIVATE_KEY;
  CK_ATTRIBUTE id_attr = { CKA_ID, (void *)g_bytes_get_data (id, NULL), g_bytes_get_size (id) };
  CK_ATTRIBUTE class_attr = { CKA_CLASS, &klass, sizeof klass };
  char *text = NULL;
  char *ret;

  memcpy (p11_kit_uri_get_token_info (uri), &token->info, sizeof token->info);
  p11_kit_uri_set_attribute (uri, &id_attr);
  if (private_key)
    p11_kit_uri_set_attribute (uri, &class_attr);
  p11_kit_uri_set_pin_value (uri, PIN);
  g_assert_cmpint (p11_kit_uri_format (uri, P11_KIT_URI_FOR_OBJECT_ON_TOKEN, &text), ==,
                   P11_KIT_URI_OK);
  p11_kit_uri_free (uri);
  ret = g_strdup (text);
  free (text);

  return ret;
}

/* Checks what the store's URI says against the token, and returns the id. */
static GBytes *
check_key_uri (Token      *token,
               ZeKeyPair  *key,
               const char *name)
{
  g_auto(SdkUri) uri = { NULL, };
  g_autoptr(GBytes) id = NULL;
  g_autoptr(GBytes) parsed_id = NULL;
  g_autoptr(GBytes) label = NULL;
  g_autoptr(GBytes) token_pub = NULL;
  g_autoptr(GBytes) key_pub = NULL;
  g_autoptr(GRegex) form = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *parsed_module = NULL;
  const char *text = ze_key_pair_get_uri (key);
  CK_OBJECT_HANDLE priv, pub;
  gulong parsed_slot = 0;

  g_assert_nonnull (text);
  g_test_message ("key URI: %s", text);
  form = g_regex_new ("^pkcs11://[^?]+\\?slot=0x[0-9a-f]+&id=[0-9a-f]{32}$", 0, 0, NULL);
  g_assert_true (g_regex_match (form, text, 0, NULL));
  g_assert_null (strstr (text, "pin"));
  g_assert_null (strstr (text, PIN));

  sdk_uri_parse (text, &uri);
  g_assert_cmpstr (uri.lib, ==, softhsm_module);
  g_assert_null (uri.pin);
  g_assert_cmpuint (sdk_uri_slot (&uri), ==, token->slot);
  id = sdk_uri_id (&uri);
  g_assert_cmpuint (g_bytes_get_size (id), ==, 16);

  /* The store's own reader agrees. */
  g_assert_true (ze_pkcs11_key_uri_parse (text, &parsed_module, &parsed_slot, &parsed_id, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (parsed_module, ==, softhsm_module);
  g_assert_cmpuint (parsed_slot, ==, token->slot);
  g_assert_true (g_bytes_equal (parsed_id, id));

  /* One private and one public key with that id, labelled with the name. */
  priv = token_find (token, &private_class, id);
  pub = token_find (token, &public_class, id);
  g_assert_cmpuint (token_count (token, NULL, id, NULL), ==, 2);
  label = token_get_bytes (token, priv, CKA_LABEL, NULL);
  g_assert_cmpmem (g_bytes_get_data (label, NULL), g_bytes_get_size (label), name, strlen (name));

  token_pub = token_public_key (token, pub);
  key_pub = ze_key_pair_get_public_key_der (key);
  g_assert_nonnull (key_pub);
  g_assert_true (g_bytes_equal (token_pub, key_pub));

  return g_steal_pointer (&id);
}

static JsonObject *
read_record (const char  *path,
             JsonParser **parser_out)
{
  g_autoptr(GError) error = NULL;
  JsonParser *parser = json_parser_new ();
  JsonNode *root;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  root = json_parser_get_root (parser);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
  *parser_out = parser;

  return json_node_get_object (root);
}

static char *
record_path (Fixture    *fixture,
             const char *name)
{
  g_autofree char *file = g_strconcat (name, ".json", NULL);

  return g_build_filename (fixture->records, file, NULL);
}

/* A self-signed certificate from the token key: what a controller would send. */
static char *
make_certificate (Token      *token,
                  GBytes     *id,
                  const char *name)
{
  g_autofree char *url = token_url_for (token, id, TRUE);
  g_auto(gnutls_privkey_t) privkey = NULL;
  g_auto(gnutls_pubkey_t) pubkey = NULL;
  g_auto(gnutls_x509_crt_t) crt = NULL;
  gnutls_datum_t pem = { NULL, 0 };
  guint8 serial[8] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08 };
  time_t now = time (NULL);
  char *ret;

  g_assert_cmpint (gnutls_privkey_init (&privkey), ==, 0);
  g_assert_cmpint (gnutls_privkey_import_url (privkey, url, GNUTLS_PKCS11_OBJ_FLAG_LOGIN), ==, 0);
  g_assert_cmpint (gnutls_pubkey_init (&pubkey), ==, 0);
  g_assert_cmpint (gnutls_pubkey_import_privkey (pubkey, privkey, 0, 0), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_init (&crt), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_version (crt, 3), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_serial (crt, serial, sizeof serial), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_dn_by_oid (crt, GNUTLS_OID_X520_COMMON_NAME, 0,
                                                  name, strlen (name)), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_activation_time (crt, now - 60), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_expiration_time (crt, now + 3600), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_pubkey (crt, pubkey), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_privkey_sign (crt, crt, privkey, GNUTLS_DIG_SHA256, 0), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_export2 (crt, GNUTLS_X509_FMT_PEM, &pem), ==, 0);
  ret = g_strndup ((const char *)pem.data, pem.size);
  gnutls_free (pem.data);

  return ret;
}

/* ---- cases ---- */

static void
test_kind (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(ZePkcs11Store) store = NULL;

  if (!in_child ())
    return;

  store = make_store (fixture, TOKEN_LABEL, PIN);
  g_assert_cmpstr (ze_identity_store_get_kind (ZE_IDENTITY_STORE (store)), ==, "pkcs11");
  g_assert_true (ze_identity_store_can_generate_key (ZE_IDENTITY_STORE (store)));
  g_assert_cmpstr (ze_pkcs11_store_get_module_path (store), ==, softhsm_module);
  g_assert_cmpstr (ze_pkcs11_store_get_token_label (store), ==, TOKEN_LABEL);
}

static void
test_generate (Fixture       *fixture,
               gconstpointer  data)
{
  ZeKeyType key_type = GPOINTER_TO_INT (data);
  g_autoptr(ZePkcs11Store) store = NULL;
  g_autoptr(ZeIdentity) identity = NULL;
  g_autoptr(ZeKeyPair) key = NULL;
  g_autoptr(GBytes) id = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(Token) token = { NULL, };
  g_autofree char *path = NULL;

  if (!in_child ())
    return;

  store = make_store (fixture, TOKEN_LABEL, PIN);
  identity = make_identity ("laptop");
  key = generate_ok (store, identity, key_type);
  g_assert_cmpint (ze_key_pair_get_key_type (key), ==, key_type);

  token_open (&token);
  id = check_key_uri (&token, key, "laptop");

  /* Generating makes no record yet; abort takes the unrecorded key away. */
  path = record_path (fixture, "laptop");
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_true (abort_store (store, identity, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (token_count (&token, NULL, id, NULL), ==, 0);
}

static void
test_not_extractable (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(ZePkcs11Store) store = NULL;
  g_autoptr(ZeIdentity) identity = NULL;
  g_autoptr(ZeKeyPair) key = NULL;
  g_autoptr(GBytes) id = NULL;
  g_autoptr(GBytes) value = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(Token) token = { NULL, };
  g_auto(gnutls_privkey_t) privkey = NULL;
  g_autofree char *url = NULL;
  g_autofree char *pem = NULL;
  gnutls_pkcs11_obj_t *objects = NULL;
  gnutls_x509_privkey_t exported = NULL;
  unsigned int n_objects = 0;
  CK_OBJECT_HANDLE priv, pub;
  gboolean seen_private = FALSE;
  CK_RV rv;

  if (!in_child ())
    return;

  store = make_store (fixture, TOKEN_LABEL, PIN);
  identity = make_identity ("sealed");
  key = generate_ok (store, identity, ZE_KEY_TYPE_EC_P256);
  token_open (&token);
  id = check_key_uri (&token, key, "sealed");

  /* The attributes, as the token reports them. */
  priv = token_find (&token, &private_class, id);
  g_assert_true (token_get_bool (&token, priv, CKA_TOKEN));
  g_assert_true (token_get_bool (&token, priv, CKA_PRIVATE));
  g_assert_true (token_get_bool (&token, priv, CKA_SENSITIVE));
  g_assert_true (token_get_bool (&token, priv, CKA_ALWAYS_SENSITIVE));
  g_assert_false (token_get_bool (&token, priv, CKA_EXTRACTABLE));
  g_assert_true (token_get_bool (&token, priv, CKA_NEVER_EXTRACTABLE));
  g_assert_true (token_get_bool (&token, priv, CKA_SIGN));
  pub = token_find (&token, &public_class, id);
  g_assert_false (token_get_bool (&token, pub, CKA_PRIVATE));

  /* The secret value cannot be read. */
  value = token_get_bytes (&token, priv, CKA_VALUE, &rv);
  g_assert_null (value);
  g_assert_cmpuint (rv, ==, CKR_ATTRIBUTE_SENSITIVE);

  /* The same, as GnuTLS sees the object. */
  url = token_url_for (&token, id, FALSE);
  g_assert_cmpint (gnutls_pkcs11_obj_list_import_url4 (&objects, &n_objects, url,
                                                       GNUTLS_PKCS11_OBJ_FLAG_LOGIN), ==, 0);
  g_assert_cmpuint (n_objects, ==, 2);
  for (unsigned int i = 0; i < n_objects; i++)
    {
      unsigned int flags = 0;

      if (gnutls_pkcs11_obj_get_type (objects[i]) == GNUTLS_PKCS11_OBJ_PRIVKEY)
        {
          char *text;

          g_assert_cmpint (gnutls_pkcs11_obj_get_flags (objects[i], &flags), ==, 0);
          text = gnutls_pkcs11_obj_flags_get_str (flags);
          g_test_message ("private key flags: %s", text);
          gnutls_free (text);
          g_assert_true (flags & GNUTLS_PKCS11_OBJ_FLAG_MARK_PRIVATE);
          g_assert_true (flags & GNUTLS_PKCS11_OBJ_FLAG_MARK_SENSITIVE);
          g_assert_true (flags & GNUTLS_PKCS11_OBJ_FLAG_NEVER_EXTRACTABLE);
          g_assert_false (flags & GNUTLS_PKCS11_OBJ_FLAG_MARK_EXTRACTABLE);
          seen_private = TRUE;
        }
      gnutls_pkcs11_obj_deinit (objects[i]);
    }
  gnutls_free (objects);
  g_assert_true (seen_private);

  /* Exporting fails, through the key pair and through GnuTLS. */
  pem = ze_key_pair_export_pkcs8_pem (key, &error);
  g_assert_error (error, ZE_ERROR, ZE_ERROR_PKCS11_FAILED);
  g_assert_null (pem);

  g_clear_pointer (&url, g_free);
  url = token_url_for (&token, id, TRUE);
  g_assert_cmpint (gnutls_privkey_init (&privkey), ==, 0);
  g_assert_cmpint (gnutls_privkey_import_url (privkey, url, GNUTLS_PKCS11_OBJ_FLAG_LOGIN), ==, 0);
  g_assert_cmpint (gnutls_privkey_export_x509 (privkey, &exported), <, 0);
  g_assert_null (exported);
}

static void
test_csr (Fixture       *fixture,
          gconstpointer  data)
{
  ZeKeyType key_type = GPOINTER_TO_INT (data);
  g_autoptr(ZePkcs11Store) store = NULL;
  g_autoptr(ZeIdentity) identity = NULL;
  g_autoptr(ZeKeyPair) key = NULL;
  g_autoptr(GBytes) id = NULL;
  g_autoptr(GBytes) token_pub = NULL;
  g_autoptr(GBytes) csr_pub = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(Token) token = { NULL, };
  g_auto(gnutls_x509_crq_t) crq = NULL;
  g_auto(gnutls_pubkey_t) pubkey = NULL;
  g_autofree char *csr = NULL;
  gnutls_datum_t datum;

  if (!in_child ())
    return;

  store = make_store (fixture, TOKEN_LABEL, PIN);
  identity = make_identity ("requester");
  key = generate_ok (store, identity, key_type);
  token_open (&token);
  id = check_key_uri (&token, key, "requester");

  csr = ze_key_pair_create_csr (key, CONTROLLER, "ymLGeIPi4", &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (csr, "-----BEGIN CERTIFICATE REQUEST-----\n"));
  g_assert_true (g_str_has_suffix (csr, "-----END CERTIFICATE REQUEST-----\n"));

  datum.data = (unsigned char *)csr;
  datum.size = strlen (csr);
  g_assert_cmpint (gnutls_x509_crq_init (&crq), ==, 0);
  g_assert_cmpint (gnutls_x509_crq_import (crq, &datum, GNUTLS_X509_FMT_PEM), ==, 0);
  g_assert_cmpint (gnutls_x509_crq_verify (crq, 0), >=, 0);

  /* It carries the token key's public key. */
  g_assert_cmpint (gnutls_pubkey_init (&pubkey), ==, 0);
  g_assert_cmpint (gnutls_pubkey_import_x509_crq (pubkey, crq, 0), ==, 0);
  csr_pub = export_pubkey (pubkey);
  token_pub = token_public_key (&token, token_find (&token, &public_class, id));
  g_assert_true (g_bytes_equal (csr_pub, token_pub));
}

static void
test_pending (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(ZePkcs11Store) store = NULL;
  g_autoptr(ZeIdentity) identity = NULL;
  g_autoptr(ZeKeyPair) key = NULL;
  g_autoptr(GBytes) id = NULL;
  g_autoptr(GBytes) uri_id = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(Token) token = { NULL, };
  g_auto(SdkUri) uri = { NULL, };
  g_autofree char *path = record_path (fixture, "pending-one");
  g_autofree char *contents = NULL;
  JsonObject *root, *id_object, *enrollment;
  const char *key_ref;
  GStatBuf st;

  if (!in_child ())
    return;

  store = make_store (fixture, TOKEN_LABEL, PIN);
  identity = make_identity ("pending-one");
  key = generate_ok (store, identity, ZE_KEY_TYPE_EC_P256);
  token_open (&token);
  id = check_key_uri (&token, key, "pending-one");

  g_assert_true (begin (store, identity, key, &error));
  g_assert_no_error (error);
  g_assert_true (ze_identity_get_pending (identity));
  g_assert_cmpstr (ze_identity_get_store_kind (identity), ==, "pkcs11");
  g_assert_cmpstr (ze_identity_get_location (identity), ==, path);

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (strstr (contents, "PRIVATE KEY"));
  g_assert_null (strstr (contents, PIN));
  g_assert_null (strstr (contents, "pin="));

  root = read_record (path, &parser);
  g_assert_cmpstr (json_object_get_string_member (root, "ztAPI"), ==, CONTROLLER);
  id_object = json_object_get_object_member (root, "id");
  g_assert_nonnull (id_object);
  g_assert_false (json_object_has_member (id_object, "cert"));
  key_ref = json_object_get_string_member (id_object, "key");
  g_assert_cmpstr (key_ref, ==, ze_key_pair_get_uri (key));

  /* The record's key reference names the module, the slot and the key. */
  sdk_uri_parse (key_ref, &uri);
  g_assert_cmpstr (uri.lib, ==, softhsm_module);
  g_assert_cmpuint (sdk_uri_slot (&uri), ==, token.slot);
  uri_id = sdk_uri_id (&uri);
  g_assert_true (g_bytes_equal (uri_id, id));

  enrollment = json_object_get_object_member (root, "enrollment");
  g_assert_nonnull (enrollment);
  g_assert_true (json_object_get_boolean_member (enrollment, "pending"));
  g_assert_cmpstr (json_object_get_string_member (enrollment, "store"), ==, "pkcs11");
  g_assert_cmpstr (json_object_get_string_member (enrollment, "name"), ==, "pending-one");
  g_assert_cmpstr (json_object_get_string_member (enrollment, "token_id"), ==,
                   "2b6c5f0e-0f1a-4c1e-9d4e-0123456789ab");
}

static void
test_complete (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(ZePkcs11Store) store = NULL;
  g_autoptr(ZeIdentity) identity = NULL;
  g_autoptr(ZeIdentity) loaded = NULL;
  g_autoptr(ZeIdentity) again = NULL;
  g_autoptr(ZeKeyPair) key = NULL;
  g_autoptr(ZeKeyPair) other = NULL;
  g_autoptr(GBytes) id = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = NULL;
  g_auto(Token) token = { NULL, };
  g_autofree char *path = record_path (fixture, "done");
  g_autofree char *cert = NULL;
  JsonObject *root, *id_object, *enrollment;
  const char *entry;
  guint n_entries = 0;
  GStatBuf st;

  if (!in_child ())
    return;

  store = make_store (fixture, TOKEN_LABEL, PIN);
  identity = make_identity ("done");
  key = generate_ok (store, identity, ZE_KEY_TYPE_EC_P384);
  token_open (&token);
  id = check_key_uri (&token, key, "done");
  g_assert_true (begin (store, identity, key, &error));
  g_assert_no_error (error);

  cert = make_certificate (&token, id, "done");
  ze_identity_set_certificate_pem (identity, cert);
  g_assert_true (complete (store, identity, &error));
  g_assert_no_error (error);
  g_assert_false (ze_identity_get_pending (identity));

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  root = read_record (path, &parser);
  id_object = json_object_get_object_member (root, "id");
  g_assert_true (g_str_has_prefix (json_object_get_string_member (id_object, "cert"),
                                   "pem:-----BEGIN CERTIFICATE-----"));
  g_assert_cmpstr (json_object_get_string_member (id_object, "key"), ==, ze_key_pair_get_uri (key));
  enrollment = json_object_get_object_member (root, "enrollment");
  g_assert_false (json_object_get_boolean_member (enrollment, "pending"));

  /* It reads back as this app's record. */
  loaded = ze_identity_new_from_record_json (json_parser_get_root (parser), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ze_identity_get_key_reference (loaded), ==, ze_key_pair_get_uri (key));
  g_assert_cmpstr (ze_identity_get_store_kind (loaded), ==, "pkcs11");
  g_assert_false (ze_identity_get_pending (loaded));

  /* Nothing half-written is left beside it; the key stays on the token. */
  dir = g_dir_open (fixture->records, 0, &error);
  g_assert_no_error (error);
  while ((entry = g_dir_read_name (dir)) != NULL)
    {
      g_assert_cmpstr (entry, ==, "done.json");
      n_entries++;
    }
  g_assert_cmpuint (n_entries, ==, 1);
  g_assert_cmpuint (token_count (&token, NULL, id, NULL), ==, 2);

  /* The store is spent: it makes no second key, and keeps the first. */
  again = make_identity ("done-again");
  other = generate (store, again, ZE_KEY_TYPE_EC_P256, NULL, &error);
  g_assert_error (error, ZE_ERROR, ZE_ERROR_STORAGE_FAILED);
  g_assert_null (other);
  g_assert_cmpuint (token_count (&token, &private_class, NULL, NULL), ==, 1);
  g_assert_cmpuint (token_count (&token, NULL, id, NULL), ==, 2);
}

static void
test_abort (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(ZePkcs11Store) store = NULL;
  g_autoptr(ZeIdentity) identity = NULL;
  g_autoptr(ZeKeyPair) key = NULL;
  g_autoptr(GBytes) id = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(Token) token = { NULL, };
  g_autofree char *path = record_path (fixture, "undone");

  if (!in_child ())
    return;

  store = make_store (fixture, TOKEN_LABEL, PIN);
  identity = make_identity ("undone");
  key = generate_ok (store, identity, ZE_KEY_TYPE_EC_P256);
  token_open (&token);
  id = check_key_uri (&token, key, "undone");
  g_assert_true (begin (store, identity, key, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));

  g_assert_true (abort_store (store, identity, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (token_count (&token, &private_class, id, NULL), ==, 0);
  g_assert_cmpuint (token_count (&token, &public_class, id, NULL), ==, 0);
  g_assert_cmpuint (token_count (&token, &private_class, NULL, NULL), ==, 0);

  /* A second abort has nothing left to do. */
  g_assert_true (abort_store (store, identity, &error));
  g_assert_no_error (error);
}

static void
test_exists (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(ZePkcs11Store) first = NULL;
  g_autoptr(ZePkcs11Store) second = NULL;
  g_autoptr(ZeIdentity) identity = NULL;
  g_autoptr(ZeIdentity) again = NULL;
  g_autoptr(ZeKeyPair) key = NULL;
  g_autoptr(ZeKeyPair) other = NULL;
  g_autoptr(GBytes) id = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(Token) token = { NULL, };
  g_autofree char *path = record_path (fixture, "taken");
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  if (!in_child ())
    return;

  first = make_store (fixture, TOKEN_LABEL, PIN);
  identity = make_identity ("taken");
  key = generate_ok (first, identity, ZE_KEY_TYPE_EC_P256);
  g_assert_true (begin (first, identity, key, &error));
  g_assert_no_error (error);
  g_file_get_contents (path, &before, NULL, &error);
  g_assert_no_error (error);

  /* A second store does not even make a key for a name that is taken. */
  second = make_store (fixture, TOKEN_LABEL, PIN);
  again = make_identity ("taken");
  other = generate (second, again, ZE_KEY_TYPE_EC_P256, NULL, &error);
  g_assert_error (error, ZE_ERROR, ZE_ERROR_IDENTITY_EXISTS);
  g_assert_nonnull (strstr (error->message, "taken"));
  g_assert_null (other);
  g_clear_error (&error);

  token_open (&token);
  g_assert_cmpuint (token_count (&token, &private_class, NULL, NULL), ==, 1);
  id = check_key_uri (&token, key, "taken");

  g_file_get_contents (path, &after, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (before, ==, after);
}

static void
test_exists_race (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(ZePkcs11Store) first = NULL;
  g_autoptr(ZePkcs11Store) second = NULL;
  g_autoptr(ZeIdentity) identity = NULL;
  g_autoptr(ZeIdentity) again = NULL;
  g_autoptr(ZeKeyPair) key = NULL;
  g_autoptr(ZeKeyPair) other = NULL;
  g_autoptr(GBytes) id = NULL;
  g_autoptr(GBytes) other_id = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(Token) token = { NULL, };
  g_autofree char *path = record_path (fixture, "contested");
  JsonObject *root;

  if (!in_child ())
    return;

  /* Both make a key before either writes its record. */
  first = make_store (fixture, TOKEN_LABEL, PIN);
  second = make_store (fixture, TOKEN_LABEL, PIN);
  identity = make_identity ("contested");
  again = make_identity ("contested");
  key = generate_ok (first, identity, ZE_KEY_TYPE_EC_P256);
  other = generate_ok (second, again, ZE_KEY_TYPE_EC_P256);
  token_open (&token);
  id = check_key_uri (&token, key, "contested");
  other_id = check_key_uri (&token, other, "contested");

  g_assert_true (begin (first, identity, key, &error));
  g_assert_no_error (error);
  g_assert_false (begin (second, again, other, &error));
  g_assert_error (error, ZE_ERROR, ZE_ERROR_IDENTITY_EXISTS);

  /* The loser's key is gone from the token; the winner's record and key stay. */
  g_assert_cmpuint (token_count (&token, NULL, other_id, NULL), ==, 0);
  g_assert_cmpuint (token_count (&token, NULL, id, NULL), ==, 2);
  root = read_record (path, &parser);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (root, "id"), "key"),
                   ==, ze_key_pair_get_uri (key));
}

static void
test_wrong_pin (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(ZePkcs11Store) store = NULL;
  g_autoptr(ZeIdentity) identity = NULL;
  g_autoptr(ZeKeyPair) key = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(Token) token = { NULL, };
  g_autofree char *path = record_path (fixture, "locked-out");

  if (!in_child ())
    return;

  store = make_store (fixture, TOKEN_LABEL, "0000-wrong");
  identity = make_identity ("locked-out");
  key = generate (store, identity, ZE_KEY_TYPE_EC_P256, NULL, &error);
  g_assert_error (error, ZE_ERROR, ZE_ERROR_PKCS11_PIN);
  g_assert_null (key);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message, "The PIN was not accepted"));
  g_assert_nonnull (strstr (error->message, TOKEN_LABEL));
  g_assert_null (strstr (error->message, "0000-wrong"));

  token_open (&token);
  g_assert_cmpuint (token_count (&token, &private_class, NULL, NULL), ==, 0);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

static void
test_unknown_token (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(ZePkcs11Store) store = NULL;
  g_autoptr(ZeIdentity) identity = NULL;
  g_autoptr(ZeKeyPair) key = NULL;
  g_autoptr(GError) error = NULL;

  if (!in_child ())
    return;

  store = make_store (fixture, "no-such-token", PIN);
  identity = make_identity ("nowhere");
  key = generate (store, identity, ZE_KEY_TYPE_EC_P256, NULL, &error);
  g_assert_error (error, ZE_ERROR, ZE_ERROR_PKCS11_FAILED);
  g_assert_null (key);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "“no-such-token”"));
  g_assert_nonnull (strstr (error->message, "“" TOKEN_LABEL "”"));
}

static void
test_bad_module (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(ZePkcs11Store) store = NULL;
  g_autoptr(ZeIdentity) identity = NULL;
  g_autoptr(ZeKeyPair) key = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *fake = NULL;
  g_autofree char *odd = NULL;

  if (!in_child ())
    return;

  /* Refused at once: relative, missing, or unusable in the C SDK's URI. */
  store = ze_pkcs11_store_new (fixture->records, "libsofthsm2.so", TOKEN_LABEL, PIN, &error);
  g_assert_error (error, ZE_ERROR, ZE_ERROR_PKCS11_FAILED);
  g_assert_null (store);
  g_clear_error (&error);

  fake = g_build_filename (fixture->root, "missing", "module.so", NULL);
  store = ze_pkcs11_store_new (fixture->records, fake, TOKEN_LABEL, PIN, &error);
  g_assert_error (error, ZE_ERROR, ZE_ERROR_PKCS11_FAILED);
  g_assert_nonnull (strstr (error->message, fake));
  g_assert_null (store);
  g_clear_error (&error);

  odd = g_build_filename (fixture->root, "mod?ule.so", NULL);
  g_file_set_contents (odd, "", 0, &error);
  g_assert_no_error (error);
  store = ze_pkcs11_store_new (fixture->records, odd, TOKEN_LABEL, PIN, &error);
  g_assert_error (error, ZE_ERROR, ZE_ERROR_PKCS11_FAILED);
  g_assert_null (store);
  g_clear_error (&error);

  /* A file that is no PKCS #11 module: refused when a key is made. */
  g_clear_pointer (&fake, g_free);
  fake = g_build_filename (fixture->root, "not-a-module.so", NULL);
  g_file_set_contents (fake, "not a shared library\n", -1, &error);
  g_assert_no_error (error);
  store = ze_pkcs11_store_new (fixture->records, fake, TOKEN_LABEL, PIN, &error);
  g_assert_no_error (error);
  identity = make_identity ("modless");
  key = generate (store, identity, ZE_KEY_TYPE_EC_P256, NULL, &error);
  g_assert_error (error, ZE_ERROR, ZE_ERROR_PKCS11_FAILED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "not-a-module.so"));
  g_assert_null (key);
}

static void
test_cancelled (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(ZePkcs11Store) store = NULL;
  g_autoptr(ZeIdentity) identity = NULL;
  g_autoptr(ZeKeyPair) key = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_auto(Token) token = { NULL, };

  if (!in_child ())
    return;

  store = make_store (fixture, TOKEN_LABEL, PIN);
  identity = make_identity ("never");
  g_cancellable_cancel (cancellable);
  key = generate (store, identity, ZE_KEY_TYPE_EC_P256, cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (key);

  token_open (&token);
  g_assert_cmpuint (token_count (&token, &private_class, NULL, NULL), ==, 0);
}

static void
test_software_key (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(ZePkcs11Store) store = NULL;
  g_autoptr(ZeIdentity) identity = NULL;
  g_autoptr(ZeIdentity) updb = NULL;
  g_autoptr(ZeKeyPair) key = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = record_path (fixture, "soft");
  g_autofree char *updb_path = record_path (fixture, "password-only");
  JsonObject *root;

  if (!in_child ())
    return;

  /* A key in memory cannot be kept on the token: no record is written. */
  store = make_store (fixture, TOKEN_LABEL, PIN);
  identity = make_identity ("soft");
  key = ze_key_pair_generate (ZE_KEY_TYPE_EC_P256, &error);
  g_assert_no_error (error);
  g_assert_false (begin (store, identity, key, &error));
  g_assert_error (error, ZE_ERROR, ZE_ERROR_PKCS11_FAILED);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_clear_error (&error);

  /* Without a key (username and password enrollment), only the record. */
  updb = make_identity ("password-only");
  g_assert_true (begin (store, updb, NULL, &error));
  g_assert_no_error (error);
  root = read_record (updb_path, &parser);
  g_assert_false (json_object_has_member (json_object_get_object_member (root, "id"), "key"));
  g_assert_true (abort_store (store, updb, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (updb_path, G_FILE_TEST_EXISTS));
}

/* The record's URI, turned into an RFC 7512 URL with the slot's token and
 * the id, loads in GnuTLS and signs data that the bare public key verifies. */
static void
test_load_back_gnutls (Fixture       *fixture,
                       gconstpointer  data)
{
  static const ZeKeyType types[] = { ZE_KEY_TYPE_EC_P256, ZE_KEY_TYPE_RSA_2048 };
  g_autoptr(ZePkcs11Store) store = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(Token) token = { NULL, };

  if (!in_child ())
    return;

  store = make_store (fixture, TOKEN_LABEL, PIN);
  token_open (&token);

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      g_autofree char *name = g_strdup_printf ("loaded-%u", i);
      g_autofree char *path = record_path (fixture, name);
      g_autoptr(ZeIdentity) identity = make_identity (name);
      g_autoptr(ZeKeyPair) key = NULL;
      g_autoptr(JsonParser) parser = NULL;
      g_autoptr(GBytes) id = NULL;
      g_autoptr(GBytes) public_key = NULL;
      g_auto(SdkUri) uri = { NULL, };
      g_auto(gnutls_privkey_t) privkey = NULL;
      g_auto(gnutls_pubkey_t) pubkey = NULL;
      g_autofree char *url = NULL;
      CK_TOKEN_INFO info;
      const char *message = "ziti enroll: signed by the token";
      gnutls_datum_t text = { (unsigned char *)message, (unsigned int)strlen (message) };
      gnutls_datum_t signature = { NULL, 0 };
      gnutls_datum_t spki;
      gnutls_sign_algorithm_t algorithm;
      JsonObject *root;

      if (i > 0)
        {
          g_clear_object (&store);
          store = make_store (fixture, TOKEN_LABEL, PIN);
        }

      key = generate_ok (store, identity, types[i]);
      g_assert_true (begin (store, identity, key, &error));
      g_assert_no_error (error);

      /* From the record alone: module, slot, id. */
      root = read_record (path, &parser);
      sdk_uri_parse (json_object_get_string_member (json_object_get_object_member (root, "id"), "key"),
                     &uri);
      g_assert_cmpstr (uri.lib, ==, softhsm_module);
      id = sdk_uri_id (&uri);

      /* The slot names the token. */
      g_assert_cmpuint (token.module->C_GetTokenInfo (sdk_uri_slot (&uri), &info), ==, CKR_OK);
      g_assert_cmpmem (info.serialNumber, sizeof info.serialNumber,
                       token.info.serialNumber, sizeof token.info.serialNumber);
      url = token_url_for (&token, id, TRUE);

      g_assert_cmpint (gnutls_privkey_init (&privkey), ==, 0);
      g_assert_cmpint (gnutls_privkey_import_url (privkey, url, GNUTLS_PKCS11_OBJ_FLAG_LOGIN), ==, 0);
      g_assert_cmpint (gnutls_privkey_sign_data (privkey, GNUTLS_DIG_SHA256, 0, &text, &signature), ==, 0);

      public_key = ze_key_pair_get_public_key_der (key);
      spki = datum_of (public_key);
      g_assert_cmpint (gnutls_pubkey_init (&pubkey), ==, 0);
      g_assert_cmpint (gnutls_pubkey_import (pubkey, &spki, GNUTLS_X509_FMT_DER), ==, 0);
      algorithm = gnutls_pk_to_sign (gnutls_pubkey_get_pk_algorithm (pubkey, NULL), GNUTLS_DIG_SHA256);
      g_assert_cmpint (gnutls_pubkey_verify_data2 (pubkey, algorithm, 0, &text, &signature), >=, 0);

      /* A changed message does not verify. */
      text.size--;
      g_assert_cmpint (gnutls_pubkey_verify_data2 (pubkey, algorithm, 0, &text, &signature), <, 0);
      gnutls_free (signature.data);
    }
}

/* What tlsuv does with the record's URI, step by step: dlopen the module,
 * C_Initialize, C_OpenSession on the slot (hex), C_Login, find the private
 * and the public key by CKA_ID, read the public key attributes, and sign a
 * digest with CKM_ECDSA / CKM_RSA_PKCS. */
static void
test_load_back_tlsuv (Fixture       *fixture,
                      gconstpointer  data)
{
  static const ZeKeyType types[] = { ZE_KEY_TYPE_EC_P256, ZE_KEY_TYPE_RSA_2048 };
  static const guint8 sha256_prefix[] = {
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
    0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20,
  };
  g_autoptr(ZePkcs11Store) store = NULL;
  g_autoptr(GError) error = NULL;

  if (!in_child ())
    return;

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      g_autofree char *name = g_strdup_printf ("tunneler-%u", i);
      g_autoptr(ZeIdentity) identity = make_identity (name);
      g_autoptr(ZeKeyPair) key = NULL;
      g_autoptr(GBytes) id = NULL;
      g_autoptr(GBytes) public_key = NULL;
      g_autoptr(GBytes) object_key = NULL;
      g_auto(SdkUri) uri = { NULL, };
      g_auto(gnutls_pubkey_t) pubkey = NULL;
      CK_C_GetFunctionList get_function_list;
      CK_FUNCTION_LIST *funcs = NULL;
      CK_SESSION_HANDLE session;
      CK_OBJECT_HANDLE priv = 0, pub = 0;
      CK_ULONG count = 0, key_type = 0;
      CK_OBJECT_CLASS klass = CKO_PRIVATE_KEY;
      CK_ATTRIBUTE query[2];
      CK_ATTRIBUTE type_attr = { CKA_KEY_TYPE, &key_type, sizeof key_type };
      CK_MECHANISM mechanism = { 0, NULL, 0 };
      guint8 digest[32];
      guint8 input[sizeof sha256_prefix + sizeof digest];
      guint8 sig[1024];
      CK_ULONG sig_len = sizeof sig;
      const char *message = "ziti-edge-tunnel hello";
      gnutls_datum_t hash = { digest, sizeof digest };
      gnutls_datum_t signature = { NULL, 0 };
      gnutls_datum_t spki;
      Token inspect;
      void *lib;
      CK_RV rv;

      g_clear_object (&store);
      store = make_store (fixture, TOKEN_LABEL, PIN);
      key = generate_ok (store, identity, types[i]);
      g_assert_true (begin (store, identity, key, &error));
      g_assert_no_error (error);
      token_open (&inspect);
      g_clear_pointer (&id, g_bytes_unref);
      id = check_key_uri (&inspect, key, name);
      token_close (&inspect);

      sdk_uri_parse (ze_identity_get_key_reference (identity), &uri);

      /* p11_init () */
      lib = dlopen (uri.lib, RTLD_LAZY);
      g_assert_nonnull (lib);
      get_function_list = (CK_C_GetFunctionList)dlsym (lib, "C_GetFunctionList");
      g_assert_nonnull (get_function_list);
      g_assert_cmpuint (get_function_list (&funcs), ==, CKR_OK);
      rv = funcs->C_Initialize (NULL);
      g_assert_true (rv == CKR_OK || rv == CKR_CRYPTOKI_ALREADY_INITIALIZED);
      g_assert_cmpuint (funcs->C_OpenSession (sdk_uri_slot (&uri), CKF_SERIAL_SESSION | CKF_RW_SESSION,
                                              NULL, NULL, &session), ==, CKR_OK);
      rv = funcs->C_Login (session, CKU_USER, (CK_UTF8CHAR_PTR)PIN, strlen (PIN));
      g_assert_true (rv == CKR_OK || rv == CKR_USER_ALREADY_LOGGED_IN);

      /* p11_load_key () */
      g_clear_pointer (&id, g_bytes_unref);
      id = sdk_uri_id (&uri);
      query[0] = (CK_ATTRIBUTE) { CKA_CLASS, &klass, sizeof klass };
      query[1] = (CK_ATTRIBUTE) { CKA_ID, (void *)g_bytes_get_data (id, NULL), g_bytes_get_size (id) };
      g_assert_cmpuint (funcs->C_FindObjectsInit (session, query, 2), ==, CKR_OK);
      g_assert_cmpuint (funcs->C_FindObjects (session, &priv, 1, &count), ==, CKR_OK);
      g_assert_cmpuint (funcs->C_FindObjectsFinal (session), ==, CKR_OK);
      g_assert_cmpuint (count, ==, 1);
      klass = CKO_PUBLIC_KEY;
      g_assert_cmpuint (funcs->C_FindObjectsInit (session, query, 2), ==, CKR_OK);
      g_assert_cmpuint (funcs->C_FindObjects (session, &pub, 1, &count), ==, CKR_OK);
      g_assert_cmpuint (funcs->C_FindObjectsFinal (session), ==, CKR_OK);
      g_assert_cmpuint (count, ==, 1);
      g_assert_cmpuint (funcs->C_GetAttributeValue (session, priv, &type_attr, 1), ==, CKR_OK);

      /* load_pkcs11_ec () / load_pkcs11_rsa (): the public key object. */
      {
        Token view;

        memset (&view, 0, sizeof view);
        view.module = funcs;
        view.session = session;
        object_key = token_public_key (&view, pub);
      }
      public_key = ze_key_pair_get_public_key_der (key);
      g_assert_true (g_bytes_equal (object_key, public_key));

      /* p11_key_sign () */
      g_assert_cmpint (gnutls_hash_fast (GNUTLS_DIG_SHA256, message, strlen (message), digest), ==, 0);
      if (key_type == CKK_EC)
        {
          mechanism.mechanism = CKM_ECDSA;
          g_assert_cmpuint (funcs->C_SignInit (session, &mechanism, priv), ==, CKR_OK);
          g_assert_cmpuint (funcs->C_Sign (session, digest, sizeof digest, sig, &sig_len), ==, CKR_OK);
          {
            gnutls_datum_t r = { sig, (unsigned int)sig_len / 2 };
            gnutls_datum_t s = { sig + sig_len / 2, (unsigned int)sig_len / 2 };

            g_assert_cmpint (gnutls_encode_rs_value (&signature, &r, &s), ==, 0);
          }
        }
      else
        {
          g_assert_cmpuint (key_type, ==, CKK_RSA);
          memcpy (input, sha256_prefix, sizeof sha256_prefix);
          memcpy (input + sizeof sha256_prefix, digest, sizeof digest);
          mechanism.mechanism = CKM_RSA_PKCS;
          g_assert_cmpuint (funcs->C_SignInit (session, &mechanism, priv), ==, CKR_OK);
          g_assert_cmpuint (funcs->C_Sign (session, input, sizeof input, sig, &sig_len), ==, CKR_OK);
          signature.data = gnutls_malloc (sig_len);
          memcpy (signature.data, sig, sig_len);
          signature.size = (unsigned int)sig_len;
        }
      funcs->C_CloseSession (session);
      /* tlsuv neither finalizes nor unloads the module; neither do we,
       * since GnuTLS uses it too. */

      spki = datum_of (public_key);
      g_assert_cmpint (gnutls_pubkey_init (&pubkey), ==, 0);
      g_assert_cmpint (gnutls_pubkey_import (pubkey, &spki, GNUTLS_X509_FMT_DER), ==, 0);
      g_assert_cmpint (gnutls_pubkey_verify_hash2 (pubkey,
                                                   key_type == CKK_EC ? GNUTLS_SIGN_ECDSA_SHA256
                                                                      : GNUTLS_SIGN_RSA_SHA256,
                                                   0, &hash, &signature), >=, 0);
      gnutls_free (signature.data);
    }
}

/* ---- finding SoftHSM2 ---- */

static char *
run_pkg_config (const char *variable)
{
  g_autofree char *out = NULL;
  g_autofree char *arg = g_strconcat ("--variable=", variable, NULL);
  const char *argv[] = { "pkg-config", arg, "p11-kit-1", NULL };
  int status = 0;

  if (!g_spawn_sync (NULL, (char **)argv, NULL,
                     G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                     NULL, NULL, &out, NULL, &status, NULL) ||
      !g_spawn_check_wait_status (status, NULL))
    return NULL;

  return g_strdup (g_strstrip (out));
}

/* The "module:" line of p11-kit's softhsm2.module, made absolute. */
static char *
module_from_p11_kit_config (void)
{
  g_autofree char *configs = run_pkg_config ("p11_module_configs");
  g_autofree char *modules = run_pkg_config ("p11_module_path");
  g_autofree char *file = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  if (configs == NULL || *configs == '\0')
    configs = g_strdup ("/usr/share/p11-kit/modules");
  file = g_build_filename (configs, "softhsm2.module", NULL);
  if (!g_file_get_contents (file, &text, NULL, NULL))
    return NULL;

  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);

      if (g_str_has_prefix (line, "module:"))
        {
          const char *value = g_strstrip (line + strlen ("module:"));

          if (g_path_is_absolute (value))
            return g_strdup (value);
          if (modules != NULL && *modules != '\0')
            return g_build_filename (modules, value, NULL);
        }
    }

  return NULL;
}

static char *
find_softhsm_module (void)
{
  const char *candidates[] = {
    g_getenv ("ZE_TEST_SOFTHSM2_MODULE"),
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib64/softhsm/libsofthsm2.so",
    "/usr/local/lib/softhsm/libsofthsm2.so",
  };
  char *configured;

  for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
    {
      if (candidates[i] != NULL && g_file_test (candidates[i], G_FILE_TEST_IS_REGULAR))
        return g_strdup (candidates[i]);
    }

  configured = module_from_p11_kit_config ();
  if (configured != NULL && g_file_test (configured, G_FILE_TEST_IS_REGULAR))
    return configured;
  g_free (configured);

  return NULL;
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  softhsm_module = find_softhsm_module ();
  softhsm_util = g_find_program_in_path ("softhsm2-util");
  if (softhsm_module == NULL || softhsm_util == NULL)
    {
      /* Not a skip: these tests are the only check of the token store. */
      printf ("Bail out! SoftHSM2 is needed for the PKCS #11 tests but %s was not found. "
              "Install the softhsm2 package (Debian: apt install softhsm2), or set "
              "ZE_TEST_SOFTHSM2_MODULE to the path of libsofthsm2.so.\n",
              softhsm_module == NULL ? "libsofthsm2.so" : "softhsm2-util");
      return 1;
    }

#define ADD(path, func, data) \
  g_test_add (path, Fixture, data, fixture_setup, func, fixture_teardown)

  ADD ("/pkcs11/store/kind", test_kind, NULL);
  ADD ("/pkcs11/generate/ec-p256", test_generate, GINT_TO_POINTER (ZE_KEY_TYPE_EC_P256));
  ADD ("/pkcs11/generate/ec-p384", test_generate, GINT_TO_POINTER (ZE_KEY_TYPE_EC_P384));
  ADD ("/pkcs11/generate/rsa-2048", test_generate, GINT_TO_POINTER (ZE_KEY_TYPE_RSA_2048));
  ADD ("/pkcs11/generate/rsa-3072", test_generate, GINT_TO_POINTER (ZE_KEY_TYPE_RSA_3072));
  ADD ("/pkcs11/generate/rsa-4096", test_generate, GINT_TO_POINTER (ZE_KEY_TYPE_RSA_4096));
  ADD ("/pkcs11/generate/cancelled", test_cancelled, NULL);
  ADD ("/pkcs11/key/not-extractable", test_not_extractable, NULL);
  ADD ("/pkcs11/key/csr-ec", test_csr, GINT_TO_POINTER (ZE_KEY_TYPE_EC_P256));
  ADD ("/pkcs11/key/csr-rsa", test_csr, GINT_TO_POINTER (ZE_KEY_TYPE_RSA_2048));
  ADD ("/pkcs11/record/pending", test_pending, NULL);
  ADD ("/pkcs11/record/complete", test_complete, NULL);
  ADD ("/pkcs11/record/abort", test_abort, NULL);
  ADD ("/pkcs11/record/exists", test_exists, NULL);
  ADD ("/pkcs11/record/exists-race", test_exists_race, NULL);
  ADD ("/pkcs11/record/software-key", test_software_key, NULL);
  ADD ("/pkcs11/error/wrong-pin", test_wrong_pin, NULL);
  ADD ("/pkcs11/error/unknown-token", test_unknown_token, NULL);
  ADD ("/pkcs11/error/bad-module", test_bad_module, NULL);
  ADD ("/pkcs11/uri/load-back-gnutls", test_load_back_gnutls, NULL);
  ADD ("/pkcs11/uri/load-back-tlsuv", test_load_back_tlsuv, NULL);

#undef ADD

  if (!g_test_subprocess ())
    {
      g_autoptr(GError) error = NULL;

      /* Set before any thread exists; the children inherit it. */
      base_folder = g_dir_make_tmp ("ze-pkcs11-XXXXXX", &error);
      g_assert_no_error (error);
      g_setenv ("ZE_TEST_PKCS11_BASE", base_folder, TRUE);
    }
  else
    {
      base_folder = g_strdup (g_getenv ("ZE_TEST_PKCS11_BASE"));
      g_assert_nonnull (base_folder);
    }

  status = g_test_run ();

  if (!g_test_subprocess ())
    remove_tree (base_folder);
  g_clear_pointer (&base_folder, g_free);

  return status;
}
