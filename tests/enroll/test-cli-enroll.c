/* test-cli-enroll.c: ziti-enroll-cli enroll, list, export and delete, as an
 * admin's script or a person runs them, against the local controller and the
 * real gnome-keyring of the test session
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

typedef struct
{
  TestController tc;
  char          *data_home;     /* XDG_DATA_HOME of the CLI runs */
  int            status;
  char          *out;
  char          *err;
} Fixture;

typedef struct
{
  const char *serve[4];
} Setup;

static const Setup setup_default = { { NULL } };
static const Setup setup_slow = { { "--fault", "slow:3000", NULL } };
static const Setup setup_close = { { "--fault", "close-before-answer", NULL } };

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  const Setup *setup = data;
  g_autoptr(GError) error = NULL;

  tc_start (&f->tc, "ec-p256", setup->serve);
  f->data_home = g_dir_make_tmp ("ze-data-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  tc_remove_tree (f->data_home);
  g_clear_pointer (&f->data_home, g_free);
  g_clear_pointer (&f->out, g_free);
  g_clear_pointer (&f->err, g_free);
  tc_stop (&f->tc);
}

/* Runs ziti-enroll-cli with @argv in the client's work folder; @env_extra are
 * NAME=VALUE pairs (NULL-terminated, may be NULL). */
static void
cli (Fixture            *f,
     const char * const *env_extra,
     const char * const *argv)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&f->out, g_free);
  g_clear_pointer (&f->err, g_free);

  g_ptr_array_add (args, (gpointer)g_getenv ("ZE_CLI"));
  for (guint i = 0; argv[i] != NULL; i++)
    g_ptr_array_add (args, (gpointer)argv[i]);
  g_ptr_array_add (args, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_cwd (launcher, f->tc.work);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", f->data_home, TRUE);
  for (guint i = 0; env_extra != NULL && env_extra[i] != NULL; i++)
    {
      g_auto(GStrv) pair = g_strsplit (env_extra[i], "=", 2);

      g_subprocess_launcher_setenv (launcher, pair[0], pair[1], TRUE);
    }

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *)args->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &f->out, &f->err, &error);
  g_assert_no_error (error);
  f->status = g_subprocess_get_exit_status (process);
  g_test_message ("exit %d; stderr: %s", f->status, f->err);
}

#define CLI(f, ...) cli (f, NULL, (const char * const []) { __VA_ARGS__, NULL })
#define CLI_ENV(f, env, ...) cli (f, env, (const char * const []) { __VA_ARGS__, NULL })

static char *
write_token (Fixture    *f,
             const char *method,
             const char *name)
{
  g_autofree char *token = tc_token (&f->tc, method, NULL);
  g_autofree char *file = g_strconcat (name, ".jwt", NULL);
  char *path = tc_work_path (&f->tc, file);

  g_assert_true (g_file_set_contents (path, token, -1, NULL));

  return path;
}

static JsonNode *
parse (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);

  return json_node_copy (json_parser_get_root (parser));
}

static gboolean
tree_contains (const char *dir,
               const char *needle)
{
  const char *argv[] = { "grep", "-rl", needle, dir, NULL };
  int status = -1;

  g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL |
                G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, NULL);

  return g_spawn_check_wait_status (status, NULL);
}

