/* ze-identities-window.c: the identities this app has enrolled
 *
 * A list (name, controller, certificate expiry, a "Pending" badge for an
 * enrollment whose answer never came), each identity's details, Export, and
 * Remove after a confirmation. The library is read in a worker thread so
 * that the main loop never waits for the disk.
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <glib/gi18n.h>

#include "ze-fact-row.h"
#include "ze-identities-window.h"
#include "ze-ui-util.h"

struct _ZeIdentitiesWindow
{
  AdwWindow             parent_instance;

  /* Template widgets */
  AdwToastOverlay      *toast_overlay;
  AdwWindowTitle       *window_title;
  GtkWidget            *back_button;
  GtkStack             *stack;
  GtkListBox           *list_box;
  AdwPreferencesGroup  *details_group;
  ZeFactRow            *status_row;
  ZeFactRow            *controller_row;
  ZeFactRow            *expiry_row;
  ZeFactRow            *key_row;
  ZeFactRow            *fingerprint_row;
  ZeFactRow            *token_id_row;
  GtkWidget            *export_button;

  /* Owned references */
  ZeIdentityLibrary    *library;
  GPtrArray            *identities;
  ZeIdentity           *selected;
  GCancellable         *cancellable;
  GtkFileChooserNative *chooser;
};

G_DEFINE_FINAL_TYPE (ZeIdentitiesWindow, ze_identities_window, ADW_TYPE_WINDOW)

static void
show_toast (ZeIdentitiesWindow *self,
            const char         *message)
{
  AdwToast *toast = adw_toast_new (message);

  adw_toast_set_timeout (toast, 4);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static char *
describe_controller (ZeIdentity *identity)
{
  const char *url = ze_identity_get_controller_url (identity);
  g_autoptr(GUri) uri = url != NULL ? g_uri_parse (url, G_URI_FLAGS_NONE, NULL) : NULL;

  if (uri == NULL || g_uri_get_host (uri) == NULL)
    return g_strdup (url != NULL ? url : _("Unknown controller"));

  if (g_uri_get_port (uri) > 0)
    return g_strdup_printf ("%s:%d", g_uri_get_host (uri), g_uri_get_port (uri));

  return g_strdup (g_uri_get_host (uri));
}

static GtkWidget *
create_row (ZeIdentity *identity)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *controller = describe_controller (identity);
  g_autofree char *subtitle = NULL;
  gint64 expiry = ze_identity_get_certificate_expiry (identity);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  if (ze_identity_get_pending (identity))
    subtitle = g_strdup (controller);
  else if (expiry > 0)
    {
      g_autofree char *when = ze_format_relative_time (expiry, now);

      /* Translators: "ctrl.example.com:443 · expires in 3 months" */
      subtitle = g_strdup_printf (expiry > now ? _("%s · expires %s") : _("%s · expired %s"),
                                  controller, when);
    }
  else
    subtitle = g_strdup (controller);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), ze_identity_get_name (identity));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);

  if (ze_identity_get_pending (identity))
    {
      GtkWidget *badge = gtk_label_new (_("Pending"));

      gtk_widget_set_valign (badge, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (badge, "ze-badge");
      gtk_widget_add_css_class (badge, "warning");
      gtk_widget_set_tooltip_text (badge, _("The controller’s answer never came: ask your "
                                            "administrator whether the enrollment went through"));
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), badge);
    }

  adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                             g_object_new (GTK_TYPE_IMAGE,
                                           "icon-name", "go-next-symbolic",
                                           "accessible-role", GTK_ACCESSIBLE_ROLE_PRESENTATION,
                                           NULL));
  g_object_set_data_full (G_OBJECT (row), "ze-identity", g_object_ref (identity), g_object_unref);

  return row;
}

static void
show_list (ZeIdentitiesWindow *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list_box))) != NULL)
    gtk_list_box_remove (self->list_box, child);

  for (guint i = 0; self->identities != NULL && i < self->identities->len; i++)
    gtk_list_box_append (self->list_box, create_row (g_ptr_array_index (self->identities, i)));

  g_clear_object (&self->selected);
  gtk_widget_set_visible (self->back_button, FALSE);
  adw_window_title_set_title (self->window_title, _("Identities"));
  gtk_stack_set_visible_child_full (self->stack,
                                    self->identities != NULL && self->identities->len > 0
                                    ? "list" : "empty",
                                    g_strcmp0 (gtk_stack_get_visible_child_name (self->stack),
                                               "details") == 0
                                    ? GTK_STACK_TRANSITION_TYPE_SLIDE_RIGHT
                                    : GTK_STACK_TRANSITION_TYPE_CROSSFADE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "identities.export", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "identities.remove", FALSE);
}

