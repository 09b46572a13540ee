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
print_json (ZeToken *token,
            gint64   now)
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

  /* Translators: keep the labels short; the values line up after them */
  g_print ("%-12s %s\n", _("Controller:"), ze_token_get_controller_url (token));
  g_print ("%-12s %s\n", _("Identity:"), subject != NULL ? subject : _("(none)"));
  g_print ("%-12s %s (%s)\n", _("Method:"), ze_enroll_method_to_string (method),
           ze_enroll_method_describe (method));
  g_print ("%-12s %s\n", _("Token id:"), token_id != NULL ? token_id : _("(none)"));

  if (ze_token_has_expiry (token))
    {
      gint64 expiry = ze_token_get_expiry (token);
      g_autofree char *date = ze_format_utc_date (expiry);
      g_autofree char *words = ze_format_relative_time (expiry, now);

      if (ze_token_is_expired (token, now))
        {
          /* Translators: "expired 3 days ago (2024-01-07 21:08:15 UTC)" */
          g_autofree char *expired = g_strdup_printf (_("expired %s (%s)"), words, date);

          g_print ("%-12s %s\n", _("Expires:"), expired);
        }
      else
        g_print ("%-12s %s (%s)\n", _("Expires:"), words, date);
    }
  else
    g_print ("%-12s %s\n", _("Expires:"), _("never (the token has no expiry)"));

  g_print ("%-12s %s\n", _("Signed with:"),
           ze_token_algorithm_to_string (ze_token_get_algorithm (token)));
}

int
ze_cli_inspect (int    argc,
                char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ZeToken) token = NULL;
  g_auto(GStrv) args = NULL;
  gboolean json = FALSE;
  gint64 now;
  int status;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print one JSON object"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &args, NULL, N_("TOKEN") },
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
                                      "2 usage error; 3 the token is invalid or expired."));

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return ze_cli_usage_error ("inspect", "%s", error->message);

  if (args == NULL || args[0] == NULL)
    return ze_cli_usage_error ("inspect", "%s", _("a TOKEN is required"));
  if (args[1] != NULL)
    return ze_cli_usage_error ("inspect", _("one TOKEN only, not “%s”"), args[1]);

  if (!(token = ze_cli_load_token (args[0], &status)))
    return status;

  now = g_get_real_time () / G_USEC_PER_SEC;

  if (json)
    print_json (token, now);
  else
    print_text (token, now);

  if (!ze_token_check_expiry (token, now, &error))
    {
      g_printerr ("%s\n", error->message);
      return ze_error_exit_status (error);
    }

  return ZE_EXIT_OK;
}
