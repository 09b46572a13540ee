/* test-enroll.c: the enrollment engine against the local controller
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <sys/stat.h>

#include <json-glib/json-glib.h>

#include "zitienroll.h"
#include "ze-test-controller.h"

typedef struct _Fixture Fixture;

struct _Fixture
{
  TestController  tc;
  ZeEnroller     *enroller;
  GCancellable   *cancellable;
  GPtrArray      *steps;             /* the steps that started, in order */
  int             cancel_at;         /* cancel when this step starts; 0: never */
  gboolean        trust;             /* the answer to trust-required */
  guint           trust_asked;
  void          (*at_trust) (Fixture *f);  /* options given while the run waits */
};

typedef struct
{
  const char *key_type;              /* controller key type */
  const char *serve[6];              /* extra serve arguments, NULL-terminated */
} Setup;

static const Setup setup_default = { "ec-p256", { NULL } };

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  const Setup *setup = data != NULL ? data : &setup_default;

  tc_start (&f->tc, setup->key_type, setup->serve);
  f->cancellable = g_cancellable_new ();
  f->steps = g_ptr_array_new ();
  f->trust = TRUE;
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->enroller);
  g_clear_object (&f->cancellable);
  g_clear_pointer (&f->steps, g_ptr_array_unref);
  tc_stop (&f->tc);
}

static void
on_step_changed_cb (ZeEnroller *enroller,
                    int         step,
                    int         state,
                    Fixture    *f)
{
  if (state != ZE_STEP_STATE_RUNNING)
    return;

  g_ptr_array_add (f->steps, GINT_TO_POINTER (step));
  if (step == f->cancel_at)
    g_cancellable_cancel (f->cancellable);
}

static void
on_trust_required_cb (ZeEnroller    *enroller,
                      ZeCertificate *leaf,
                      Fixture       *f)
{
  f->trust_asked++;
  if (f->at_trust != NULL)
    f->at_trust (f);
  ze_enroller_decide_trust (enroller, f->trust);
}

static void
store_result_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

static ZeEnroller *
make_enroller (Fixture    *f,
               const char *token_text,
               const char *out_name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZeToken) token = ze_token_new_from_string (token_text, &error);
  g_autofree char *out = tc_work_path (&f->tc, out_name);
  g_autoptr(ZeFileStore) store = ze_file_store_new (out);

  g_assert_no_error (error);
  g_clear_object (&f->enroller);
  f->enroller = ze_enroller_new (token);
  ze_enroller_set_name (f->enroller, "laptop");
  ze_enroller_set_store (f->enroller, ZE_IDENTITY_STORE (store));
  ze_enroller_set_timeout (f->enroller, 20);
  g_signal_connect (f->enroller, "step-changed", G_CALLBACK (on_step_changed_cb), f);
  g_signal_connect (f->enroller, "trust-required", G_CALLBACK (on_trust_required_cb), f);

  return f->enroller;
}

static ZeIdentity *
run (Fixture  *f,
     GError  **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  ze_enroller_run_async (f->enroller, f->cancellable, store_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);

  return ze_enroller_run_finish (f->enroller, result, error);
}

static JsonObject *
load_identity_file (const char *path)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));

  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static const char *
strip_pem (const char *value)
{
  g_assert_true (g_str_has_prefix (value, "pem:"));
  return value + 4;
}

/* The identity file loads the way the SDKs load it: its key matches its
 * certificate, and its CA bundle verifies the certificate chain. */
static void
assert_identity_file_valid (Fixture    *f,
                            const char *path,
                            gboolean    expect_key)
{
  g_autoptr(JsonObject) root = load_identity_file (path);
  JsonObject *id = json_object_get_object_member (root, "id");
  g_autoptr(GPtrArray) chain = NULL;
  g_autoptr(GPtrArray) cas = NULL;
  g_autoptr(GPtrArray) intermediates = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  struct stat st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpstr (json_object_get_string_member (root, "ztAPI"), ==, f->tc.url);
  g_assert_false (json_object_has_member (root, "pending"));

  chain = ze_certificate_list_new_from_pem (strip_pem (json_object_get_string_member (id, "cert")), -1, &error);
  g_assert_no_error (error);
  cas = ze_certificate_list_new_from_pem (strip_pem (json_object_get_string_member (id, "ca")), -1, &error);
  g_assert_no_error (error);
  for (guint i = 1; i < chain->len; i++)
    g_ptr_array_add (intermediates, g_object_ref (g_ptr_array_index (chain, i)));
  g_assert_true (ze_certificate_verify_chain (g_ptr_array_index (chain, 0), intermediates, cas,
                                              NULL, g_get_real_time () / G_USEC_PER_SEC, &error));
  g_assert_no_error (error);

  if (expect_key)
    {
      const char *key_pem = strip_pem (json_object_get_string_member (id, "key"));
      g_autoptr(ZeKeyPair) key = ze_key_pair_new_from_pem (key_pem, strlen (key_pem), &error);
      g_autoptr(GBytes) public_key = NULL;

      g_assert_no_error (error);
      public_key = ze_key_pair_get_public_key_der (key);
      g_assert_true (ze_certificate_has_public_key_of (g_ptr_array_index (chain, 0), public_key));
    }
}

