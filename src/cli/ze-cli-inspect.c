/* ze-cli-inspect.c: ziti-enroll-cli inspect
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "ze-cli-private.h"

static void
print_json (ZeToken  *token,
            gint64    now,
            JsonNode *connection)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "controller");
  json_builder_add_string_value (builder, ze_token_get_controller_url (token));
  json_builder_set_member_name (builder, "identity");
  if (ze_token_get_subject (token) != NULL)
    json_builder_add_string_value (builder, ze_token_get_subject (token));
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "method");
  json_builder_add_string_value (builder, ze_enroll_method_to_string (ze_token_get_method (token)));
  json_builder_set_member_name (builder, "token_id");
  if (ze_token_get_token_id (token) != NULL)
    json_builder_add_string_value (builder, ze_token_get_token_id (token));
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "expires_at");
  if (ze_token_has_expiry (token))
    json_builder_add_int_value (builder, ze_token_get_expiry (token));
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "expired");
  json_builder_add_boolean_value (builder, ze_token_is_expired (token, now));
  json_builder_set_member_name (builder, "algorithm");
  json_builder_add_string_value (builder, ze_token_algorithm_to_string (ze_token_get_algorithm (token)));
  if (connection != NULL)
    {
      json_builder_set_member_name (builder, "connection");
      json_builder_add_value (builder, json_node_copy (connection));
    }
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);
  g_print ("%s\n", text);
}

static void
print_text (ZeToken *token,
            gint64   now)
{
  const char *subject = ze_token_get_subject (token);
  const char *token_id = ze_token_get_token_id (token);
  ZeEnrollMethod method = ze_token_get_method (token);

  const char *none = _("(none)");
  g_autofree char *how = g_strdup_printf ("%s (%s)", ze_enroll_method_to_string (method),
                                          ze_enroll_method_describe (method));
  g_autofree char *expires = NULL;
  /* Translators: keep the labels short; the values line up after them */
  int width = ze_cli_labels_width (_("Controller:"), _("Identity:"), _("Method:"), _("Token id:"),
                                   _("Expires:"), _("Signed with:"), NULL);

  if (ze_token_has_expiry (token))
    {
      gint64 expiry = ze_token_get_expiry (token);
      g_autofree char *date = ze_format_utc_date (expiry);
      g_autofree char *words = ze_format_relative_time (expiry, now);

      if (ze_token_is_expired (token, now))
        /* Translators: "expired 3 days ago (2024-01-07 21:08:15 UTC)" */
        expires = g_strdup_printf (_("expired %s (%s)"), words, date);
      else
        expires = g_strdup_printf ("%s (%s)", words, date);
    }
  else
    expires = g_strdup (_("never (the token has no expiry)"));

  ze_cli_print_fact (stdout, width, _("Controller:"), ze_token_get_controller_url (token));
  ze_cli_print_fact (stdout, width, _("Identity:"), subject != NULL ? subject : none);
  ze_cli_print_fact (stdout, width, _("Method:"), how);
  ze_cli_print_fact (stdout, width, _("Token id:"), token_id != NULL ? token_id : none);
  ze_cli_print_fact (stdout, width, _("Expires:"), expires);
  ze_cli_print_fact (stdout, width, _("Signed with:"),
                     ze_token_algorithm_to_string (ze_token_get_algorithm (token)));
}

typedef struct
{
  GMainLoop     *loop;
  ZeCertificate *presented;
  GPtrArray     *cas;
  GError        *error;
} Connect;

static void
on_certificate_received_cb (ZeController  *controller,
                            ZeCertificate *certificate,
                            Connect       *connect)
{
  g_set_object (&connect->presented, certificate);
}

static void
fetch_ca_bundle_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  Connect *connect = user_data;

  connect->cas = ze_controller_fetch_ca_bundle_finish (ZE_CONTROLLER (object), result,
                                                       &connect->error);
  g_main_loop_quit (connect->loop);
}

