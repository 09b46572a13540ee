/* test-cli-inspect.c: ziti-enroll-cli inspect, run as a user would
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <glib/gstdio.h>

#include <json-glib/json-glib.h>

#include "ze-test-util.h"

typedef struct
{
  int   status;
  char *out;
  char *err;
} Run;

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

/* Runs the built CLI with @argv (NULL-terminated), feeding @input on stdin. */
static void
run_cli (Run                *run,
         const char         *input,
         const char * const *argv)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  const char *cli = g_getenv ("ZE_CLI");

  g_assert_nonnull (cli);
  g_ptr_array_add (args, (gpointer)cli);
  for (guint i = 0; argv[i] != NULL; i++)
    g_ptr_array_add (args, (gpointer)argv[i]);
  g_ptr_array_add (args, NULL);

  process = g_subprocess_newv ((const char * const *)args->pdata,
                               G_SUBPROCESS_FLAGS_STDIN_PIPE |
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                               G_SUBPROCESS_FLAGS_STDERR_PIPE,
                               &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, input, NULL, &run->out, &run->err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  run->status = g_subprocess_get_exit_status (process);
}

#define RUN(run, input, ...) run_cli (run, input, (const char * const []) { __VA_ARGS__, NULL })

static char *
future_token (void)
{
  g_autofree char *claims = g_strdup_printf (
    "{\"iss\":\"https://127.0.0.1:1280\",\"sub\":\"laptop-7\",\"aud\":[\"\"],\"exp\":%" G_GINT64_FORMAT ","
    "\"jti\":\"0d6c0c62-6f11-4d5e-9c43-0d2b4f1f9a10\",\"em\":\"ott\",\"ctrls\":null}",
    g_get_real_time () / G_USEC_PER_SEC + 3 * 3600 + 60);

  return ze_test_make_token ("{\"alg\":\"ES256\",\"typ\":\"JWT\"}", claims);
}

static void
test_tv1_expired_text (void)
{
  g_autofree char *path = ze_test_data_path ("tv1-rs256-production.jwt");
  g_auto(Run) run = { 0 };

  RUN (&run, NULL, "inspect", path);
  g_assert_cmpint (run.status, ==, 3);
  g_assert_nonnull (strstr (run.out, "https://fd200fd3-a2d9-457f-bc0b-f9b8ee7d2898.production.netfoundry.io:443"));
  g_assert_nonnull (strstr (run.out, "AZ5jYB-0F"));
  g_assert_nonnull (strstr (run.out, "09297479-4894-40a0-bb42-9030d4bdd05a"));
  g_assert_nonnull (strstr (run.out, "ott"));
  g_assert_nonnull (strstr (run.out, "expired"));
  g_assert_nonnull (strstr (run.out, "2024-01-07 21:08:15 UTC"));
  g_assert_nonnull (strstr (run.err, "expired"));
}

static void
test_tv1_json (void)
{
  g_autofree char *path = ze_test_data_path ("tv1-rs256-production.jwt");
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_auto(Run) run = { 0 };
  JsonObject *object;

  RUN (&run, NULL, "inspect", "--json", path);
  g_assert_cmpint (run.status, ==, 3);
  json_parser_load_from_data (parser, run.out, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  object = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (object, "controller"), ==,
                   "https://fd200fd3-a2d9-457f-bc0b-f9b8ee7d2898.production.netfoundry.io:443");
  g_assert_cmpstr (json_object_get_string_member (object, "identity"), ==, "AZ5jYB-0F");
  g_assert_cmpstr (json_object_get_string_member (object, "method"), ==, "ott");
  g_assert_cmpstr (json_object_get_string_member (object, "token_id"), ==,
                   "09297479-4894-40a0-bb42-9030d4bdd05a");
  g_assert_cmpint (json_object_get_int_member (object, "expires_at"), ==, 1704661695);
  g_assert_true (json_object_get_boolean_member (object, "expired"));
}

static void
test_valid_from_stdin (void)
{
  g_autofree char *token = future_token ();
  g_autofree char *input = g_strconcat (token, "\n", NULL);
  g_auto(Run) run = { 0 };

  RUN (&run, input, "inspect", "-");
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "https://127.0.0.1:1280"));
  g_assert_nonnull (strstr (run.out, "laptop-7"));
  g_assert_nonnull (strstr (run.out, "in 3 hours"));
  g_assert_cmpstr (run.err, ==, "");
}

static void
test_valid_text_argument_json (void)
{
  g_autofree char *token = future_token ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_auto(Run) run = { 0 };
  JsonObject *object;

  RUN (&run, NULL, "inspect", token, "--json");
  g_assert_cmpint (run.status, ==, 0);
  json_parser_load_from_data (parser, run.out, -1, &error);
  g_assert_no_error (error);
  object = json_node_get_object (json_parser_get_root (parser));
  g_assert_false (json_object_get_boolean_member (object, "expired"));
  g_assert_cmpstr (json_object_get_string_member (object, "token_id"), ==,
                   "0d6c0c62-6f11-4d5e-9c43-0d2b4f1f9a10");
}

