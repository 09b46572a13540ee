/* ze-cli-enroll.c: ziti-enroll-cli enroll
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "ze-cli-private.h"

typedef struct
{
  GMainLoop    *loop;
  GCancellable *cancellable;
  ZeEnroller   *enroller;
  ZeIdentity   *identity;
  GError       *error;
  gboolean      interactive;
  gboolean      progress;
  gboolean      asked_trust;
  gboolean      refused_noninteractive;
} Enroll;

/* Reads a secret (a password) from the first line of @path; the caller wipes it. */
char *
ze_cli_read_secret_file (const char  *path,
                         GError     **error)
{
  g_autoptr(GError) local = NULL;
  char *contents = NULL;
  gsize len = 0;
  char *newline;

  if (!g_file_get_contents (path, &contents, &len, &local))
    {
      g_set_error (error, ZE_ERROR, ZE_ERROR_INPUT_INVALID,
                   _("Could not read “%s”: %s"), path, local->message);
      return NULL;
    }

  if ((newline = strpbrk (contents, "\r\n")) != NULL)
    {
      gnutls_memset (newline, 0, len - (newline - contents));
    }

  return contents;
}

static char *
prompt_secret (const char *question)
{
  struct termios saved, quiet;
  char buffer[1024];
  gboolean echo_off;
  char *line;

  fputs (question, stderr);
  fflush (stderr);

  echo_off = tcgetattr (STDIN_FILENO, &saved) == 0;
  if (echo_off)
    {
      quiet = saved;
      quiet.c_lflag &= ~ECHO;
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);
    }

  line = fgets (buffer, sizeof buffer, stdin);

  if (echo_off)
    tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved);
  fputc ('\n', stderr);

  if (line == NULL)
    return NULL;

  buffer[strcspn (buffer, "\r\n")] = '\0';
  line = g_strdup (buffer);
  gnutls_memset (buffer, 0, sizeof buffer);

  return line;
}

static void
on_step_changed_cb (ZeEnroller *enroller,
                    int         step,
                    int         state,
                    Enroll     *run)
{
  if (!run->progress || state != ZE_STEP_STATE_RUNNING)
    return;

  fprintf (stderr, "… %s\n", ze_enroll_step_describe (step));
}

static void
on_trust_required_cb (ZeEnroller    *enroller,
                      ZeCertificate *leaf,
                      Enroll        *run)
{
  ZeToken *token = ze_enroller_get_token (enroller);
  g_autofree char *hex = ze_certificate_dup_fingerprint_hex (leaf);
  char answer[16] = "";

  run->asked_trust = TRUE;

  if (!run->interactive)
    {
      fprintf (stderr, "%s\n\n", _("The controller’s certificate must be confirmed before enrolling:"));
      ze_cli_print_certificate_facts (stderr, token, leaf, ze_enroller_get_ca_bundle (enroller));
      fprintf (stderr, "\n%s\n  --trust-fingerprint %s\n%s\n",
               _("Compare the fingerprint with the one your administrator gave you; if it is the "
                 "same, run the command again with:"),
               hex,
               _("Nothing was sent to the controller and no key was made."));
      run->refused_noninteractive = TRUE;
      ze_enroller_decide_trust (enroller, FALSE);
      return;
    }

  fprintf (stderr, "\n%s\n\n", _("Check the controller’s certificate before you trust it:"));
  ze_cli_print_certificate_facts (stderr, token, leaf, ze_enroller_get_ca_bundle (enroller));
  fprintf (stderr, "\n%s ", _("Does the fingerprint match the one your administrator gave you? "
                              "Trust this controller? [y/N]"));
  fflush (stderr);

  if (fgets (answer, sizeof answer, stdin) == NULL)
    answer[0] = '\0';

  ze_enroller_decide_trust (enroller,
                            answer[0] == 'y' || answer[0] == 'Y' ||
                            /* Translators: the first letter of the local word for “yes” */
                            answer[0] == _("y")[0]);
}

