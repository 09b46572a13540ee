/* ze-ui-util.c: small helpers the pages share
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <glib/gi18n.h>

#include "ze-ui-util.h"

/**
 * ze_ui_set_field_error:
 * @field: the entry or row at fault
 * @error_label: the label under it that shows the message
 * @message: (nullable): the message, or %NULL when the field is fine
 *
 * Shows an error the Initial Setup way: the `error` style on the field, the
 * invalid state and the message as its description for assistive
 * technologies, and the message under the field.
 */
void
ze_ui_set_field_error (GtkWidget  *field,
                       GtkLabel   *error_label,
                       const char *message)
{
  gboolean invalid = message != NULL && *message != '\0';

  g_return_if_fail (GTK_IS_WIDGET (field));
  g_return_if_fail (!error_label || GTK_IS_LABEL (error_label));

  if (invalid)
    gtk_widget_add_css_class (field, "error");
  else
    gtk_widget_remove_css_class (field, "error");

  gtk_accessible_update_state (GTK_ACCESSIBLE (field),
                               GTK_ACCESSIBLE_STATE_INVALID,
                               invalid ? GTK_ACCESSIBLE_INVALID_TRUE : GTK_ACCESSIBLE_INVALID_FALSE,
                               -1);

  if (invalid)
    gtk_accessible_update_property (GTK_ACCESSIBLE (field),
                                    GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, message,
                                    -1);
  else
    gtk_accessible_reset_property (GTK_ACCESSIBLE (field), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);

  if (error_label != NULL)
    {
      gtk_label_set_text (error_label, invalid ? message : "");
      gtk_widget_set_visible (GTK_WIDGET (error_label), invalid);

      if (invalid)
        gtk_accessible_update_relation (GTK_ACCESSIBLE (field),
                                        GTK_ACCESSIBLE_RELATION_ERROR_MESSAGE, error_label,
                                        -1);
      else
        gtk_accessible_reset_relation (GTK_ACCESSIBLE (field),
                                       GTK_ACCESSIBLE_RELATION_ERROR_MESSAGE);
    }
}

static void
name_after_tooltip (GtkWidget *button)
{
  const char *tooltip = gtk_widget_get_tooltip_text (button);

  if (tooltip != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip,
                                    -1);
}

static void
tidy_accessible_name (GtkWidget *widget,
                      gboolean   in_password_row)
{
  const char *label = NULL;
  gboolean use_underline = FALSE;

  if (GTK_IS_BUTTON (widget))
    {
      label = gtk_button_get_label (GTK_BUTTON (widget));
      use_underline = gtk_button_get_use_underline (GTK_BUTTON (widget));

      /* libadwaita 1.2's Show Text toggle is named after its image, "GtkImage";
       * its tooltip says what it does and follows its state. */
      if (in_password_row && gtk_button_get_icon_name (GTK_BUTTON (widget)) != NULL &&
          g_object_get_data (G_OBJECT (widget), "ze-named-after-tooltip") == NULL)
        {
          g_object_set_data (G_OBJECT (widget), "ze-named-after-tooltip", GINT_TO_POINTER (TRUE));
          g_signal_connect (widget, "notify::tooltip-text", G_CALLBACK (name_after_tooltip), NULL);
          name_after_tooltip (widget);
        }
    }
  else if (GTK_IS_CHECK_BUTTON (widget))
    {
      label = gtk_check_button_get_label (GTK_CHECK_BUTTON (widget));
      use_underline = gtk_check_button_get_use_underline (GTK_CHECK_BUTTON (widget));
    }

  /* The mnemonic label already names the button, without the underscore. */
  if (label != NULL && use_underline)
    gtk_accessible_reset_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL);
}

static void
tidy_accessible_names (GtkWidget *widget,
                       gboolean   in_password_row)
{
  in_password_row = in_password_row || ADW_IS_PASSWORD_ENTRY_ROW (widget);

  tidy_accessible_name (widget, in_password_row);

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    tidy_accessible_names (child, in_password_row);
}

/**
 * ze_ui_tidy_accessible_names:
 * @root: the top of a widget tree
 *
 * Makes every button under @root, its own and its children's, named by the
 * words on screen. GTK 4.8 names a button with a mnemonic twice over: by its
 * label property, underscore and all, and by the label it is labelled by, so
 * screen readers say "underscore Enroll Enroll" and a script cannot find
 * "Enroll"; this drops the former. Run it again after changing a label.
 */
void
ze_ui_tidy_accessible_names (GtkWidget *root)
{
  g_return_if_fail (GTK_IS_WIDGET (root));

  tidy_accessible_names (root, FALSE);
}

/**
 * ze_ui_present_dialog:
 * @dialog: a message dialog with its responses added
 *
 * Presents @dialog with its response buttons named as they read.
 */
void
ze_ui_present_dialog (AdwMessageDialog *dialog)
{
  g_return_if_fail (ADW_IS_MESSAGE_DIALOG (dialog));

  ze_ui_tidy_accessible_names (GTK_WIDGET (dialog));
  gtk_window_present (GTK_WINDOW (dialog));
}