static void
show_details (ZeIdentitiesWindow *self,
              ZeIdentity         *identity)
{
  g_autofree char *controller = describe_controller (identity);
  g_autofree char *place = ze_ui_describe_key_place (identity);
  g_autofree char *expiry = NULL;
  g_autofree char *fingerprint = NULL;
  const char *hex = ze_identity_get_controller_fingerprint (identity);
  gint64 not_after = ze_identity_get_certificate_expiry (identity);
  gboolean pending = ze_identity_get_pending (identity);

  g_set_object (&self->selected, identity);

  if (not_after > 0)
    expiry = ze_ui_format_expiry (not_after, g_get_real_time () / G_USEC_PER_SEC);
  if (hex != NULL)
    {
      g_autoptr(GString) text = g_string_new (NULL);

      /* The read-aloud form: the first 16 hex digits in groups of four. */
      for (guint i = 0; hex[i] != '\0' && i < 16; i++)
        {
          if (i > 0 && i % 4 == 0)
            g_string_append_c (text, ' ');
          g_string_append_c (text, g_ascii_toupper (hex[i]));
        }
      fingerprint = g_string_free (g_steal_pointer (&text), FALSE);
    }

  ze_fact_row_set_value (self->status_row,
                         pending ? _("Pending: the controller’s answer never came")
                                 : _("Enrolled"));
  ze_fact_row_set_value (self->controller_row, controller);
  ze_fact_row_set_value (self->expiry_row, expiry != NULL ? expiry : _("Unknown"));
  ze_fact_row_set_value (self->key_row, place);
  ze_fact_row_set_value (self->fingerprint_row, fingerprint != NULL ? fingerprint : _("Unknown"));
  ze_fact_row_set_value (self->token_id_row, ze_identity_get_token_id (identity) ?: _("Unknown"));
  gtk_widget_add_css_class (GTK_WIDGET (ze_fact_row_get_value_label (self->fingerprint_row)),
                            "monospace");

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "identities.export", !pending);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "identities.remove", TRUE);
  gtk_widget_set_visible (self->back_button, TRUE);
  adw_window_title_set_title (self->window_title, ze_identity_get_name (identity));
  gtk_stack_set_visible_child_full (self->stack, "details", GTK_STACK_TRANSITION_TYPE_SLIDE_LEFT);
  gtk_widget_grab_focus (self->export_button);
}

static void
on_row_activated_cb (ZeIdentitiesWindow *self,
                     GtkListBoxRow      *row,
                     GtkListBox         *list_box)
{
  ZeIdentity *identity = g_object_get_data (G_OBJECT (row), "ze-identity");

  if (identity != NULL)
    show_details (self, identity);
}

/* ---- loading ---- */

static void
list_worker (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  ZeIdentityLibrary *library = task_data;
  g_autoptr(GError) error = NULL;
  GPtrArray *identities;

  if (!(identities = ze_identity_library_list (library, &error)))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, identities, (GDestroyNotify)g_ptr_array_unref);
}

static gint
compare_identities (gconstpointer a,
                    gconstpointer b)
{
  ZeIdentity *ia = *(ZeIdentity **)a;
  ZeIdentity *ib = *(ZeIdentity **)b;

  return g_utf8_collate (ze_identity_get_name (ia), ze_identity_get_name (ib));
}

static void
ze_identities_window_list_cb (GObject      *object,
                              GAsyncResult *result,
                              gpointer      user_data)
{
  ZeIdentitiesWindow *self = ZE_IDENTITIES_WINDOW (object);
  g_autoptr(GError) error = NULL;
  GPtrArray *identities;

  identities = g_task_propagate_pointer (G_TASK (result), &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  g_clear_pointer (&self->identities, g_ptr_array_unref);
  self->identities = identities;
  if (identities != NULL)
    g_ptr_array_sort (identities, compare_identities);

  show_list (self);

  if (error != NULL)
    show_toast (self, error->message);
}

/**
 * ze_identities_window_reload:
 *
 * Reads the library again (in a worker thread) and shows the list.
 */
void
ze_identities_window_reload (ZeIdentitiesWindow *self)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (ZE_IS_IDENTITIES_WINDOW (self));

  if (self->identities == NULL)
    gtk_stack_set_visible_child_name (self->stack, "loading");

  task = g_task_new (self, self->cancellable, ze_identities_window_list_cb, NULL);
  g_task_set_source_tag (task, ze_identities_window_reload);
  g_task_set_task_data (task, g_object_ref (self->library), g_object_unref);
  g_task_run_in_thread (task, list_worker);
}

/**
 * ze_identities_window_get_n_identities:
 *
 * Returns: how many identities the list shows
 */