static void
test_file_store_json (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *token = write_token (f, "ott", "laptop");
  g_autofree char *fingerprint = tc_server_fingerprint (&f->tc, "server.pem");
  g_autofree char *expected_file = tc_work_path (&f->tc, "out.json");
  g_autoptr(JsonNode) root = NULL;
  JsonObject *object;
  struct stat st;

  CLI (f, "enroll", token, "--store", "file", "--out", "out.json", "--trust-on-first-use", "--json");
  g_assert_cmpint (f->status, ==, 0);
  root = parse (f->out);
  object = json_node_get_object (root);
  g_assert_cmpstr (json_object_get_string_member (object, "name"), ==, "laptop");
  g_assert_true (g_str_has_suffix (json_object_get_string_member (object, "identity_file"), "out.json"));
  g_assert_cmpstr (json_object_get_string_member (object, "store"), ==, "file");
  g_assert_cmpstr (json_object_get_string_member (object, "controller"), ==, f->tc.url);
  g_assert_cmpstr (json_object_get_string_member (object, "fingerprint_sha256"), ==, fingerprint);
  g_assert_true (g_str_has_suffix (json_object_get_string_member (object, "certificate_expires"), "Z"));
  g_assert_cmpint (g_stat (expected_file, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
}

static void
test_no_trust_option (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *token = write_token (f, "ott", "laptop");
  g_autofree char *fingerprint = tc_server_fingerprint (&f->tc, "server.pem");
  g_autofree char *identity = tc_work_path (&f->tc, "laptop.json");

  CLI (f, "enroll", token, "--store", "file");
  g_assert_cmpint (f->status, ==, 4);
  g_assert_nonnull (strstr (f->err, fingerprint));
  g_assert_nonnull (strstr (f->err, "--trust-fingerprint"));
  g_assert_cmpuint (tc_count_log (&f->tc, "request POST"), ==, 0);
  g_assert_false (g_file_test (identity, G_FILE_TEST_EXISTS));
}

static void
test_trust_fingerprint_forms (Fixture       *f,
                              gconstpointer  data)
{
  g_autofree char *token = write_token (f, "ott", "laptop");
  g_autofree char *hex = tc_server_fingerprint (&f->tc, "server.pem");
  g_autofree char *upper = g_ascii_strup (hex, -1);
  GString *colons = g_string_new (NULL);

  for (guint i = 0; i < 64; i += 2)
    g_string_append_printf (colons, "%s%.2s", i > 0 ? ":" : "", upper + i);

  CLI (f, "enroll", token, "--store", "file", "--trust-fingerprint", colons->str);
  g_assert_cmpint (f->status, ==, 0);
  g_string_free (colons, TRUE);
}

static void
test_wrong_fingerprint (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *token = write_token (f, "ott", "laptop");

  CLI (f, "enroll", token, "--store", "file", "--trust-fingerprint",
       "00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF");
  g_assert_cmpint (f->status, ==, 4);
  g_assert_cmpuint (tc_count_log (&f->tc, "request POST"), ==, 0);
}

static void
test_bad_fingerprint_usage (Fixture       *f,
                            gconstpointer  data)
{
  g_autofree char *token = write_token (f, "ott", "laptop");

  CLI (f, "enroll", token, "--trust-fingerprint", "12:34");
  g_assert_cmpint (f->status, ==, 2);
  CLI (f, "enroll", token, "--trust-fingerprint", "00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF", "--trust-on-first-use");
  g_assert_cmpint (f->status, ==, 2);
  CLI (f, "enroll", token, "--key-type", "dsa-1024");
  g_assert_cmpint (f->status, ==, 2);
  /* Nothing was even attempted. */
  g_assert_cmpuint (tc_count_log (&f->tc, "connection"), ==, 0);
}

static void
test_token_used (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *token = write_token (f, "ott", "laptop");

  CLI (f, "enroll", token, "--store", "file", "--out", "a.json", "--trust-on-first-use");
  g_assert_cmpint (f->status, ==, 0);
  CLI (f, "enroll", token, "--store", "file", "--out", "b.json", "--trust-on-first-use");
  g_assert_cmpint (f->status, ==, 5);
  g_assert_nonnull (strstr (f->err, "already used"));
  g_assert_nonnull (strstr (f->err, "administrator"));
}

static void
test_timeout (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *token = write_token (f, "ott", "laptop");

  CLI (f, "enroll", token, "--store", "file", "--trust-on-first-use", "--timeout", "1");
  g_assert_cmpint (f->status, ==, 6);
  g_assert_nonnull (strstr (f->err, "1 seconds"));
}

static void
test_expired_token (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *token = tc_token (&f->tc, "ott", (const char * const []) { "--expires-in", "-3600", NULL });

  CLI (f, "enroll", token, "--store", "file", "--trust-on-first-use");
  g_assert_cmpint (f->status, ==, 3);
  g_assert_nonnull (strstr (f->err, "expired"));
}

static void
test_inspect_connect (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *token = write_token (f, "ott", "laptop");
  g_autofree char *fingerprint = tc_server_fingerprint (&f->tc, "server.pem");
  g_autofree char *other = tc_token (&f->tc, "ott", (const char * const []) { "--signed-by", "other", NULL });
  g_autoptr(JsonNode) root = NULL;
  JsonObject *connection;

  CLI (f, "inspect", token, "--connect", "--json");
  g_assert_cmpint (f->status, ==, 0);
  root = parse (f->out);
  connection = json_object_get_object_member (json_node_get_object (root), "connection");
  g_assert_true (json_object_get_boolean_member (connection, "signature_valid"));
  g_assert_true (json_object_get_boolean_member (connection, "chain_valid"));
  g_assert_cmpstr (json_object_get_string_member (connection, "fingerprint_sha256"), ==, fingerprint);
  /* Only the CA bundle was asked for. */
  g_assert_cmpuint (tc_count_log (&f->tc, "request"), ==, 1);

  CLI (f, "inspect", other, "--connect");
  g_assert_cmpint (f->status, ==, 4);
  g_assert_nonnull (strstr (f->out, "NOT VALID"));
  g_assert_nonnull (strstr (f->err, "not issued by the server"));
}

/* issue 5: the default store is the keyring; the record never holds the key. */
static void
test_keyring_default (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *name = g_strdup_printf ("kr-%u", g_random_int ());
  g_autofree char *token = write_token (f, "ott", name);
  g_autofree char *record = NULL;
  g_autofree char *exported = tc_work_path (&f->tc, "exported.json");
  g_autoptr(JsonNode) list = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *secret_out = NULL;
  const char *search[] = { "secret-tool", "search", "--all", "identity", name, NULL };
  JsonObject *item;
  int status;
  struct stat st;

  CLI (f, "enroll", token, "--trust-on-first-use", "--json");
  g_assert_cmpint (f->status, ==, 0);
  root = parse (f->out);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (root), "store"), ==, "keyring");
  record = g_strdup (json_object_get_string_member (json_node_get_object (root), "identity_file"));
  g_assert_true (g_str_has_prefix (record, f->data_home));
  g_assert_true (g_file_test (record, G_FILE_TEST_IS_REGULAR));

  /* secret-tool finds the key in the keyring... */
  g_assert_true (g_spawn_sync (NULL, (char **)search, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               &secret_out, NULL, &status, NULL));
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_nonnull (strstr (secret_out, "PRIVATE KEY"));
  /* ...and no file under the data folder holds a private key. */
  g_assert_false (tree_contains (f->data_home, "PRIVATE KEY"));

  CLI (f, "list", "--json");
  g_assert_cmpint (f->status, ==, 0);
  list = parse (f->out);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (list)), ==, 1);
  item = json_array_get_object_element (json_node_get_array (list), 0);
  g_assert_cmpstr (json_object_get_string_member (item, "name"), ==, name);
  g_assert_false (json_object_get_boolean_member (item, "pending"));
  g_assert_cmpint (json_object_get_int_member (item, "certificate_expires"), >, g_get_real_time () / G_USEC_PER_SEC + 300 * 86400);

  /* export: a standard identity file, 0600, whose key matches its certificate. */
  CLI (f, "export", name, "--out", exported);
  g_assert_cmpint (f->status, ==, 0);
  g_assert_cmpint (g_stat (exported, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  {
    g_autoptr(JsonParser) parser = json_parser_new ();
    g_autoptr(GError) error = NULL;
    g_autoptr(ZeKeyPair) key = NULL;
    g_autoptr(ZeCertificate) cert = NULL;
    g_autoptr(GBytes) public_key = NULL;
    JsonObject *id;
    const char *key_pem, *cert_pem;

    json_parser_load_from_file (parser, exported, &error);
    g_assert_no_error (error);
    id = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)), "id");
    key_pem = json_object_get_string_member (id, "key") + 4;
    cert_pem = json_object_get_string_member (id, "cert") + 4;
    key = ze_key_pair_new_from_pem (key_pem, strlen (key_pem), &error);
    g_assert_no_error (error);
    cert = ze_certificate_new_from_pem (cert_pem, -1, &error);
    g_assert_no_error (error);
    public_key = ze_key_pair_get_public_key_der (key);
    g_assert_true (ze_certificate_has_public_key_of (cert, public_key));
  }

  /* Exporting again never overwrites. */
  CLI (f, "export", name, "--out", exported);
  g_assert_cmpint (f->status, ==, 7);

  /* delete: the record and the secret go. */
  CLI (f, "delete", name);
  g_assert_cmpint (f->status, ==, 0);
  g_assert_false (g_file_test (record, G_FILE_TEST_EXISTS));
  g_clear_pointer (&secret_out, g_free);
  g_spawn_sync (NULL, (char **)search, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                &secret_out, NULL, &status, NULL);
  g_assert_null (strstr (secret_out != NULL ? secret_out : "", "PRIVATE KEY"));

  CLI (f, "delete", name);
  g_assert_cmpint (f->status, ==, 7);
}

