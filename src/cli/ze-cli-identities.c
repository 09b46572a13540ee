/* ze-cli-identities.c: ziti-enroll-cli list, export and delete
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "ze-cli-private.h"

typedef struct
{
  GMainLoop *loop;
  gboolean   ok;
  GError    *error;
} Wait;

static void
export_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Wait *wait = user_data;

  wait->ok = ze_identity_library_export_finish (ZE_IDENTITY_LIBRARY (object), result, &wait->error);
  g_main_loop_quit (wait->loop);
}

static void
delete_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Wait *wait = user_data;

  wait->ok = ze_identity_library_delete_finish (ZE_IDENTITY_LIBRARY (object), result, &wait->error);
  g_main_loop_quit (wait->loop);
}

static GOptionContext *
new_context (const char *parameters,
             const char *summary)
{
  GOptionContext *context = g_option_context_new (parameters);

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, summary);
  g_option_context_set_description (context,
                                    _("Identities whose key is in the keyring live in "
                                      "$XDG_DATA_HOME/ziti-enroll/identities.\n\n"
                                      "Exit status: 0 success; 2 usage error; 7 storage "
                                      "(keyring unavailable or locked, no such identity, "
                                      "file exists)."));
  return context;
}

int
ze_cli_list (int    argc,
             char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) identities = NULL;
  g_auto(GStrv) args = NULL;
  gboolean json = FALSE;
  int width;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print a JSON array"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &args, NULL, NULL },
    { NULL }
  };

  context = new_context (NULL, _("Lists the identities this computer has enrolled."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_set_prgname ("ziti-enroll-cli list");
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return ze_cli_usage_error ("list", "%s", error->message);
  if (args != NULL && args[0] != NULL)
    return ze_cli_usage_error ("list", _("unexpected “%s”"), args[0]);

  if (!(identities = ze_identity_library_list (ze_identity_library_get_default (), &error)))
    {
      g_printerr ("%s\n", error->message);
      return ze_error_exit_status (error);
    }

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *text = NULL;

      json_builder_begin_array (builder);
      for (guint i = 0; i < identities->len; i++)
        {
          ZeIdentity *identity = g_ptr_array_index (identities, i);
          gint64 expiry = ze_identity_get_certificate_expiry (identity);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "name");
          json_builder_add_string_value (builder, ze_identity_get_name (identity));
          json_builder_set_member_name (builder, "controller");
          json_builder_add_string_value (builder, ze_identity_get_controller_url (identity));
          json_builder_set_member_name (builder, "store");
          json_builder_add_string_value (builder, ze_identity_get_store_kind (identity));
          json_builder_set_member_name (builder, "certificate_expires");
          if (expiry > 0)
            json_builder_add_int_value (builder, expiry);
          else
            json_builder_add_null_value (builder);
          json_builder_set_member_name (builder, "pending");
          json_builder_add_boolean_value (builder, ze_identity_get_pending (identity));
          json_builder_set_member_name (builder, "record");
          json_builder_add_string_value (builder, ze_identity_get_location (identity));
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);

      root = json_builder_get_root (builder);
      text = ze_json_to_string (root);
      g_print ("%s\n", text);
      return ZE_EXIT_OK;
    }

  if (identities->len == 0)
    {
      g_print ("%s\n", _("No identities yet. Enroll one with “ziti-enroll-cli enroll TOKEN”."));
      return ZE_EXIT_OK;
    }

  width = ze_cli_labels_width (_("Controller:"), _("Key stored in:"), _("State:"),
                               _("Certificate expires:"), NULL);
  for (guint i = 0; i < identities->len; i++)
    {
      ZeIdentity *identity = g_ptr_array_index (identities, i);
      gint64 expiry = ze_identity_get_certificate_expiry (identity);
      g_autofree char *date = expiry > 0 ? ze_format_utc_date (expiry) : NULL;

      g_print ("%s\n", ze_identity_get_name (identity));
      g_print ("  ");
      ze_cli_print_fact (stdout, width, _("Controller:"), ze_identity_get_controller_url (identity));
      g_print ("  ");
      ze_cli_print_fact (stdout, width, _("Key stored in:"), ze_identity_get_store_kind (identity));
      g_print ("  ");
      if (ze_identity_get_pending (identity))
        ze_cli_print_fact (stdout, width, _("State:"),
                           _("pending — the certificate never arrived; the key is kept"));
      else
        ze_cli_print_fact (stdout, width, _("Certificate expires:"), date != NULL ? date : "?");
    }

  return ZE_EXIT_OK;
}

int
ze_cli_export (int    argc,
               char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ZeIdentity) identity = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_auto(GStrv) args = NULL;
  g_autofree char *out = NULL;
  ZeIdentityLibrary *library = ze_identity_library_get_default ();
  Wait wait = { 0 };
  int status;
  const GOptionEntry entries[] = {
    { "out", 0, 0, G_OPTION_ARG_FILENAME, &out, N_("The identity file to create (mode 0600; never overwritten)"), N_("PATH") },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &args, NULL, NULL },
    { NULL }
  };

  context = new_context (_("NAME"),
                         _("Writes a standard identity file, with the private key in it, that "
                           "ziti-edge-tunnel and the OpenZiti SDKs load."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_set_prgname ("ziti-enroll-cli export");
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return ze_cli_usage_error ("export", "%s", error->message);
  if (args == NULL || args[0] == NULL || args[1] != NULL)
    return ze_cli_usage_error ("export", "%s", _("give one identity NAME"));
  if (out == NULL)
    return ze_cli_usage_error ("export", "%s", _("--out PATH is required"));

  if (!(identity = ze_identity_library_lookup (library, args[0], &error)))
    {
      g_printerr ("%s\n", error->message);
      return ze_error_exit_status (error);
    }

  loop = g_main_loop_new (NULL, FALSE);
  wait.loop = loop;
  ze_identity_library_export_async (library, identity, out, NULL, export_done_cb, &wait);
  g_main_loop_run (loop);

  if (!wait.ok)
    {
      g_printerr ("%s\n", wait.error->message);
      status = ze_error_exit_status (wait.error);
      g_clear_error (&wait.error);
      return status;
    }

  g_print (_("Exported “%s” to %s.\n"), ze_identity_get_name (identity), out);
  return ZE_EXIT_OK;
}

int
ze_cli_delete (int    argc,
               char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ZeIdentity) identity = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_auto(GStrv) args = NULL;
  ZeIdentityLibrary *library = ze_identity_library_get_default ();
  Wait wait = { 0 };
  int status;
  const GOptionEntry entries[] = {
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &args, NULL, NULL },
    { NULL }
  };

  context = new_context (_("NAME"),
                         _("Removes an identity: its record and its private key in the keyring."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_set_prgname ("ziti-enroll-cli delete");
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return ze_cli_usage_error ("delete", "%s", error->message);
  if (args == NULL || args[0] == NULL || args[1] != NULL)
    return ze_cli_usage_error ("delete", "%s", _("give one identity NAME"));

  if (!(identity = ze_identity_library_lookup (library, args[0], &error)))
    {
      g_printerr ("%s\n", error->message);
      return ze_error_exit_status (error);
    }

  loop = g_main_loop_new (NULL, FALSE);
  wait.loop = loop;
  ze_identity_library_delete_async (library, identity, NULL, delete_done_cb, &wait);
  g_main_loop_run (loop);

  if (!wait.ok)
    {
      g_printerr ("%s\n", wait.error->message);
      status = ze_error_exit_status (wait.error);
      g_clear_error (&wait.error);
      return status;
    }

  g_print (_("Removed “%s” and its key.\n"), ze_identity_get_name (identity));
  return ZE_EXIT_OK;
}