guint
ze_identities_window_get_n_identities (ZeIdentitiesWindow *self)
{
  g_return_val_if_fail (ZE_IS_IDENTITIES_WINDOW (self), 0);

  return self->identities != NULL ? self->identities->len : 0;
}

/**
 * ze_identities_window_show_identity:
 *
 * Shows the details of the identity called @name.
 *
 * Returns: whether there is one
 */
gboolean
ze_identities_window_show_identity (ZeIdentitiesWindow *self,
                                    const char         *name)
{
  g_return_val_if_fail (ZE_IS_IDENTITIES_WINDOW (self), FALSE);

  for (guint i = 0; self->identities != NULL && i < self->identities->len; i++)
    {
      ZeIdentity *identity = g_ptr_array_index (self->identities, i);

      if (g_strcmp0 (ze_identity_get_name (identity), name) == 0)
        {
          show_details (self, identity);
          return TRUE;
        }
    }

  return FALSE;
}

/* ---- actions ---- */

static void
ze_identities_window_back_action (GtkWidget  *widget,
                                  const char *action_name,
                                  GVariant   *param)
{
  show_list (ZE_IDENTITIES_WINDOW (widget));
}

static void
ze_identities_window_export_cb (GObject      *object,
                                GAsyncResult *result,
                                gpointer      user_data)
{
  g_autoptr(ZeIdentitiesWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ze_identity_library_export_finish (ZE_IDENTITY_LIBRARY (object), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_toast (self, error->message);
      return;
    }

  show_toast (self, _("Identity exported"));
}

static void
on_export_chosen_cb (ZeIdentitiesWindow   *self,
                     int                   response,
                     GtkFileChooserNative *chooser)
{
  g_autoptr(GFile) file = NULL;
  g_autofree char *path = NULL;

  g_clear_object (&self->chooser);

  if (response != GTK_RESPONSE_ACCEPT || self->selected == NULL)
    return;

  file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  if (file == NULL || !(path = g_file_get_path (file)))
    return;

  ze_identity_library_export_async (self->library, self->selected, path, self->cancellable,
                                    ze_identities_window_export_cb, g_object_ref (self));
}

static void
ze_identities_window_export_action (GtkWidget  *widget,
                                    const char *action_name,
                                    GVariant   *param)
{
  ZeIdentitiesWindow *self = ZE_IDENTITIES_WINDOW (widget);
  g_autofree char *name = NULL;

  if (self->selected == NULL)
    return;

  name = g_strconcat (ze_identity_get_name (self->selected), ".json", NULL);

  g_clear_object (&self->chooser);
  self->chooser = gtk_file_chooser_native_new (_("Export the Identity"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_SAVE,
                                               _("_Export"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), name);
  ze_ui_add_json_filters (GTK_FILE_CHOOSER (self->chooser));
  g_signal_connect_object (self->chooser, "response",
                           G_CALLBACK (on_export_chosen_cb), self, G_CONNECT_SWAPPED);
  ze_ui_show_file_chooser (self->chooser);
}

static void
ze_identities_window_delete_cb (GObject      *object,
                                GAsyncResult *result,
                                gpointer      user_data)
{
  g_autoptr(ZeIdentitiesWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  const char *name = g_object_get_data (G_OBJECT (self), "ze-removing");

  if (!ze_identity_library_delete_finish (ZE_IDENTITY_LIBRARY (object), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_toast (self, error->message);
      return;
    }

  if (name != NULL)
    {
      g_autofree char *message = g_strdup_printf (_("“%s” removed"), name);

      show_toast (self, message);
    }
  else
    show_toast (self, _("Identity removed"));

  ze_identities_window_reload (self);
}

static void
on_remove_response_cb (AdwMessageDialog   *dialog,
                       const char         *response,
                       ZeIdentitiesWindow *self)
{
  ZeIdentity *identity = g_object_get_data (G_OBJECT (dialog), "ze-identity");

  if (g_strcmp0 (response, "remove") != 0 || identity == NULL)
    return;

  g_object_set_data_full (G_OBJECT (self), "ze-removing",
                          g_strdup (ze_identity_get_name (identity)), g_free);
  ze_identity_library_delete_async (self->library, identity, self->cancellable,
                                    ze_identities_window_delete_cb, g_object_ref (self));
}

static void
ze_identities_window_remove_action (GtkWidget  *widget,
                                    const char *action_name,
                                    GVariant   *param)
{
  ZeIdentitiesWindow *self = ZE_IDENTITIES_WINDOW (widget);
  AdwMessageDialog *dialog;

  if (self->selected == NULL)
    return;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), NULL, NULL));
  adw_message_dialog_format_heading (dialog, _("Remove “%s”?"),
                                     ze_identity_get_name (self->selected));
  adw_message_dialog_set_body (dialog,
                               _("Its private key is deleted from this computer, which then "
                                 "cannot connect to this network. Enrolling again needs a new "
                                 "token from your administrator."));
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "remove", _("_Remove"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "remove", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "ze-identity",
                          g_object_ref (self->selected), g_object_unref);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_remove_response_cb), self, 0);
  ze_ui_present_dialog (dialog);
}