static void
assert_nothing_left (Fixture *f)
{
  g_autoptr(GDir) dir = g_dir_open (f->tc.work, 0, NULL);

  g_assert_nonnull (dir);
  g_assert_null (g_dir_read_name (dir));
}

/* ---- success paths ---- */

static void
test_ott (Fixture       *f,
          gconstpointer  data)
{
  g_autofree char *token = tc_token (&f->tc, "ott", NULL);
  g_autofree char *path = tc_work_path (&f->tc, "laptop.json");
  g_autoptr(ZeIdentity) identity = NULL;
  g_autoptr(GError) error = NULL;

  make_enroller (f, token, "laptop.json");
  identity = run (f, &error);
  g_assert_no_error (error);
  g_assert_nonnull (identity);
  g_assert_false (ze_identity_get_pending (identity));
  g_assert_cmpstr (ze_identity_get_location (identity), ==, path);
  g_assert_cmpuint (f->trust_asked, ==, 1);
  assert_identity_file_valid (f, path, TRUE);

  /* Every step ran, in order. */
  for (int step = ZE_ENROLL_STEP_CONNECT; step < ZE_ENROLL_STEP_DONE; step++)
    g_assert_cmpint (GPOINTER_TO_INT (g_ptr_array_index (f->steps, step - 1)), ==, step);

  /* design.md §8: one TLS handshake and two requests (cacerts, enroll). */
  g_assert_cmpuint (tc_count_log (&f->tc, "connection"), ==, 1);
  g_assert_cmpuint (tc_count_log (&f->tc, "request"), ==, 2);
  g_assert_cmpuint (ze_controller_get_handshakes (ze_enroller_get_controller (f->enroller)), ==, 1);
}

static void
test_key_type (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *token = tc_token (&f->tc, "ott", NULL);
  g_autofree char *path = tc_work_path (&f->tc, "laptop.json");
  g_autoptr(ZeIdentity) identity = NULL;
  g_autoptr(GError) error = NULL;
  ZeKeyType type;

  g_assert_true (ze_key_type_from_string (g_test_get_path () + strlen ("/enroll/key-type/"), &type));
  make_enroller (f, token, "laptop.json");
  ze_enroller_set_key_type (f->enroller, type);
  identity = run (f, &error);
  g_assert_no_error (error);
  assert_identity_file_valid (f, path, TRUE);
}

static void
test_legacy_pem (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *token = tc_token (&f->tc, "ott", NULL);
  g_autofree char *path = tc_work_path (&f->tc, "laptop.json");
  g_autoptr(ZeIdentity) identity = NULL;
  g_autoptr(GError) error = NULL;

  make_enroller (f, token, "laptop.json");
  identity = run (f, &error);
  g_assert_no_error (error);
  assert_identity_file_valid (f, path, TRUE);
}

/* Claims in another order, without kid, aud or ctrls (older controllers). */
static void
test_claim_variants (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *minted = tc_token (&f->tc, "ott", NULL);
  g_autofree char *jti = tc_token_id (minted);
  g_autofree char *claims = NULL;
  g_autofree char *token = NULL;
  g_autofree char *path = tc_work_path (&f->tc, "laptop.json");
  g_autoptr(ZeIdentity) identity = NULL;
  g_autoptr(GError) error = NULL;

  claims = g_strdup_printf ("{\"em\":\"ott\",\"exp\":%" G_GINT64_FORMAT ",\"iss\":\"%s\",\"jti\":\"%s\",\"sub\":\"variant\"}",
                            g_get_real_time () / G_USEC_PER_SEC + 600, f->tc.url, jti);
  token = tc_sign_claims (&f->tc, "{\"alg\":\"ES256\",\"typ\":\"JWT\"}", claims);

  make_enroller (f, token, "laptop.json");
  identity = run (f, &error);
  g_assert_no_error (error);
  assert_identity_file_valid (f, path, TRUE);
}

static void
test_updb (Fixture       *f,
           gconstpointer  data)
{
  g_autofree char *token = tc_token (&f->tc, "updb", NULL);
  g_autofree char *path = tc_work_path (&f->tc, "laptop.json");
  g_autoptr(ZeIdentity) identity = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) root = NULL;

  make_enroller (f, token, "laptop.json");
  ze_enroller_set_password (f->enroller, "correct horse battery staple");
  identity = run (f, &error);
  g_assert_no_error (error);
  g_assert_nonnull (ze_identity_get_username (identity));
  root = load_identity_file (path);
  g_assert_cmpstr (json_object_get_string_member (root, "ztAPI"), ==, f->tc.url);
}