/* --connect: the TLS handshake and the CA bundle GET, nothing else (design.md §3.1). */
static int
inspect_connect (ZeToken   *token,
                 gboolean   json,
                 int        timeout,
                 JsonNode **connection)
{
  g_autoptr(ZeController) controller = ze_controller_new (token, timeout);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GError) chain_error = NULL;
  Connect connect = { loop, NULL, NULL, NULL };
  gboolean signature_ok;
  int status = ZE_EXIT_OK;

  g_signal_connect (controller, "certificate-received", G_CALLBACK (on_certificate_received_cb), &connect);
  ze_controller_fetch_ca_bundle_async (controller, NULL, fetch_ca_bundle_cb, &connect);
  g_main_loop_run (loop);

  signature_ok = ze_controller_get_leaf (controller) != NULL;

  if (connect.cas != NULL)
    ze_certificate_verify_chain (ze_controller_get_leaf (controller), NULL, connect.cas,
                                 ze_token_get_host (token), g_get_real_time () / G_USEC_PER_SEC,
                                 &chain_error);

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "signature_valid");
      json_builder_add_boolean_value (builder, signature_ok);
      if (connect.presented != NULL)
        {
          g_autofree char *fingerprint = ze_certificate_dup_fingerprint_hex (connect.presented);
          g_autofree char *subject = ze_certificate_dup_subject (connect.presented);

          json_builder_set_member_name (builder, "fingerprint_sha256");
          json_builder_add_string_value (builder, fingerprint);
          json_builder_set_member_name (builder, "subject");
          json_builder_add_string_value (builder, subject);
          json_builder_set_member_name (builder, "not_after");
          json_builder_add_int_value (builder, ze_certificate_get_not_after (connect.presented));
        }
      json_builder_set_member_name (builder, "chain_valid");
      json_builder_add_boolean_value (builder, connect.cas != NULL && chain_error == NULL);
      json_builder_end_object (builder);
      *connection = json_builder_get_root (builder);
    }
  else
    {
      int width = ze_cli_labels_width (_("Signature:"), _("Chain:"), NULL);

      g_print ("\n");
      if (connect.presented != NULL)
        width = ze_cli_print_certificate_facts (stdout, token, connect.presented, connect.cas);
      ze_cli_print_fact (stdout, width, _("Signature:"),
                         signature_ok ? _("valid: the controller issued this token")
                                      : _("NOT VALID: this token was not issued by this server"));
      if (connect.cas != NULL)
        ze_cli_print_fact (stdout, width, _("Chain:"),
                           chain_error == NULL ? _("valid for this host, issued by the network’s CA")
                                               : _("NOT VALID"));
    }

  if (connect.error != NULL)
    {
      g_printerr ("%s\n", connect.error->message);
      status = ze_error_exit_status (connect.error);
    }
  else if (chain_error != NULL)
    {
      g_printerr ("%s\n", chain_error->message);
      status = ze_error_exit_status (chain_error);
    }

  g_clear_object (&connect.presented);
  g_clear_pointer (&connect.cas, g_ptr_array_unref);
  g_clear_error (&connect.error);

  return status;
}

int
ze_cli_inspect (int    argc,
                char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ZeToken) token = NULL;
  g_auto(GStrv) args = NULL;
  g_autoptr(JsonNode) connection = NULL;
  gboolean json = FALSE;
  gboolean connect = FALSE;
  gint64 now;
  int status;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print one JSON object"), NULL },
    { "connect", 0, 0, G_OPTION_ARG_NONE, &connect, N_("Also connect to the controller: show its certificate and check the token’s signature (nothing is sent but the TLS handshake and one request for the CA bundle)"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &args, NULL, NULL },
    { NULL }
  };

  context = g_option_context_new (_("TOKEN — show what an enrollment token holds"));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
                                _("Prints the controller, the identity, the enrollment method, "
                                  "the token id and the expiry. Nothing is sent anywhere."));
  g_option_context_set_description (context,
                                    _("TOKEN is the path of a .jwt file, “-” for standard input, "
                                      "or the token text.\n\n"
                                      "Exit status: 0 the token is valid and unexpired; "
                                      "2 usage error; 3 the token is invalid or expired; with "
                                      "--connect also 4 the signature or the certificate chain "
                                      "is not valid, 6 network, TLS or timeout."));

  g_set_prgname ("ziti-enroll-cli inspect");
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return ze_cli_usage_error ("inspect", "%s", error->message);

  if (args == NULL || args[0] == NULL)
    return ze_cli_usage_error ("inspect", "%s", _("a TOKEN is required"));
  if (args[1] != NULL)
    return ze_cli_usage_error ("inspect", _("one TOKEN only, not “%s”"), args[1]);

  if (!(token = ze_cli_load_token (args[0], &status)))
    return status;

  now = g_get_real_time () / G_USEC_PER_SEC;

  if (!json)
    print_text (token, now);

  /* An expired token is not worth a connection. */
  if (!ze_token_check_expiry (token, now, &error))
    {
      if (json)
        print_json (token, now, NULL);
      g_printerr ("%s\n", error->message);
      return ze_error_exit_status (error);
    }

  status = ZE_EXIT_OK;
  if (connect)
    status = inspect_connect (token, json, ZE_CONTROLLER_DEFAULT_TIMEOUT, &connection);

  if (json)
    print_json (token, now, connection);

  return status;
}