/* Escape goes back to the list, then closes. */
static gboolean
ze_identities_window_escape_cb (GtkWidget *widget,
                                GVariant  *args,
                                gpointer   user_data)
{
  ZeIdentitiesWindow *self = ZE_IDENTITIES_WINDOW (widget);

  if (self->selected != NULL)
    show_list (self);
  else
    gtk_window_close (GTK_WINDOW (self));

  return TRUE;
}

/* ---- the window ---- */

static void
ze_identities_window_dispose (GObject *object)
{
  ZeIdentitiesWindow *self = (ZeIdentitiesWindow *)object;

  g_cancellable_cancel (self->cancellable);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  gtk_widget_dispose_template (GTK_WIDGET (self), ZE_TYPE_IDENTITIES_WINDOW);

  G_OBJECT_CLASS (ze_identities_window_parent_class)->dispose (object);
}

static void
ze_identities_window_finalize (GObject *object)
{
  ZeIdentitiesWindow *self = (ZeIdentitiesWindow *)object;

  g_clear_object (&self->library);
  g_clear_object (&self->selected);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->identities, g_ptr_array_unref);

  G_OBJECT_CLASS (ze_identities_window_parent_class)->finalize (object);
}

static void
ze_identities_window_class_init (ZeIdentitiesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ze_identities_window_dispose;
  object_class->finalize = ze_identities_window_finalize;

  g_type_ensure (ZE_TYPE_FACT_ROW);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/ui/ze-identities-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ZeIdentitiesWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, ZeIdentitiesWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, ZeIdentitiesWindow, back_button);
  gtk_widget_class_bind_template_child (widget_class, ZeIdentitiesWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, ZeIdentitiesWindow, list_box);
  gtk_widget_class_bind_template_child (widget_class, ZeIdentitiesWindow, details_group);
  gtk_widget_class_bind_template_child (widget_class, ZeIdentitiesWindow, status_row);
  gtk_widget_class_bind_template_child (widget_class, ZeIdentitiesWindow, controller_row);
  gtk_widget_class_bind_template_child (widget_class, ZeIdentitiesWindow, expiry_row);
  gtk_widget_class_bind_template_child (widget_class, ZeIdentitiesWindow, key_row);
  gtk_widget_class_bind_template_child (widget_class, ZeIdentitiesWindow, fingerprint_row);
  gtk_widget_class_bind_template_child (widget_class, ZeIdentitiesWindow, token_id_row);
  gtk_widget_class_bind_template_child (widget_class, ZeIdentitiesWindow, export_button);
  gtk_widget_class_bind_template_callback (widget_class, on_row_activated_cb);

  gtk_widget_class_install_action (widget_class, "identities.back", NULL,
                                   ze_identities_window_back_action);
  gtk_widget_class_install_action (widget_class, "identities.export", NULL,
                                   ze_identities_window_export_action);
  gtk_widget_class_install_action (widget_class, "identities.remove", NULL,
                                   ze_identities_window_remove_action);

  gtk_widget_class_add_binding (widget_class, GDK_KEY_Escape, 0,
                                ze_identities_window_escape_cb, NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK,
                                       "identities.back", NULL);
}

static void
ze_identities_window_init (ZeIdentitiesWindow *self)
{
  ze_ui_load_css ();

  gtk_widget_init_template (GTK_WIDGET (self));
  ze_ui_tidy_accessible_names (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();

#if DEVELOPMENT_BUILD
  gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
#endif
}

/**
 * ze_identities_window_new:
 * @parent: (nullable): the window it belongs to
 * @library: (nullable): the identities to show; %NULL for the default library
 *
 * Returns: (transfer none): a new window, already loading the list
 */
ZeIdentitiesWindow *
ze_identities_window_new (GtkWindow         *parent,
                          ZeIdentityLibrary *library)
{
  ZeIdentitiesWindow *self;

  g_return_val_if_fail (!parent || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (!library || ZE_IS_IDENTITY_LIBRARY (library), NULL);

  self = g_object_new (ZE_TYPE_IDENTITIES_WINDOW, "transient-for", parent, NULL);
  self->library = g_object_ref (library != NULL ? library : ze_identity_library_get_default ());
  ze_identities_window_reload (self);

  return self;
}