static void
set_third_party_certificate (Fixture *f)
{
  g_autofree char *cert_path = tc_path (&f->tc, "third-party-client.pem");
  g_autofree char *key_path = tc_path (&f->tc, "third-party-client-key.pem");
  g_autofree char *cert = NULL;
  g_autofree char *key_pem = NULL;
  g_autoptr(ZeKeyPair) key = NULL;
  g_autoptr(GError) error = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (cert_path, &cert, NULL, NULL));
  g_assert_true (g_file_get_contents (key_path, &key_pem, &len, NULL));
  key = ze_key_pair_new_from_pem (key_pem, len, &error);
  g_assert_no_error (error);
  g_assert_true (ze_enroller_set_client_certificate (f->enroller, cert, key, &error));
  g_assert_no_error (error);
}

static void
test_ottca (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *token = tc_token (&f->tc, "ottca", NULL);
  g_autofree char *path = tc_work_path (&f->tc, "laptop.json");
  g_autoptr(ZeIdentity) identity = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) root = NULL;

  make_enroller (f, token, "laptop.json");
  set_third_party_certificate (f);
  identity = run (f, &error);
  g_assert_no_error (error);
  root = load_identity_file (path);
  g_assert_true (g_str_has_prefix (json_object_get_string_member (json_object_get_object_member (root, "id"), "cert"),
                                   "pem:-----BEGIN CERTIFICATE-----"));
  /* The client certificate needs its own handshake. */
  g_assert_cmpuint (tc_count_log (&f->tc, "connection"), ==, 2);
}

static void
test_ca (Fixture       *f,
         gconstpointer  data)
{
  g_autofree char *token = tc_token (&f->tc, "ca", NULL);
  g_autoptr(ZeIdentity) identity = NULL;
  g_autoptr(GError) error = NULL;

  make_enroller (f, token, "laptop.json");
  set_third_party_certificate (f);
  identity = run (f, &error);
  g_assert_no_error (error);
  g_assert_false (ze_identity_get_pending (identity));
}

/* ---- the main loop is served while keys are made and written ---- */

typedef struct
{
  guint ticks;                       /* a 1 ms timeout's dispatches so far */
  guint at_generate;                 /* ticks when key generation started */
  guint at_store;                    /* ... when it ended and storing began */
  guint at_request;                  /* ... when storing ended */
} Ticks;

static gboolean
count_tick_cb (gpointer user_data)
{
  ((Ticks *)user_data)->ticks++;

  return G_SOURCE_CONTINUE;
}

static void
on_step_ticks_cb (ZeEnroller *enroller,
                  int         step,
                  int         state,
                  Ticks      *ticks)
{
  if (state != ZE_STEP_STATE_RUNNING)
    return;

  if (step == ZE_ENROLL_STEP_GENERATE_KEY)
    ticks->at_generate = ticks->ticks;
  else if (step == ZE_ENROLL_STEP_STORE_KEY)
    ticks->at_store = ticks->ticks;
  else if (step == ZE_ENROLL_STEP_CREATE_REQUEST)
    ticks->at_request = ticks->ticks;
}

/* An RSA-4096 key takes a while to make: had it been made on the main loop, no
 * other source would have run between the start and the end of the step. (Writing
 * it runs in a thread too, but too briefly to be seen reliably this way; how long
 * the loop may stall is the benchmark's business, not a test's.) */
static void
test_main_loop_served (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *token = tc_token (&f->tc, "ott", NULL);
  g_autoptr(ZeIdentity) identity = NULL;
  g_autoptr(GError) error = NULL;
  Ticks ticks = { 0 };
  guint source;

  make_enroller (f, token, "laptop.json");
  ze_enroller_set_key_type (f->enroller, ZE_KEY_TYPE_RSA_4096);
  g_signal_connect (f->enroller, "step-changed", G_CALLBACK (on_step_ticks_cb), &ticks);
  source = g_timeout_add (1, count_tick_cb, &ticks);
  identity = run (f, &error);
  g_source_remove (source);

  g_assert_no_error (error);
  g_test_message ("main-loop dispatches while generating: %u, while storing: %u",
                  ticks.at_store - ticks.at_generate, ticks.at_request - ticks.at_store);
  /* A blocked loop would still dispatch the timeout once, when it wakes. */
  g_assert_cmpuint (ticks.at_store - ticks.at_generate, >=, 10);
}

/* ---- options given while the run waits at trust: one connection ---- */

static void
set_password (Fixture *f)
{
  ze_enroller_set_password (f->enroller, "correct horse battery staple");
}