static void
test_keyring_name_collision (Fixture       *f,
                             gconstpointer  data)
{
  g_autofree char *name = g_strdup_printf ("kr-%u", g_random_int ());
  g_autofree char *first = write_token (f, "ott", name);
  g_autofree char *second = tc_token (&f->tc, "ott", NULL);

  CLI (f, "enroll", first, "--trust-on-first-use");
  g_assert_cmpint (f->status, ==, 0);
  CLI (f, "enroll", second, "--name", name, "--trust-on-first-use");
  g_assert_cmpint (f->status, ==, 7);
  g_assert_nonnull (strstr (f->err, "already an identity named"));
  /* Refused before the second token was sent. */
  g_assert_cmpuint (tc_count_log (&f->tc, "request POST"), ==, 1);
  CLI (f, "delete", name);
  g_assert_cmpint (f->status, ==, 0);
}

static void
test_keyring_pending (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *name = g_strdup_printf ("kr-%u", g_random_int ());
  g_autofree char *token = write_token (f, "ott", name);
  g_autoptr(JsonNode) list = NULL;
  JsonObject *item;

  CLI (f, "enroll", token, "--trust-on-first-use");
  g_assert_cmpint (f->status, ==, 6);
  g_assert_nonnull (strstr (f->err, "pending"));

  CLI (f, "list", "--json");
  list = parse (f->out);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (list)), ==, 1);
  item = json_array_get_object_element (json_node_get_array (list), 0);
  g_assert_true (json_object_get_boolean_member (item, "pending"));
  g_assert_true (json_object_get_null_member (item, "certificate_expires"));

  /* The key of a consumed token is still in the keyring. */
  {
    const char *search[] = { "secret-tool", "search", "--all", "identity", name, NULL };
    g_autofree char *out = NULL;

    g_spawn_sync (NULL, (char **)search, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, NULL, NULL, NULL);
    g_assert_nonnull (strstr (out, "PRIVATE KEY"));
  }

  CLI (f, "delete", name);
  g_assert_cmpint (f->status, ==, 0);
}