static void
enroll_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Enroll *run = user_data;

  run->identity = ze_enroller_run_finish (ZE_ENROLLER (object), result, &run->error);
  g_main_loop_quit (run->loop);
}

static gboolean
on_interrupt_cb (gpointer user_data)
{
  Enroll *run = user_data;

  if (ze_enroller_get_sent (run->enroller))
    fprintf (stderr, "%s\n", _("The enrollment was already sent; waiting for the controller’s "
                               "answer so that your key is not lost…"));
  g_cancellable_cancel (run->cancellable);

  return G_SOURCE_CONTINUE;
}

static char *
format_iso8601 (gint64 when)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (when);

  return dt != NULL ? g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ") : NULL;
}

static void
print_result (Enroll     *run,
              gboolean    json,
              ZeIdentity *identity)
{
  ZeCertificate *leaf = ze_enroller_get_leaf (run->enroller);
  g_autofree char *fingerprint = ze_certificate_dup_fingerprint_hex (leaf);
  gint64 expiry = ze_identity_get_certificate_expiry (identity);
  g_autofree char *expires = expiry > 0 ? format_iso8601 (expiry) : NULL;
  int width;

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *text = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, ze_identity_get_name (identity));
      json_builder_set_member_name (builder, "identity_file");
      json_builder_add_string_value (builder, ze_identity_get_location (identity));
      json_builder_set_member_name (builder, "store");
      json_builder_add_string_value (builder, ze_identity_get_store_kind (identity));
      json_builder_set_member_name (builder, "controller");
      json_builder_add_string_value (builder, ze_identity_get_controller_url (identity));
      json_builder_set_member_name (builder, "fingerprint_sha256");
      json_builder_add_string_value (builder, fingerprint);
      json_builder_set_member_name (builder, "certificate_expires");
      if (expires != NULL)
        json_builder_add_string_value (builder, expires);
      else
        json_builder_add_null_value (builder);
      json_builder_end_object (builder);

      root = json_builder_get_root (builder);
      text = ze_json_to_string (root);
      g_print ("%s\n", text);
      return;
    }

  g_print (_("Enrolled “%s” with %s.\n"), ze_identity_get_name (identity),
           ze_identity_get_controller_url (identity));
  width = ze_cli_labels_width (_("Identity file:"), _("Key stored in:"),
                               _("Certificate expires:"), NULL);
  ze_cli_print_fact (stdout, width, _("Identity file:"), ze_identity_get_location (identity));
  ze_cli_print_fact (stdout, width, _("Key stored in:"), ze_identity_get_store_kind (identity));
  if (expiry > 0)
    {
      g_autofree char *date = ze_format_utc_date (expiry);

      ze_cli_print_fact (stdout, width, _("Certificate expires:"), date);
    }
}

static char *
default_name (const char *argument,
              ZeToken    *token)
{
  if (strcmp (argument, "-") != 0 && g_file_test (argument, G_FILE_TEST_IS_REGULAR))
    {
      g_autofree char *base = g_path_get_basename (argument);

      if (g_str_has_suffix (base, ".jwt"))
        base[strlen (base) - 4] = '\0';
      if (ze_identity_name_is_valid (base))
        return g_steal_pointer (&base);
    }

  if (ze_token_get_subject (token) != NULL && ze_identity_name_is_valid (ze_token_get_subject (token)))
    return g_strdup (ze_token_get_subject (token));

  return g_strdup ("ziti-identity");
}