static void
test_updb_password_at_trust (Fixture       *f,
                             gconstpointer  data)
{
  g_autofree char *token = tc_token (&f->tc, "updb", NULL);
  g_autoptr(ZeIdentity) identity = NULL;
  g_autoptr(GError) error = NULL;

  make_enroller (f, token, "laptop.json");
  f->at_trust = set_password;
  identity = run (f, &error);
  g_assert_no_error (error);
  g_assert_nonnull (ze_identity_get_username (identity));
  /* The password went over the connection that fetched the CA bundle. */
  g_assert_cmpuint (tc_count_log (&f->tc, "connection"), ==, 1);
  g_assert_cmpuint (tc_count_log (&f->tc, "request"), ==, 2);
}

/* Trusted without a password: refused before anything is made or sent. */
static void
test_updb_no_password (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *token = tc_token (&f->tc, "updb", NULL);
  g_autoptr(ZeIdentity) identity = NULL;
  g_autoptr(GError) error = NULL;

  make_enroller (f, token, "laptop.json");
  identity = run (f, &error);
  g_assert_null (identity);
  g_assert_error (error, ZE_ERROR, ZE_ERROR_INPUT_INVALID);
  g_assert_cmpuint (f->trust_asked, ==, 1);
  g_assert_cmpuint (tc_count_log (&f->tc, "request POST"), ==, 0);
  assert_nothing_left (f);
}

/* A run that cannot pause says so before it connects. */
static void
test_updb_no_password_no_pause (Fixture       *f,
                                gconstpointer  data)
{
  g_autofree char *token = tc_token (&f->tc, "updb", NULL);
  g_autofree char *fingerprint = tc_server_fingerprint (&f->tc, "server.pem");
  g_autoptr(ZeIdentity) identity = NULL;
  g_autoptr(GError) error = NULL;

  make_enroller (f, token, "laptop.json");
  ze_enroller_set_expected_fingerprint (f->enroller, fingerprint, FALSE);
  identity = run (f, &error);
  g_assert_null (identity);
  g_assert_error (error, ZE_ERROR, ZE_ERROR_INPUT_INVALID);
  g_assert_cmpuint (tc_count_log (&f->tc, "connection"), ==, 0);
}

static void
test_ottca_certificate_at_trust (Fixture       *f,
                                 gconstpointer  data)
{
  g_autofree char *token = tc_token (&f->tc, "ottca", NULL);
  g_autoptr(ZeIdentity) identity = NULL;
  g_autoptr(GError) error = NULL;

  make_enroller (f, token, "laptop.json");
  f->at_trust = set_third_party_certificate;
  identity = run (f, &error);
  g_assert_no_error (error);
  g_assert_false (ze_identity_get_pending (identity));
  /* The first connection without a client certificate, the second with it. */
  g_assert_cmpuint (tc_count_log (&f->tc, "connection"), ==, 2);
}

static void
test_no_keepalive (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *token = tc_token (&f->tc, "ott", NULL);
  g_autofree char *path = tc_work_path (&f->tc, "laptop.json");
  g_autoptr(ZeIdentity) identity = NULL;
  g_autoptr(GError) error = NULL;

  make_enroller (f, token, "laptop.json");
  identity = run (f, &error);
  g_assert_no_error (error);
  assert_identity_file_valid (f, path, TRUE);
  /* The second connection had to present the confirmed leaf. */
  g_assert_cmpuint (tc_count_log (&f->tc, "connection"), ==, 2);
}

/* ---- trust ---- */