/**
 * ze_ui_show_file_chooser:
 * @chooser: a file chooser, set up
 *
 * Shows @chooser. Where no portal answers (a session without
 * xdg-desktop-portal), GTK shows its own dialog, whose Open and Cancel buttons
 * GTK 4.8 names twice over: they are tidied like ours.
 */
void
ze_ui_show_file_chooser (GtkFileChooserNative *chooser)
{
  g_autoptr(GListModel) toplevels = NULL;

  g_return_if_fail (GTK_IS_FILE_CHOOSER_NATIVE (chooser));

  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));

  toplevels = g_object_ref (gtk_window_get_toplevels ());
  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) window = g_list_model_get_item (toplevels, i);

      if (GTK_IS_FILE_CHOOSER_DIALOG (window))
        ze_ui_tidy_accessible_names (window);
    }
}

/**
 * ze_ui_error_title:
 *
 * Returns: a short title for what went wrong, one per class of error
 */
const char *
ze_ui_error_title (const GError *error)
{
  g_return_val_if_fail (error != NULL, NULL);

  if (g_error_matches (error, ZE_ERROR, ZE_ERROR_PIN_MISMATCH))
    return _("Enrollment Blocked by Your Organization");

  switch (ze_error_exit_status (error))
    {
    case 2:
      return _("Check What You Entered");

    case 3:
      return _("This Token Cannot Be Used");

    case 4:
      return _("The Controller Cannot Be Trusted");

    case 5:
      return _("The Controller Refused the Enrollment");

    case 6:
      return _("Could Not Reach the Controller");

    case 7:
      return _("Could Not Keep the Identity");

    case 8:
      return _("Enrollment Cancelled");

    default:
      return _("Enrollment Failed");
    }
}

/**
 * ze_ui_describe_key_place:
 *
 * Returns: where @identity's private key is, in words
 */
char *
ze_ui_describe_key_place (ZeIdentity *identity)
{
  const char *kind;
  const char *location;

  g_return_val_if_fail (ZE_IS_IDENTITY (identity), NULL);

  kind = ze_identity_get_store_kind (identity);
  location = ze_identity_get_location (identity);

  if (g_strcmp0 (kind, "keyring") == 0)
    return g_strdup (_("Your keyring"));

  if (g_strcmp0 (kind, "pkcs11") == 0)
    return g_strdup (_("A hardware token"));

  if (location != NULL)
    {
      g_autofree char *home = g_strconcat (g_get_home_dir (), G_DIR_SEPARATOR_S, NULL);

      if (g_str_has_prefix (location, home))
        return g_strconcat ("~" G_DIR_SEPARATOR_S, location + strlen (home), NULL);

      return g_strdup (location);
    }

  return g_strdup (_("Unknown"));
}

/**
 * ze_ui_format_expiry:
 *
 * Returns: "in 3 months (2027-03-01)" for people
 */
char *
ze_ui_format_expiry (gint64 when,
                     gint64 now)
{
  g_autofree char *relative = ze_format_relative_time (when, now);
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (when);
  g_autofree char *date = dt != NULL ? g_date_time_format (dt, "%x") : NULL;

  if (date == NULL)
    return g_steal_pointer (&relative);

  /* Translators: an expiry: "in 3 days (12/24/2026)" */
  return g_strdup_printf (_("%s (%s)"), relative, date);
}

static void
add_filter (GtkFileChooser *chooser,
            const char     *name,
            const char     *mime_type,
            const char     *pattern)
{
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, name);
  if (mime_type != NULL)
    gtk_file_filter_add_mime_type (filter, mime_type);
  if (pattern != NULL)
    gtk_file_filter_add_pattern (filter, pattern);
  gtk_file_chooser_add_filter (chooser, filter);
}

void
ze_ui_add_token_filters (GtkFileChooser *chooser)
{
  add_filter (chooser, _("Enrollment tokens"), "application/jwt", "*.jwt");
  add_filter (chooser, _("All files"), NULL, "*");
}

void
ze_ui_add_json_filters (GtkFileChooser *chooser)
{
  add_filter (chooser, _("Identity files"), "application/json", "*.json");
}

void
ze_ui_add_pem_filters (GtkFileChooser *chooser)
{
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, _("Certificates and keys (PEM)"));
  gtk_file_filter_add_pattern (filter, "*.pem");
  gtk_file_filter_add_pattern (filter, "*.crt");
  gtk_file_filter_add_pattern (filter, "*.cert");
  gtk_file_filter_add_pattern (filter, "*.key");
  gtk_file_chooser_add_filter (chooser, filter);
  add_filter (chooser, _("All files"), NULL, "*");
}

/* The app's style sheet, once per display: AdwApplication would load a
 * style.css by itself, but the window must look right in tests too. */
void
ze_ui_load_css (void)
{
  GdkDisplay *display = gdk_display_get_default ();
  g_autoptr(GtkCssProvider) provider = NULL;

  if (display == NULL || g_object_get_data (G_OBJECT (display), "ze-css") != NULL)
    return;

  provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (provider, RESOURCE_PREFIX "/ui/ze.css");
  gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  gtk_icon_theme_add_resource_path (gtk_icon_theme_get_for_display (display),
                                    RESOURCE_PREFIX "/icons");
  g_object_set_data_full (G_OBJECT (display), "ze-css",
                          g_steal_pointer (&provider), g_object_unref);
}