int
ze_cli_enroll (int    argc,
               char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ZeToken) token = NULL;
  g_autoptr(ZeEnroller) enroller = NULL;
  g_autoptr(ZeIdentityStore) store = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GCancellable) cancellable = NULL;
  g_auto(GStrv) args = NULL;
  g_autofree char *name = NULL;
  g_autofree char *store_kind = NULL;
  g_autofree char *out = NULL;
  g_autofree char *key_type_text = NULL;
  g_autofree char *fingerprint = NULL;
  g_autofree char *fingerprint_hex = NULL;
  g_autofree char *cert_file = NULL;
  g_autofree char *key_file = NULL;
  g_autofree char *password_file = NULL;
  g_autofree char *pkcs11_module = NULL;
  g_autofree char *pkcs11_token = NULL;
  g_autofree char *pin_file = NULL;
  gboolean tofu = FALSE;
  gboolean json = FALSE;
  int timeout = ZE_CONTROLLER_DEFAULT_TIMEOUT;
  ZeKeyType key_type = ZE_KEY_TYPE_EC_P256;
  Enroll run = { 0 };
  guint sigint_id, sigterm_id;
  int status;
  const GOptionEntry entries[] = {
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, N_("Name of the identity (default: the token file’s name)"), N_("NAME") },
    { "store", 0, 0, G_OPTION_ARG_STRING, &store_kind, N_("Where the private key goes: keyring (default: the Secret Service), pkcs11 (a hardware token) or file"), N_("STORE") },
    { "out", 0, 0, G_OPTION_ARG_FILENAME, &out, N_("The identity file to create (store “file”; default: NAME.json)"), N_("PATH") },
    { "key-type", 0, 0, G_OPTION_ARG_STRING, &key_type_text, N_("ec-p256 (default), ec-p384, rsa-2048, rsa-3072 or rsa-4096"), N_("TYPE") },
    { "trust-fingerprint", 0, 0, G_OPTION_ARG_STRING, &fingerprint, N_("Trust the controller only if its certificate has this SHA-256 fingerprint (hex, colons optional)"), N_("SHA256") },
    { "trust-on-first-use", 0, 0, G_OPTION_ARG_NONE, &tofu, N_("Trust the controller’s certificate without comparing its fingerprint"), NULL },
    { "cert", 0, 0, G_OPTION_ARG_FILENAME, &cert_file, N_("Your certificate, for ottca and ca tokens"), N_("FILE") },
    { "key", 0, 0, G_OPTION_ARG_FILENAME, &key_file, N_("The private key of --cert"), N_("FILE") },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &password_file, N_("Read the password for updb tokens from the first line of FILE"), N_("FILE") },
    { "pkcs11-module", 0, 0, G_OPTION_ARG_FILENAME, &pkcs11_module, N_("The PKCS#11 module of the hardware token (store “pkcs11”)"), N_("SO") },
    { "pkcs11-token", 0, 0, G_OPTION_ARG_STRING, &pkcs11_token, N_("The label of the hardware token (store “pkcs11”)"), N_("LABEL") },
    { "pin-file", 0, 0, G_OPTION_ARG_FILENAME, &pin_file, N_("Read the token’s PIN from the first line of FILE (otherwise it is asked for)"), N_("FILE") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the result as one JSON object"), NULL },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &timeout, N_("Seconds to wait for each answer of the controller (default: 30)"), N_("SECONDS") },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &args, NULL, NULL },
    { NULL }
  };

  context = g_option_context_new (_("TOKEN — enroll this computer with an enrollment token"));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
                                _("Checks the token, connects to its controller, checks that the "
                                  "controller issued the token, asks you to trust the "
                                  "controller’s certificate (unless --trust-fingerprint or "
                                  "--trust-on-first-use decides), creates a private key, and "
                                  "stores the enrolled identity."));
  g_option_context_set_description (context,
                                    _("TOKEN is the path of a .jwt file, “-” for standard input, "
                                      "or the token text.\n\n"
                                      "Exit status: 0 enrolled; 2 usage error; 3 bad or expired "
                                      "token; 4 trust failure; 5 the controller refused; "
                                      "6 network, TLS or timeout; 7 storage; 8 cancelled."));

  g_set_prgname ("ziti-enroll-cli enroll");
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return ze_cli_usage_error ("enroll", "%s", error->message);

  if (args == NULL || args[0] == NULL)
    return ze_cli_usage_error ("enroll", "%s", _("a TOKEN is required"));
  if (args[1] != NULL)
    return ze_cli_usage_error ("enroll", _("one TOKEN only, not “%s”"), args[1]);
  if (fingerprint != NULL && tofu)
    return ze_cli_usage_error ("enroll", "%s", _("--trust-fingerprint and --trust-on-first-use "
                                                 "cannot be used together"));
  if (fingerprint != NULL && !ze_fingerprint_normalize (fingerprint, &fingerprint_hex))
    return ze_cli_usage_error ("enroll", _("“%s” is not a SHA-256 fingerprint (64 hexadecimal "
                                           "digits, colons allowed)"), fingerprint);
  if (key_type_text != NULL && !ze_key_type_from_string (key_type_text, &key_type))
    return ze_cli_usage_error ("enroll", _("unknown key type “%s”"), key_type_text);
  if (store_kind == NULL)
    store_kind = g_strdup (out != NULL ? "file" : "keyring");
  if (strcmp (store_kind, "file") != 0 && strcmp (store_kind, "keyring") != 0 &&
      strcmp (store_kind, "pkcs11") != 0)
    return ze_cli_usage_error ("enroll", _("unknown store “%s”"), store_kind);
  if (strcmp (store_kind, "pkcs11") == 0 && (pkcs11_module == NULL || pkcs11_token == NULL))
    return ze_cli_usage_error ("enroll", "%s", _("--store pkcs11 needs --pkcs11-module and --pkcs11-token"));
  if (strcmp (store_kind, "pkcs11") != 0 && (pkcs11_module != NULL || pkcs11_token != NULL || pin_file != NULL))
    return ze_cli_usage_error ("enroll", "%s", _("--pkcs11-module, --pkcs11-token and --pin-file go with --store pkcs11"));
  if (out != NULL && strcmp (store_kind, "file") != 0)
    return ze_cli_usage_error ("enroll", "%s", _("--out goes with --store file"));
  if ((cert_file == NULL) != (key_file == NULL))
    return ze_cli_usage_error ("enroll", "%s", _("--cert and --key go together"));
  if (timeout <= 0 || timeout > 3600)
    return ze_cli_usage_error ("enroll", "%s", _("--timeout takes 1 to 3600 seconds"));
  if (name != NULL && !ze_identity_name_is_valid (name))
    return ze_cli_usage_error ("enroll", _("“%s” cannot be an identity name"), name);

  if (!(token = ze_cli_load_token (args[0], &status)))
    return status;

  if (name == NULL)
    name = default_name (args[0], token);
  if (strcmp (store_kind, "file") == 0)
    {
      if (out == NULL)
        out = g_strconcat (name, ".json", NULL);
      store = ZE_IDENTITY_STORE (ze_file_store_new (out));
    }
  else if (strcmp (store_kind, "pkcs11") == 0)
    {
      g_autofree char *pin = NULL;
      g_autoptr(ZePkcs11Store) token_store = NULL;

      if (pin_file != NULL)
        pin = ze_cli_read_secret_file (pin_file, &error);
      else if (isatty (STDIN_FILENO))
        pin = prompt_secret (_("PIN of the hardware token: "));
      else
        g_set_error_literal (&error, ZE_ERROR, ZE_ERROR_INPUT_INVALID,
                             _("The hardware token needs its PIN: give it with --pin-file FILE."));

      if (pin == NULL)
        {
          g_printerr ("%s\n", error != NULL ? error->message : _("No PIN was given."));
          return ZE_EXIT_USAGE;
        }

      token_store = ze_pkcs11_store_new (ze_identity_library_get_directory (ze_identity_library_get_default ()),
                                         pkcs11_module, pkcs11_token, pin, &error);
      gnutls_memset (pin, 0, strlen (pin));
      if (token_store == NULL)
        {
          g_printerr ("%s\n", error->message);
          return ze_error_exit_status (error);
        }
      store = ZE_IDENTITY_STORE (g_steal_pointer (&token_store));
    }
  else
    store = ze_identity_library_create_keyring_store (ze_identity_library_get_default ());
  enroller = ze_enroller_new (token);
  ze_enroller_set_name (enroller, name);
  ze_enroller_set_store (enroller, store);
  ze_enroller_set_key_type (enroller, key_type);
  ze_enroller_set_timeout (enroller, timeout);
  ze_enroller_set_trust_on_first_use (enroller, tofu);
  if (fingerprint_hex != NULL)
    ze_enroller_set_expected_fingerprint (enroller, fingerprint_hex, FALSE);

  if (cert_file != NULL)
    {
      g_autofree char *cert_pem = NULL;
      g_autofree char *key_pem = NULL;
      g_autoptr(ZeKeyPair) key = NULL;
      gsize key_len = 0;

      if (!g_file_get_contents (cert_file, &cert_pem, NULL, &error) ||
          !g_file_get_contents (key_file, &key_pem, &key_len, &error))
        {
          g_printerr ("%s\n", error->message);
          return ZE_EXIT_USAGE;
        }

      key = ze_key_pair_new_from_pem (key_pem, key_len, &error);
      gnutls_memset (key_pem, 0, key_len);

      if (key == NULL || !ze_enroller_set_client_certificate (enroller, cert_pem, key, &error))
        {
          g_printerr ("%s\n", error->message);
          return ze_error_exit_status (error);
        }
    }

  if (ze_token_get_method (token) == ZE_ENROLL_METHOD_UPDB)
    {
      g_autofree char *password = NULL;

      if (password_file != NULL)
        password = ze_cli_read_secret_file (password_file, &error);
      else if (isatty (STDIN_FILENO))
        {
          g_autofree char *again = NULL;

          password = prompt_secret (_("Choose a password: "));
          again = prompt_secret (_("Type it again: "));
          if (password != NULL && g_strcmp0 (password, again) != 0)
            {
              gnutls_memset (password, 0, strlen (password));
              g_clear_pointer (&password, g_free);
              g_set_error_literal (&error, ZE_ERROR, ZE_ERROR_INPUT_INVALID,
                                   _("The two passwords are not the same. Nothing was sent."));
            }
          if (again != NULL)
            gnutls_memset (again, 0, strlen (again));
        }
      else
        g_set_error_literal (&error, ZE_ERROR, ZE_ERROR_INPUT_INVALID,
                             _("This token enrolls with a password: give it with "
                               "--password-file FILE."));

      if (password == NULL)
        {
          g_printerr ("%s\n", error != NULL ? error->message : _("No password was given."));
          return ZE_EXIT_USAGE;
        }

      ze_enroller_set_password (enroller, password);
      gnutls_memset (password, 0, strlen (password));
    }

  loop = g_main_loop_new (NULL, FALSE);
  cancellable = g_cancellable_new ();
  run.loop = loop;
  run.cancellable = cancellable;
  run.enroller = enroller;
  run.interactive = isatty (STDIN_FILENO) && isatty (STDERR_FILENO);
  run.progress = isatty (STDERR_FILENO) && !json;

  g_signal_connect (enroller, "step-changed", G_CALLBACK (on_step_changed_cb), &run);
  g_signal_connect (enroller, "trust-required", G_CALLBACK (on_trust_required_cb), &run);
  sigint_id = g_unix_signal_add (SIGINT, on_interrupt_cb, &run);
  sigterm_id = g_unix_signal_add (SIGTERM, on_interrupt_cb, &run);

  ze_enroller_run_async (enroller, cancellable, enroll_done_cb, &run);
  g_main_loop_run (loop);

  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);

  if (run.identity == NULL)
    {
      if (run.refused_noninteractive)
        status = ZE_EXIT_TRUST;
      else
        {
          if (g_error_matches (run.error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            g_printerr ("%s\n", _("Cancelled. Nothing was sent to the controller, and nothing "
                                  "was kept."));
          else
            g_printerr ("%s\n", run.error->message);
          status = ze_error_exit_status (run.error);
        }
      g_clear_error (&run.error);
      return status;
    }

  print_result (&run, json, run.identity);
  g_clear_object (&run.identity);

  return ZE_EXIT_OK;
}