static void
test_fingerprint_matches (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *token = tc_token (&f->tc, "ott", NULL);
  g_autofree char *fingerprint = tc_server_fingerprint (&f->tc, "server.pem");
  g_autoptr(ZeIdentity) identity = NULL;
  g_autoptr(GError) error = NULL;

  /* A pin that matches still pauses when asked to (the wizard does), and the
   * enrollment reuses the first connection either way. */
  gboolean pause = g_str_has_suffix (g_test_get_path (), "pin-pauses");

  make_enroller (f, token, "laptop.json");
  ze_enroller_set_expected_fingerprint (f->enroller, fingerprint, pause);
  ze_enroller_set_pause_at_trust (f->enroller, pause);
  identity = run (f, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (f->trust_asked, ==, pause ? 1 : 0);
  g_assert_cmpstr (ze_identity_get_controller_fingerprint (identity), ==, fingerprint);
  g_assert_cmpuint (tc_count_log (&f->tc, "connection"), ==, 1);
  g_assert_cmpuint (tc_count_log (&f->tc, "request"), ==, 2);
}

static void
test_fingerprint_mismatch (Fixture       *f,
                           gconstpointer  data)
{
  g_autofree char *token = tc_token (&f->tc, "ott", NULL);
  g_autoptr(ZeIdentity) identity = NULL;
  g_autoptr(GError) error = NULL;
  gboolean managed = strstr (g_test_get_path (), "pin-mismatch") != NULL;
  /* A mismatch ends the run even when it would pause after a match. */
  gboolean pause = g_str_has_suffix (g_test_get_path (), "pausing");

  make_enroller (f, token, "laptop.json");
  ze_enroller_set_expected_fingerprint (f->enroller,
                                        "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
                                        managed);
  ze_enroller_set_pause_at_trust (f->enroller, pause);
  identity = run (f, &error);
  g_assert_cmpuint (f->trust_asked, ==, 0);
  g_assert_null (identity);
  if (managed)
    g_assert_error (error, ZE_ERROR, ZE_ERROR_PIN_MISMATCH);
  else
    g_assert_error (error, ZE_ERROR, ZE_ERROR_FINGERPRINT_MISMATCH);
  g_assert_cmpint (ze_error_exit_status (error), ==, 4);
  /* Refused before any key was generated, and only the CA bundle was asked for. */
  for (guint i = 0; i < f->steps->len; i++)
    g_assert_cmpint (GPOINTER_TO_INT (g_ptr_array_index (f->steps, i)), <, ZE_ENROLL_STEP_GENERATE_KEY);
  g_assert_cmpuint (tc_count_log (&f->tc, "request"), ==, 1);
  assert_nothing_left (f);
}

static void
test_trust_refused (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *token = tc_token (&f->tc, "ott", NULL);
  g_autoptr(ZeIdentity) identity = NULL;
  g_autoptr(GError) error = NULL;

  f->trust = FALSE;
  make_enroller (f, token, "laptop.json");
  identity = run (f, &error);
  g_assert_error (error, ZE_ERROR, ZE_ERROR_TRUST_REFUSED);
  g_assert_cmpuint (tc_count_log (&f->tc, "request"), ==, 1);
  assert_nothing_left (f);
}

static void
test_signed_by_other (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *token = tc_token (&f->tc, "ott", (const char * const []) { "--signed-by", "other", NULL });
  g_autoptr(ZeIdentity) identity = NULL;
  g_autoptr(GError) error = NULL;

  make_enroller (f, token, "laptop.json");
  identity = run (f, &error);
  g_assert_null (identity);
  g_assert_error (error, ZE_ERROR, ZE_ERROR_SIGNATURE_INVALID);
  g_assert_cmpint (ze_error_exit_status (error), ==, 4);
  /* The handshake was aborted: not one request reached the controller. */
  g_assert_cmpuint (tc_count_log (&f->tc, "request"), ==, 0);
  g_assert_cmpuint (f->trust_asked, ==, 0);
  assert_nothing_left (f);
}

static void
test_certificate_changed (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *token = tc_token (&f->tc, "ott", NULL);
  g_autoptr(ZeIdentity) identity = NULL;
  g_autoptr(GError) error = NULL;

  make_enroller (f, token, "laptop.json");
  identity = run (f, &error);
  g_assert_null (identity);
  g_assert_error (error, ZE_ERROR, ZE_ERROR_CERTIFICATE_CHANGED);
  g_assert_cmpint (ze_error_exit_status (error), ==, 4);
  /* Nothing was sent to the impostor, and the key made for it is gone. */
  g_assert_cmpuint (tc_count_log (&f->tc, "request POST"), ==, 0);
  assert_nothing_left (f);
}

/* ---- the controller says no ---- */

static void
test_token_used (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *token = tc_token (&f->tc, "ott", NULL);
  g_autoptr(ZeIdentity) first = NULL;
  g_autoptr(ZeIdentity) second = NULL;
  g_autoptr(GError) error = NULL;

  make_enroller (f, token, "first.json");
  first = run (f, &error);
  g_assert_no_error (error);

  make_enroller (f, token, "second.json");
  second = run (f, &error);
  g_assert_null (second);
  g_assert_error (error, ZE_ERROR, ZE_ERROR_CONTROLLER_TOKEN_USED);
  g_assert_nonnull (strstr (error->message, "already"));
  g_assert_cmpint (ze_error_exit_status (error), ==, 5);
  /* A clear refusal consumed nothing: the unused key is not kept. */
  {
    g_autofree char *second_path = tc_work_path (&f->tc, "second.json");
    g_autofree char *pending = tc_work_path (&f->tc, "second.json.pending");

    g_assert_false (g_file_test (second_path, G_FILE_TEST_EXISTS));
    g_assert_false (g_file_test (pending, G_FILE_TEST_EXISTS));
  }
}

static void
test_controller_expired (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *minted = tc_token (&f->tc, "ott", (const char * const []) { "--expires-in", "-60", NULL });
  g_autofree char *jti = tc_token_id (minted);
  g_autofree char *claims = NULL;
  g_autofree char *token = NULL;
  g_autoptr(ZeIdentity) identity = NULL;
  g_autoptr(GError) error = NULL;

  /* The token says it is valid; the controller's record says it expired. */
  claims = g_strdup_printf ("{\"iss\":\"%s\",\"sub\":\"s\",\"aud\":[\"\"],\"exp\":%" G_GINT64_FORMAT ",\"jti\":\"%s\",\"em\":\"ott\"}",
                            f->tc.url, g_get_real_time () / G_USEC_PER_SEC + 600, jti);
  token = tc_sign_claims (&f->tc, "{\"alg\":\"ES256\",\"typ\":\"JWT\"}", claims);
  make_enroller (f, token, "laptop.json");
  identity = run (f, &error);
  g_assert_error (error, ZE_ERROR, ZE_ERROR_CONTROLLER_TOKEN_EXPIRED);
  g_assert_cmpint (ze_error_exit_status (error), ==, 5);
  assert_nothing_left (f);
}

static void
test_locally_expired (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *token = tc_token (&f->tc, "ott", (const char * const []) { "--expires-in", "-60", NULL });
  g_autoptr(ZeIdentity) identity = NULL;
  g_autoptr(GError) error = NULL;

  make_enroller (f, token, "laptop.json");
  identity = run (f, &error);
  g_assert_error (error, ZE_ERROR, ZE_ERROR_TOKEN_EXPIRED);
  g_assert_cmpint (ze_error_exit_status (error), ==, 3);
  /* Refused before connecting. */
  g_assert_cmpuint (tc_count_log (&f->tc, "connection"), ==, 0);
}

static void
test_wrong_method (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *minted = tc_token (&f->tc, "ott", NULL);
  g_autofree char *jti = tc_token_id (minted);
  g_autofree char *claims = NULL;
  g_autofree char *token = NULL;
  g_autoptr(ZeIdentity) identity = NULL;
  g_autoptr(GError) error = NULL;

  claims = g_strdup_printf ("{\"iss\":\"%s\",\"sub\":\"s\",\"exp\":%" G_GINT64_FORMAT ",\"jti\":\"%s\",\"em\":\"updb\"}",
                            f->tc.url, g_get_real_time () / G_USEC_PER_SEC + 600, jti);
  token = tc_sign_claims (&f->tc, "{\"alg\":\"ES256\",\"typ\":\"JWT\"}", claims);
  make_enroller (f, token, "laptop.json");
  ze_enroller_set_password (f->enroller, "password");
  identity = run (f, &error);
  g_assert_error (error, ZE_ERROR, ZE_ERROR_CONTROLLER_METHOD);
  g_assert_cmpint (ze_error_exit_status (error), ==, 5);
}

static void
test_ottca_rejected_certificate (Fixture       *f,
                                 gconstpointer  data)
{
  g_autofree char *token = tc_token (&f->tc, "ottca", NULL);
  g_autofree char *cert_path = tc_path (&f->tc, "other.pem");
  g_autofree char *key_path = tc_path (&f->tc, "other-key.pem");
  g_autofree char *cert = NULL;
  g_autofree char *key_pem = NULL;
  g_autoptr(ZeKeyPair) key = NULL;
  g_autoptr(ZeIdentity) identity = NULL;
  g_autoptr(GError) error = NULL;
  gsize len;

  /* A certificate the third-party CA did not issue. */
  g_assert_true (g_file_get_contents (cert_path, &cert, NULL, NULL));
  g_assert_true (g_file_get_contents (key_path, &key_pem, &len, NULL));
  key = ze_key_pair_new_from_pem (key_pem, len, &error);
  g_assert_no_error (error);
  make_enroller (f, token, "laptop.json");
  g_assert_true (ze_enroller_set_client_certificate (f->enroller, cert, key, &error));
  identity = run (f, &error);
  g_assert_error (error, ZE_ERROR, ZE_ERROR_CONTROLLER_CERTIFICATE_REJECTED);
  g_assert_cmpint (ze_error_exit_status (error), ==, 5);
}

static void
test_certificate_in_use (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *first_token = tc_token (&f->tc, "ca", NULL);
  g_autofree char *second_token = tc_token (&f->tc, "ca", NULL);
  g_autoptr(ZeIdentity) first = NULL;
  g_autoptr(ZeIdentity) second = NULL;
  g_autoptr(GError) error = NULL;

  make_enroller (f, first_token, "first.json");
  set_third_party_certificate (f);
  first = run (f, &error);
  g_assert_no_error (error);

  make_enroller (f, second_token, "second.json");
  set_third_party_certificate (f);
  second = run (f, &error);
  g_assert_error (error, ZE_ERROR, ZE_ERROR_CONTROLLER_CERTIFICATE_IN_USE);
  g_assert_cmpint (ze_error_exit_status (error), ==, 5);
}

/* ---- faults ---- */

static void
test_timeout (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *token = tc_token (&f->tc, "ott", NULL);
  g_autoptr(ZeIdentity) identity = NULL;
  g_autoptr(GError) error = NULL;

  make_enroller (f, token, "laptop.json");
  ze_enroller_set_timeout (f->enroller, 1);
  identity = run (f, &error);
  g_assert_error (error, ZE_ERROR, ZE_ERROR_TIMEOUT);
  g_assert_cmpint (ze_error_exit_status (error), ==, 6);
  assert_nothing_left (f);
}

static void
test_close_before_answer (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *token = tc_token (&f->tc, "ott", NULL);
  g_autofree char *jti = tc_token_id (token);
  g_autofree char *pending = tc_work_path (&f->tc, "laptop.json.pending");
  g_autoptr(ZeIdentity) identity = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) root = NULL;

  make_enroller (f, token, "laptop.json");
  identity = run (f, &error);
  g_assert_null (identity);
  g_assert_error (error, ZE_ERROR, ZE_ERROR_CONNECTION_LOST);
  g_assert_cmpint (ze_error_exit_status (error), ==, 6);

  /* The token is consumed: the key is kept, marked pending, and the message says where. */
  g_assert_nonnull (strstr (error->message, pending));
  g_assert_nonnull (strstr (error->message, jti));
  g_assert_true (ze_identity_get_pending (ze_enroller_get_identity (f->enroller)));
  root = load_identity_file (pending);
  g_assert_true (json_object_has_member (root, "pending"));
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (root, "pending"), "token_id"), ==, jti);
  g_assert_true (g_str_has_prefix (json_object_get_string_member (json_object_get_object_member (root, "id"), "key"),
                                   "pem:-----BEGIN PRIVATE KEY-----"));
}

