/* ze-test-controller.h: run the local test controller from a test
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "ze-test-util.h"

typedef struct
{
  char        *dir;       /* the controller's directory */
  char        *work;      /* where the client writes */
  GSubprocess *server;
  char        *url;
  int          port;
} TestController;

static inline char *
tc_run (const char * const *argv,
        int                *status)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  g_autofree char *err = NULL;

  g_ptr_array_add (args, (gpointer)g_getenv ("ZE_TEST_CONTROLLER"));
  for (guint i = 0; argv[i] != NULL; i++)
    g_ptr_array_add (args, (gpointer)argv[i]);
  g_ptr_array_add (args, NULL);

  process = g_subprocess_newv ((const char * const *)args->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                               &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  *status = g_subprocess_get_exit_status (process);
  if (*status != 0)
    g_test_message ("controller %s: %s", argv[0], err);

  return out;
}

#define TC_RUN(status, ...) tc_run ((const char * const []) { __VA_ARGS__, NULL }, status)

static inline void
tc_remove_tree (const char *path)
{
  const char *argv[] = { "rm", "-rf", path, NULL };

  if (path != NULL)
    g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
}

/* The server dies with the test, even when the test crashes. */
static inline void
tc_child_setup (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

/* Creates a PKI and starts `serve` with @serve_args (NULL-terminated, may be NULL). */
static inline void
tc_start (TestController     *tc,
          const char         *key_type,
          const char * const *serve_args)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autofree char *line = NULL;
  g_autofree char *out = NULL;
  int status;

  memset (tc, 0, sizeof *tc);
  tc->dir = g_dir_make_tmp ("ze-controller-XXXXXX", &error);
  g_assert_no_error (error);
  tc->work = g_dir_make_tmp ("ze-client-XXXXXX", &error);
  g_assert_no_error (error);

  out = TC_RUN (&status, "init", tc->dir, "--key-type", key_type != NULL ? key_type : "ec-p256");
  g_assert_cmpint (status, ==, 0);

  g_ptr_array_add (args, (gpointer)g_getenv ("ZE_TEST_CONTROLLER"));
  g_ptr_array_add (args, (gpointer)"serve");
  g_ptr_array_add (args, tc->dir);
  g_ptr_array_add (args, (gpointer)"--port");
  g_ptr_array_add (args, (gpointer)"0");
  for (guint i = 0; serve_args != NULL && serve_args[i] != NULL; i++)
    g_ptr_array_add (args, (gpointer)serve_args[i]);
  g_ptr_array_add (args, NULL);

  {
    g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);

    g_subprocess_launcher_set_child_setup (launcher, tc_child_setup, NULL, NULL);
    tc->server = g_subprocess_launcher_spawnv (launcher, (const char * const *)args->pdata, &error);
    g_assert_no_error (error);
  }

  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (tc->server));
  line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "listening on https://127.0.0.1:"));
  tc->url = g_strdup (line + strlen ("listening on "));
  tc->port = atoi (strrchr (tc->url, ':') + 1);
  g_assert_cmpint (tc->port, >, 0);
}

static inline void
tc_stop (TestController *tc)
{
  if (tc->server != NULL)
    {
      g_subprocess_send_signal (tc->server, SIGTERM);
      g_subprocess_wait (tc->server, NULL, NULL);
      g_clear_object (&tc->server);
    }
  tc_remove_tree (tc->dir);
  tc_remove_tree (tc->work);
  g_clear_pointer (&tc->dir, g_free);
  g_clear_pointer (&tc->work, g_free);
  g_clear_pointer (&tc->url, g_free);
}

/* Mints a token with `token DIR --method M` plus @extra (NULL-terminated). */
static inline char *
tc_token (TestController     *tc,
          const char         *method,
          const char * const *extra)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  int status;
  char *out;

  g_ptr_array_add (args, (gpointer)"token");
  g_ptr_array_add (args, tc->dir);
  g_ptr_array_add (args, (gpointer)"--method");
  g_ptr_array_add (args, (gpointer)method);
  for (guint i = 0; extra != NULL && extra[i] != NULL; i++)
    g_ptr_array_add (args, (gpointer)extra[i]);
  g_ptr_array_add (args, NULL);

  out = tc_run ((const char * const *)args->pdata, &status);
  g_assert_cmpint (status, ==, 0);

  return g_strstrip (out);
}

static inline char *
tc_path (TestController *tc,
         const char     *name)
{
  return g_build_filename (tc->dir, name, NULL);
}

static inline char *
tc_work_path (TestController *tc,
              const char     *name)
{
  return g_build_filename (tc->work, name, NULL);
}

/* Counts the access.log lines that start with @prefix ("connection", "request GET", …). */
static inline guint
tc_count_log (TestController *tc,
              const char     *prefix)
{
  g_autofree char *path = tc_path (tc, "access.log");
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  guint n = 0;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return 0;

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (lines[i], prefix))
        n++;
    }

  return n;
}