static void
test_no_expiry_json_null (void)
{
  g_autofree char *token = ze_test_make_token ("{\"alg\":\"ES256\"}",
                                               "{\"iss\":\"https://c.example.org/\",\"sub\":\"n\",\"em\":\"network\"}");
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_auto(Run) run = { 0 };
  JsonObject *object;

  RUN (&run, NULL, "inspect", "--json", token);
  g_assert_cmpint (run.status, ==, 0);
  json_parser_load_from_data (parser, run.out, -1, &error);
  g_assert_no_error (error);
  object = json_node_get_object (json_parser_get_root (parser));
  g_assert_true (json_object_get_null_member (object, "expires_at"));
  g_assert_true (json_object_get_null_member (object, "token_id"));
  g_assert_false (json_object_get_boolean_member (object, "expired"));
}

static void
test_malformed (void)
{
  g_auto(Run) run = { 0 };

  RUN (&run, "eyJhbGciOiJFUzI1NiJ9.e30\n", "inspect", "-");
  g_assert_cmpint (run.status, ==, 3);
  g_assert_cmpstr (run.out, ==, "");
  g_assert_nonnull (strstr (run.err, "three parts"));
}

/* An empty file or empty input: exit 3 with the reason (tests/fuzz found the crash). */
static void
test_empty (void)
{
  g_auto(Run) run = { 0 };
  g_auto(Run) piped = { 0 };
  g_autofree char *dir = g_dir_make_tmp ("ze-cli-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "empty.jwt", NULL);

  g_assert_true (g_file_set_contents (path, "", 0, NULL));
  RUN (&run, NULL, "inspect", path);
  g_assert_cmpint (run.status, ==, 3);
  g_assert_nonnull (strstr (run.err, "empty"));

  RUN (&piped, "", "inspect", "-");
  g_assert_cmpint (piped.status, ==, 3);
  g_assert_nonnull (strstr (piped.err, "empty"));

  g_unlink (path);
  g_rmdir (dir);
}

static void
test_router_token (void)
{
  g_autofree char *token = ze_test_make_token ("{\"alg\":\"ES256\"}",
                                               "{\"iss\":\"https://c.example.org\",\"sub\":\"r\",\"jti\":\"j\",\"em\":\"erott\"}");
  g_auto(Run) run = { 0 };

  RUN (&run, NULL, "inspect", token);
  g_assert_cmpint (run.status, ==, 3);
  g_assert_nonnull (strstr (run.err, "router token"));
}

static void
test_unsigned_token (void)
{
  g_autofree char *token = ze_test_make_token ("{\"alg\":\"none\"}",
                                               "{\"iss\":\"https://c.example.org\",\"sub\":\"s\",\"jti\":\"j\",\"em\":\"ott\"}");
  g_auto(Run) run = { 0 };

  RUN (&run, NULL, "inspect", "--json", token);
  g_assert_cmpint (run.status, ==, 3);
  g_assert_cmpstr (run.out, ==, "");
  g_assert_nonnull (strstr (run.err, "not signed"));
}

static void
test_usage_errors (void)
{
  g_auto(Run) none = { 0 };
  g_auto(Run) missing = { 0 };
  g_auto(Run) option = { 0 };
  g_auto(Run) command = { 0 };
  g_auto(Run) nofile = { 0 };

  RUN (&none, NULL, "inspect");
  g_assert_cmpint (none.status, ==, 2);
  RUN (&missing, NULL, "inspect", "a", "b");
  g_assert_cmpint (missing.status, ==, 2);
  RUN (&option, NULL, "inspect", "--frobnicate", "x");
  g_assert_cmpint (option.status, ==, 2);
  RUN (&command, NULL, "frobnicate");
  g_assert_cmpint (command.status, ==, 2);
  RUN (&nofile, NULL, "inspect", "/nonexistent/token.jwt");
  g_assert_cmpint (nofile.status, ==, 2);
  g_assert_nonnull (strstr (nofile.err, "/nonexistent/token.jwt"));
}

static void
test_help_lists_exit_codes (void)
{
  g_auto(Run) run = { 0 };

  RUN (&run, NULL, "--help");
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "inspect"));
  g_assert_nonnull (strstr (run.out, "3  bad or expired token"));
  g_assert_nonnull (strstr (run.out, "8  cancelled"));
}

static void
test_oversized_stdin (void)
{
  g_autofree char *big = g_strnfill (20000, 'a');
  g_auto(Run) run = { 0 };

  RUN (&run, big, "inspect", "-");
  g_assert_cmpint (run.status, ==, 3);
  g_assert_nonnull (strstr (run.err, "too large"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cli/inspect/tv1-expired-text", test_tv1_expired_text);
  g_test_add_func ("/cli/inspect/tv1-json", test_tv1_json);
  g_test_add_func ("/cli/inspect/valid-from-stdin", test_valid_from_stdin);
  g_test_add_func ("/cli/inspect/valid-text-argument-json", test_valid_text_argument_json);
  g_test_add_func ("/cli/inspect/no-expiry-json-null", test_no_expiry_json_null);
  g_test_add_func ("/cli/inspect/malformed", test_malformed);
  g_test_add_func ("/cli/inspect/empty", test_empty);
  g_test_add_func ("/cli/inspect/router-token", test_router_token);
  g_test_add_func ("/cli/inspect/unsigned-token", test_unsigned_token);
  g_test_add_func ("/cli/inspect/usage-errors", test_usage_errors);
  g_test_add_func ("/cli/inspect/oversized-stdin", test_oversized_stdin);
  g_test_add_func ("/cli/help-lists-exit-codes", test_help_lists_exit_codes);

  return g_test_run ();
}