static void
test_bad_pkcs7 (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *token = tc_token (&f->tc, "ott", NULL);
  g_autoptr(ZeIdentity) identity = NULL;
  g_autoptr(GError) error = NULL;

  make_enroller (f, token, "laptop.json");
  identity = run (f, &error);
  g_assert_error (error, ZE_ERROR, ZE_ERROR_CA_BUNDLE_INVALID);
  g_assert_cmpint (ze_error_exit_status (error), ==, 4);
  assert_nothing_left (f);
}

static void
test_endless_body (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *token = tc_token (&f->tc, "ott", NULL);
  g_autoptr(ZeIdentity) identity = NULL;
  g_autoptr(GError) error = NULL;

  make_enroller (f, token, "laptop.json");
  identity = run (f, &error);
  g_assert_null (identity);
  g_assert_error (error, ZE_ERROR, ZE_ERROR_RESPONSE_TOO_LARGE);
  g_assert_cmpint (ze_error_exit_status (error), ==, 6);
}

static void
test_http_500 (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *token = tc_token (&f->tc, "ott", NULL);
  g_autoptr(ZeIdentity) identity = NULL;
  g_autoptr(GError) error = NULL;

  make_enroller (f, token, "laptop.json");
  identity = run (f, &error);
  g_assert_error (error, ZE_ERROR, ZE_ERROR_CONTROLLER_INTERNAL);
  g_assert_cmpint (ze_error_exit_status (error), ==, 5);
  /* The outcome is unknown: the key is kept. */
  g_assert_true (ze_identity_get_pending (ze_enroller_get_identity (f->enroller)));
}