/* The SHA-256 of the controller's leaf, as 64 lowercase hex digits. */
static inline char *
tc_server_fingerprint (TestController *tc,
                       const char     *file)
{
  g_autofree char *path = tc_path (tc, file);
  g_autofree char *pem = NULL;
  gnutls_x509_crt_t crt;
  gnutls_datum_t datum;
  unsigned char digest[32];
  size_t size = sizeof digest;

  g_assert_true (g_file_get_contents (path, &pem, NULL, NULL));
  datum.data = (unsigned char *)pem;
  datum.size = strlen (pem);
  gnutls_x509_crt_init (&crt);
  g_assert_cmpint (gnutls_x509_crt_import (crt, &datum, GNUTLS_X509_FMT_PEM), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_get_fingerprint (crt, GNUTLS_DIG_SHA256, digest, &size), ==, 0);
  gnutls_x509_crt_deinit (crt);

  {
    GString *hex = g_string_new (NULL);

    for (size_t i = 0; i < size; i++)
      g_string_append_printf (hex, "%02x", digest[i]);
    return g_string_free (hex, FALSE);
  }
}

/* A token with @claims (JSON text), signed ES256 with the controller's own
 * server key, like the controller signs: for claim variants the controller
 * does not mint itself. The enrollment must already be recorded (mint one
 * with tc_token() and reuse its jti). */
static inline char *
tc_sign_claims (TestController *tc,
                const char     *header,
                const char     *claims)
{
  g_autofree char *key_path = tc_path (tc, "server-key.pem");
  g_autofree char *key_pem = NULL;
  g_autofree char *h = ze_test_b64url (header);
  g_autofree char *c = ze_test_b64url (claims);
  g_autofree char *input = g_strconcat (h, ".", c, NULL);
  gnutls_x509_privkey_t x509;
  gnutls_privkey_t key;
  gnutls_datum_t datum, data, signature = { NULL, 0 }, r, s;
  guint8 raw[64] = { 0 };
  g_autofree char *b64 = NULL;
  GString *sig = g_string_new (NULL);

  g_assert_true (g_file_get_contents (key_path, &key_pem, NULL, NULL));
  datum.data = (unsigned char *)key_pem;
  datum.size = strlen (key_pem);
  gnutls_x509_privkey_init (&x509);
  g_assert_cmpint (gnutls_x509_privkey_import (x509, &datum, GNUTLS_X509_FMT_PEM), ==, 0);
  gnutls_privkey_init (&key);
  g_assert_cmpint (gnutls_privkey_import_x509 (key, x509, GNUTLS_PRIVKEY_IMPORT_AUTO_RELEASE), ==, 0);

  data.data = (unsigned char *)input;
  data.size = strlen (input);
  g_assert_cmpint (gnutls_privkey_sign_data (key, GNUTLS_DIG_SHA256, 0, &data, &signature), ==, 0);
  g_assert_cmpint (gnutls_decode_rs_value (&signature, &r, &s), ==, 0);

  /* Left-pad R and S to 32 bytes each; drop a leading sign byte. */
  {
    const guint8 *rp = r.data, *sp = s.data;
    gsize rl = r.size, sl = s.size;

    while (rl > 32) rp++, rl--;
    while (sl > 32) sp++, sl--;
    memcpy (raw + 32 - rl, rp, rl);
    memcpy (raw + 64 - sl, sp, sl);
  }
  gnutls_free (r.data);
  gnutls_free (s.data);
  gnutls_free (signature.data);
  gnutls_privkey_deinit (key);

  b64 = g_base64_encode (raw, sizeof raw);
  for (const char *p = b64; *p != '\0'; p++)
    g_string_append_c (sig, *p == '+' ? '-' : *p == '/' ? '_' : *p);
  while (sig->len > 0 && sig->str[sig->len - 1] == '=')
    g_string_truncate (sig, sig->len - 1);

  {
    char *token = g_strconcat (input, ".", sig->str, NULL);

    g_string_free (sig, TRUE);
    return token;
  }
}

/* The jti of a token (no checks: for tests). */
static inline char *
tc_token_id (const char *token)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) parts = g_strsplit (token, ".", 3);
  g_autofree char *padded = NULL;
  g_autofree guchar *json = NULL;
  g_autofree char *text = NULL;
  gsize len, n;
  const char *start, *end;

  n = strlen (parts[1]);
  padded = g_strdup_printf ("%s%s", parts[1], n % 4 == 2 ? "==" : n % 4 == 3 ? "=" : "");
  for (char *p = padded; *p != '\0'; p++)
    *p = *p == '-' ? '+' : *p == '_' ? '/' : *p;
  json = g_base64_decode (padded, &len);
  text = g_strndup ((const char *)json, len);
  start = strstr (text, "\"jti\":\"");
  g_assert_nonnull (start);
  start += 7;
  end = strchr (start, '"');

  return g_strndup (start, end - start);
}