static void
test_keyring_unavailable (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *token = write_token (f, "ott", "nobus");
  const char *env[] = { "DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent/bus", NULL };

  CLI_ENV (f, env, "enroll", token, "--trust-on-first-use");
  g_assert_cmpint (f->status, ==, 7);
  g_assert_nonnull (strstr (f->err, "--store file"));
  /* No plaintext fallback, and nothing half-made. */
  g_assert_false (tree_contains (f->data_home, "PRIVATE KEY"));
  g_assert_false (tree_contains (f->tc.work, "PRIVATE KEY"));
  g_assert_cmpuint (tc_count_log (&f->tc, "request POST"), ==, 0);
}

/* A keyring whose collection is locked and cannot be unlocked (no prompter on
 * the test bus): in a session of its own, so the other tests keep theirs. */
static void
test_keyring_locked (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *token = write_token (f, "ott", "locked");
  g_autofree char *session = g_test_build_filename (G_TEST_DIST, "headless", "run-headless.sh", NULL);
  g_autofree char *script = g_strdup_printf (
    "gdbus call --session --dest org.freedesktop.secrets --object-path /org/freedesktop/secrets "
    "--method org.freedesktop.Secret.Service.Lock \"['/org/freedesktop/secrets/collection/login']\" >/dev/null "
    "&& exec \"$ZE_CLI\" enroll '%s' --trust-on-first-use", token);
  const char *argv[] = { session, "--keyring", "sh", "-c", script, NULL };
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", f->data_home, TRUE);
  /* A session inside the test's session: run-headless.sh must start afresh. */
  g_subprocess_launcher_unsetenv (launcher, "_RH_INNER");
  g_subprocess_launcher_unsetenv (launcher, "_RH_KEYRING");
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_test_message ("%s", err);

  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 7);
  g_assert_nonnull (strstr (err, "locked"));
  g_assert_nonnull (strstr (err, "--store file"));
  g_assert_false (tree_contains (f->data_home, "PRIVATE KEY"));
  g_assert_cmpuint (tc_count_log (&f->tc, "request POST"), ==, 0);
}