static void
test_not_json (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *token = tc_token (&f->tc, "ott", NULL);
  g_autoptr(ZeIdentity) identity = NULL;
  g_autoptr(GError) error = NULL;

  make_enroller (f, token, "laptop.json");
  identity = run (f, &error);
  g_assert_error (error, ZE_ERROR, ZE_ERROR_RESPONSE_INVALID);
  g_assert_cmpint (ze_error_exit_status (error), ==, 6);
  g_assert_true (ze_identity_get_pending (ze_enroller_get_identity (f->enroller)));
}

/* ---- cancellation ---- */

static void
test_cancel_at_step (Fixture       *f,
                     gconstpointer  data)
{
  /* The step to cancel at is the last part of the test path. */
  int step = atoi (strrchr (g_test_get_path (), '/') + 1);
  g_autofree char *token = tc_token (&f->tc, "ott", NULL);
  g_autoptr(ZeIdentity) identity = NULL;
  g_autoptr(GError) error = NULL;

  f->cancel_at = step;
  make_enroller (f, token, "laptop.json");
  identity = run (f, &error);

  if (step < ZE_ENROLL_STEP_SEND)
    {
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_assert_cmpint (ze_error_exit_status (error), ==, 8);
      assert_nothing_left (f);
      g_assert_cmpuint (tc_count_log (&f->tc, "request POST"), ==, 0);
    }
  else
    {
      /* The request may be out: the engine waits for the answer and keeps the identity. */
      if (identity == NULL)
        {
          g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
          assert_nothing_left (f);
        }
      else
        {
          g_autofree char *path = tc_work_path (&f->tc, "laptop.json");

          g_assert_no_error (error);
          assert_identity_file_valid (f, path, TRUE);
        }
    }
}

