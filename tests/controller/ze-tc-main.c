/* ze-tc-main.c: command line of ziti-enroll-test-controller (init, serve, token)
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "ze-tc-private.h"

#define PROGRAM "ziti-enroll-test-controller"

static const char usage_text[] =
  "Usage:\n"
  "  " PROGRAM " init DIR [--key-type ec-p256|ec-p384|rsa-2048|rsa-4096] [--host NAME]…\n"
  "  " PROGRAM " serve DIR [--port N] [--fault NAME]… [--legacy-pem]\n"
  "  " PROGRAM " token DIR [--method ott|ottca|ca|updb|network] [--expires-in SECONDS]\n"
  "        [--out FILE] [--signed-by other] [--identity NAME] [--port N]\n"
  "\n"
  "A local OpenZiti-compatible enrollment controller for tests. See README.md.\n";

static int
usage_error (const char *message)
{
  if (message != NULL)
    g_printerr ("%s: %s\n", PROGRAM, message);
  g_printerr ("%s", usage_text);

  return 2;
}

static int
fail (GError *error)
{
  g_printerr ("%s: %s\n", PROGRAM, error->message);

  return 1;
}

/* Parses the options of one subcommand and the single DIR argument. */
static gboolean
parse_subcommand (int           *argc,
                  char        ***argv,
                  const char    *name,
                  GOptionEntry  *entries,
                  const char   **out_dir,
                  int           *out_status)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *parameter = g_strdup_printf ("%s DIR", name);

  context = g_option_context_new (parameter);
  g_option_context_add_main_entries (context, entries, NULL);

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      *out_status = usage_error (error->message);
      return FALSE;
    }

  /* argv[0] is the program, argv[1] the subcommand, argv[2] DIR. */
  if (*argc != 3)
    {
      *out_status = usage_error ("expected exactly one directory");
      return FALSE;
    }

  *out_dir = (*argv)[2];
  return TRUE;
}

static int
run_init (int    argc,
          char **argv)
{
  g_autofree char *key_type_text = NULL;
  g_auto(GStrv) hosts = NULL;
  g_autoptr(GError) error = NULL;
  ZeTcKeyType key_type = ZE_TC_KEY_TYPE_EC_P256;
  const char *dir = NULL;
  int status = 0;
  GOptionEntry entries[] = {
    { "key-type", 0, 0, G_OPTION_ARG_STRING, &key_type_text,
      "Key type of the server certificates (and JWT signer)", "TYPE" },
    { "host", 0, 0, G_OPTION_ARG_STRING_ARRAY, &hosts,
      "Extra DNS name or IP address for the server certificate", "NAME" },
    { NULL }
  };

  if (!parse_subcommand (&argc, &argv, "init", entries, &dir, &status))
    return status;

  if (key_type_text != NULL && !ze_tc_key_type_parse (key_type_text, &key_type))
    return usage_error ("unknown --key-type (use ec-p256, ec-p384, rsa-2048 or rsa-4096)");

  if (!ze_tc_pki_init_dir (dir, key_type, (const char * const *)hosts, &error))
    return fail (error);

  return 0;
}

static int
run_serve (int    argc,
           char **argv)
{
  ZeTcServeOptions options = { 0, };
  g_auto(GStrv) faults = NULL;
  g_autoptr(GError) error = NULL;
  const char *dir = NULL;
  gboolean legacy_pem = FALSE;
  int port = 0;
  int status = 0;
  GOptionEntry entries[] = {
    { "port", 0, 0, G_OPTION_ARG_INT, &port, "TCP port on 127.0.0.1 (0: any free port)", "N" },
    { "fault", 0, 0, G_OPTION_ARG_STRING_ARRAY, &faults, "Inject a fault (repeatable)", "NAME" },
    { "legacy-pem", 0, 0, G_OPTION_ARG_NONE, &legacy_pem,
      "Answer ott with raw PEM unless JSON is asked for (controllers before v1.5)", NULL },
    { NULL }
  };

  if (!parse_subcommand (&argc, &argv, "serve", entries, &dir, &status))
    return status;

  if (port < 0 || port > 65535)
    return usage_error ("--port must be between 0 and 65535");

  options.port = port;
  options.legacy_pem = legacy_pem;
  for (guint i = 0; faults != NULL && faults[i] != NULL; i++)
    {
      if (!ze_tc_serve_options_add_fault (&options, faults[i], &error))
        return usage_error (error->message);
    }

  return ze_tc_serve (dir, &options);
}

static gboolean
read_port (const char  *dir,
           guint       *out_port,
           GError     **error)
{
  g_autofree char *path = g_build_filename (dir, ZE_TC_FILE_PORT, NULL);
  g_autofree char *text = NULL;
  guint64 port = 0;

  if (!g_file_get_contents (path, &text, NULL, error))
    {
      g_prefix_error (error, "No --port given and no running server: ");
      return FALSE;
    }

  if (!g_ascii_string_to_unsigned (g_strstrip (text), 10, 1, 65535, &port, error))
    {
      g_prefix_error (error, "Invalid %s: ", path);
      return FALSE;
    }

  *out_port = port;
  return TRUE;
}