/* Two enrollments at once under one name: exactly one wins, the other is
 * refused before it sends anything. */
static void
test_keyring_two_at_once (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *name = g_strdup_printf ("kr-%u", g_random_int ());
  g_autofree char *t1 = tc_token (&f->tc, "ott", NULL);
  g_autofree char *t2 = tc_token (&f->tc, "ott", NULL);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                                                       G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GSubprocess) p1 = NULL;
  g_autoptr(GSubprocess) p2 = NULL;
  g_autoptr(GError) error = NULL;
  int s1, s2;

  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", f->data_home, TRUE);
  p1 = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("ZE_CLI"), "enroll", t1, "--name", name,
                                    "--trust-on-first-use", NULL);
  g_assert_no_error (error);
  p2 = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("ZE_CLI"), "enroll", t2, "--name", name,
                                    "--trust-on-first-use", NULL);
  g_assert_no_error (error);
  g_subprocess_wait (p1, NULL, NULL);
  g_subprocess_wait (p2, NULL, NULL);
  s1 = g_subprocess_get_exit_status (p1);
  s2 = g_subprocess_get_exit_status (p2);

  g_assert_true ((s1 == 0 && s2 == 7) || (s1 == 7 && s2 == 0));
  g_assert_cmpuint (tc_count_log (&f->tc, "request POST"), ==, 1);
  CLI (f, "delete", name);
  g_assert_cmpint (f->status, ==, 0);
}

#define ADD(path, setup, func) \
  g_test_add (path, Fixture, setup, fixture_setup, func, fixture_teardown)

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  ADD ("/cli/enroll/file-store-json", &setup_default, test_file_store_json);
  ADD ("/cli/enroll/no-trust-option", &setup_default, test_no_trust_option);
  ADD ("/cli/enroll/trust-fingerprint-forms", &setup_default, test_trust_fingerprint_forms);
  ADD ("/cli/enroll/wrong-fingerprint", &setup_default, test_wrong_fingerprint);
  ADD ("/cli/enroll/usage-errors", &setup_default, test_bad_fingerprint_usage);
  ADD ("/cli/enroll/token-used", &setup_default, test_token_used);
  ADD ("/cli/enroll/timeout", &setup_slow, test_timeout);
  ADD ("/cli/enroll/expired-token", &setup_default, test_expired_token);
  ADD ("/cli/inspect/connect", &setup_default, test_inspect_connect);
  ADD ("/keyring/default-store-list-export-delete", &setup_default, test_keyring_default);
  ADD ("/keyring/name-collision", &setup_default, test_keyring_name_collision);
  ADD ("/keyring/pending", &setup_close, test_keyring_pending);
  ADD ("/keyring/unavailable", &setup_default, test_keyring_unavailable);
  ADD ("/keyring/locked", &setup_default, test_keyring_locked);
  ADD ("/keyring/two-at-once", &setup_default, test_keyring_two_at_once);

  return g_test_run ();
}