static const Setup setup_legacy = { "ec-p256", { "--legacy-pem", NULL } };
static const Setup setup_no_keepalive = { "ec-p256", { "--fault", "no-keepalive", NULL } };
static const Setup setup_wrong_cert = { "ec-p256", { "--fault", "wrong-cert-after-first", "--fault", "no-keepalive" } };
static const Setup setup_slow = { "ec-p256", { "--fault", "slow:3000", NULL } };
static const Setup setup_close = { "ec-p256", { "--fault", "close-before-answer", NULL } };
static const Setup setup_bad_pkcs7 = { "ec-p256", { "--fault", "bad-pkcs7", NULL } };
static const Setup setup_endless = { "ec-p256", { "--fault", "endless-body", NULL } };
static const Setup setup_500 = { "ec-p256", { "--fault", "http-500", NULL } };
static const Setup setup_not_json = { "ec-p256", { "--fault", "not-json", NULL } };
static const Setup setup_rsa = { "rsa-2048", { NULL } };
static const Setup setup_p384 = { "ec-p384", { NULL } };

#define ADD(path, setup, func) \
  g_test_add (path, Fixture, setup, fixture_setup, func, fixture_teardown)

int
main (int   argc,
      char *argv[])
{
  static const char *key_types[] = { "ec-p256", "ec-p384", "rsa-2048", "rsa-3072", "rsa-4096" };

  g_test_init (&argc, &argv, NULL);

  ADD ("/enroll/ott", &setup_default, test_ott);
  ADD ("/enroll/ott/controller-rsa", &setup_rsa, test_ott);
  ADD ("/enroll/ott/controller-p384", &setup_p384, test_ott);
  for (guint i = 0; i < G_N_ELEMENTS (key_types); i++)
    {
      g_autofree char *path = g_strdup_printf ("/enroll/key-type/%s", key_types[i]);

      ADD (path, &setup_default, test_key_type);
    }
  ADD ("/enroll/answer/legacy-pem", &setup_legacy, test_legacy_pem);
  ADD ("/enroll/claims/variants", &setup_default, test_claim_variants);
  ADD ("/enroll/updb", &setup_default, test_updb);
  ADD ("/enroll/ottca", &setup_default, test_ottca);
  ADD ("/enroll/ca", &setup_default, test_ca);
  ADD ("/enroll/main-loop/served-while-keys-are-made", &setup_default, test_main_loop_served);
  ADD ("/enroll/at-trust/updb-password", &setup_default, test_updb_password_at_trust);
  ADD ("/enroll/at-trust/updb-no-password", &setup_default, test_updb_no_password);
  ADD ("/enroll/at-trust/updb-no-password-no-pause", &setup_default,
       test_updb_no_password_no_pause);
  ADD ("/enroll/at-trust/ottca-certificate", &setup_default, test_ottca_certificate_at_trust);
  ADD ("/enroll/at-trust/pin-pauses", &setup_default, test_fingerprint_matches);
  ADD ("/enroll/at-trust/pin-mismatch-pausing", &setup_default, test_fingerprint_mismatch);
  ADD ("/enroll/no-keepalive", &setup_no_keepalive, test_no_keepalive);
  ADD ("/enroll/trust/fingerprint-matches", &setup_default, test_fingerprint_matches);
  ADD ("/enroll/trust/fingerprint-mismatch", &setup_default, test_fingerprint_mismatch);
  ADD ("/enroll/trust/pin-mismatch", &setup_default, test_fingerprint_mismatch);
  ADD ("/enroll/trust/refused", &setup_default, test_trust_refused);
  ADD ("/enroll/trust/signed-by-other", &setup_default, test_signed_by_other);
  ADD ("/enroll/trust/certificate-changed", &setup_wrong_cert, test_certificate_changed);
  ADD ("/enroll/refused/token-used", &setup_default, test_token_used);
  ADD ("/enroll/refused/expired", &setup_default, test_controller_expired);
  ADD ("/enroll/refused/locally-expired", &setup_default, test_locally_expired);
  ADD ("/enroll/refused/wrong-method", &setup_default, test_wrong_method);
  ADD ("/enroll/refused/ottca-certificate", &setup_default, test_ottca_rejected_certificate);
  ADD ("/enroll/refused/certificate-in-use", &setup_default, test_certificate_in_use);
  ADD ("/enroll/fault/slow-timeout", &setup_slow, test_timeout);
  ADD ("/enroll/fault/close-before-answer", &setup_close, test_close_before_answer);
  ADD ("/enroll/fault/bad-pkcs7", &setup_bad_pkcs7, test_bad_pkcs7);
  ADD ("/enroll/fault/endless-body", &setup_endless, test_endless_body);
  ADD ("/enroll/fault/http-500", &setup_500, test_http_500);
  ADD ("/enroll/fault/not-json", &setup_not_json, test_not_json);
  for (int step = ZE_ENROLL_STEP_CONNECT; step <= ZE_ENROLL_STEP_SEND; step++)
    {
      g_autofree char *path = g_strdup_printf ("/enroll/cancel/%d", step);

      ADD (path, &setup_default, test_cancel_at_step);
    }

  return g_test_run ();
}