static int
run_token (int    argc,
           char **argv)
{
  g_autoptr(ZeTcPki) pki = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) claims = NULL;
  g_autofree char *method = NULL;
  g_autofree char *out = NULL;
  g_autofree char *signed_by = NULL;
  g_autofree char *identity = NULL;
  g_autofree char *iss = NULL;
  g_autofree char *iss_slash = NULL;
  g_autofree char *jwt = NULL;
  const char *dir = NULL;
  ZeTcCredential *signer;
  gint64 expires_in = ZE_TC_DEFAULT_EXPIRY;
  guint port = 0;
  int port_option = 0;
  int status = 0;
  GOptionEntry entries[] = {
    { "method", 0, 0, G_OPTION_ARG_STRING, &method,
      "Enrollment method: ott (default), ottca, ca, updb or network", "METHOD" },
    { "expires-in", 0, 0, G_OPTION_ARG_INT64, &expires_in,
      "Lifetime in seconds (default 10800; negative: already expired)", "SECONDS" },
    { "out", 0, 0, G_OPTION_ARG_FILENAME, &out, "Write the JWT to FILE instead of stdout", "FILE" },
    { "signed-by", 0, 0, G_OPTION_ARG_STRING, &signed_by,
      "Sign with the unrelated \"other\" key instead of the server key", "other" },
    { "identity", 0, 0, G_OPTION_ARG_STRING, &identity,
      "Identity name (also the updb username)", "NAME" },
    { "port", 0, 0, G_OPTION_ARG_INT, &port_option,
      "Server port for iss (default: read DIR/port)", "N" },
    { NULL }
  };

  if (!parse_subcommand (&argc, &argv, "token", entries, &dir, &status))
    return status;

  if (method == NULL)
    method = g_strdup ("ott");
  if (strcmp (method, "ott") != 0 && strcmp (method, "ottca") != 0 && strcmp (method, "ca") != 0 &&
      strcmp (method, "updb") != 0 && strcmp (method, "network") != 0)
    return usage_error ("unknown --method (use ott, ottca, ca, updb or network)");
  if (signed_by != NULL && strcmp (signed_by, "other") != 0)
    return usage_error ("--signed-by only accepts \"other\"");
  if (port_option < 0 || port_option > 65535)
    return usage_error ("--port must be between 1 and 65535");

  if (!(pki = ze_tc_pki_load (dir, &error)))
    return fail (error);

  if (port_option > 0)
    port = port_option;
  else if (!read_port (dir, &port, &error))
    return fail (error);

  iss = g_strdup_printf ("https://127.0.0.1:%u", port);
  iss_slash = g_strconcat (iss, "/", NULL);
  signer = signed_by != NULL ? pki->other : pki->server;

  if (strcmp (method, "network") == 0)
    {
      g_autofree char *jti = g_uuid_string_random ();

      claims = ze_tc_jwt_bootstrap_claims (iss_slash, iss_slash, jti, "network");
    }
  else if (strcmp (method, "ca") == 0)
    {
      /* The CA JWT: sub and jti are the CA id; the method needs no enrollment. */
      claims = ze_tc_jwt_bootstrap_claims (iss_slash, pki->third_party_ca_id,
                                           pki->third_party_ca_id, "ca");
    }
  else
    {
      ZeTcEnrollment enrollment = { NULL, };
      g_autofree char *jti = g_uuid_string_random ();
      g_autofree char *identity_id = ze_tc_short_id ();
      g_autofree char *name = identity != NULL ? g_strdup (identity)
                                               : g_strdup_printf ("identity-%s", identity_id);
      gint64 exp = g_get_real_time () / G_USEC_PER_SEC + expires_in;

      enrollment.token = jti;
      enrollment.method = method;
      enrollment.identity_id = identity_id;
      enrollment.identity_name = name;
      enrollment.username = strcmp (method, "updb") == 0 ? name : NULL;
      enrollment.ca_id = strcmp (method, "ottca") == 0 ? pki->third_party_ca_id : NULL;
      enrollment.expires_at = exp;

      /* Recorded before the JWT exists, so a running server already knows it. */
      if (!ze_tc_store_add (dir, &enrollment, &error))
        return fail (error);

      claims = ze_tc_jwt_identity_claims (iss, identity_id, exp, jti, method);
    }

  if (!(jwt = ze_tc_jwt_sign (signer, claims, &error)))
    return fail (error);

  if (out != NULL)
    {
      if (!ze_tc_write_file (out, jwt, -1, 0600, &error))
        return fail (error);
    }
  else
    {
      g_print ("%s\n", jwt);
      fflush (stdout);
    }

  return 0;
}

int
main (int    argc,
      char **argv)
{
  const char *command;

  setlocale (LC_ALL, "");

  if (argc < 2)
    return usage_error (NULL);

  command = argv[1];
  if (strcmp (command, "init") == 0)
    return run_init (argc, argv);
  if (strcmp (command, "serve") == 0)
    return run_serve (argc, argv);
  if (strcmp (command, "token") == 0)
    return run_token (argc, argv);
  if (strcmp (command, "--help") == 0 || strcmp (command, "-h") == 0 || strcmp (command, "help") == 0)
    {
      g_print ("%s", usage_text);
      return 0;
    }

  return usage_error ("unknown command");
}
