/* ze-done-page.c: what was enrolled, with Export and Close
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <glib/gi18n.h>

#include "ze-done-page.h"
#include "ze-fact-row.h"
#include "ze-ui-util.h"

struct _ZeDonePage
{
  ZePage                parent_instance;

  /* Template widgets */
  AdwStatusPage        *status_page;
  ZeFactRow            *name_row;
  ZeFactRow            *controller_row;
  ZeFactRow            *expiry_row;
  ZeFactRow            *fingerprint_row;
  ZeFactRow            *key_row;
  GtkWidget            *export_button;

  /* Owned references */
  ZeIdentityLibrary    *library;
  GCancellable         *cancellable;
  GtkFileChooserNative *chooser;
};

G_DEFINE_FINAL_TYPE (ZeDonePage, ze_done_page, ZE_TYPE_PAGE)

static void
ze_done_page_shown (ZePage *page)
{
  ZeDonePage *self = ZE_DONE_PAGE (page);
  ZeEnrollment *enrollment = ze_page_get_enrollment (page);
  ZeIdentity *identity = ze_enrollment_get_identity (enrollment);
  ZeToken *token = ze_enrollment_get_token (enrollment);
  ZeCertificate *leaf = ze_enrollment_get_leaf (enrollment);
  g_autofree char *host = token != NULL ? ze_token_dup_host_and_port (token) : NULL;
  g_autofree char *description = NULL;
  g_autofree char *place = NULL;
  g_autofree char *expiry = NULL;
  g_autofree char *fingerprint = NULL;
  gint64 not_after;

  if (identity == NULL)
    return;

  description = g_strdup_printf (_("“%s” can now connect to the network at %s."),
                                 ze_identity_get_name (identity), host != NULL ? host : "?");
  adw_status_page_set_description (self->status_page, description);

  place = ze_ui_describe_key_place (identity);
  not_after = ze_identity_get_certificate_expiry (identity);
  expiry = not_after > 0 ? ze_ui_format_expiry (not_after, g_get_real_time () / G_USEC_PER_SEC)
                         : g_strdup (_("Unknown"));

  if (leaf != NULL)
    fingerprint = ze_certificate_dup_fingerprint_short (leaf);
  else if (ze_identity_get_controller_fingerprint (identity) != NULL)
    fingerprint = g_ascii_strup (ze_identity_get_controller_fingerprint (identity), 16);

  ze_fact_row_set_value (self->name_row, ze_identity_get_name (identity));
  ze_fact_row_set_value (self->controller_row, host);
  ze_fact_row_set_value (self->expiry_row, expiry);
  ze_fact_row_set_value (self->fingerprint_row, fingerprint != NULL ? fingerprint : _("Unknown"));
  ze_fact_row_set_value (self->key_row, place);
  gtk_widget_add_css_class (GTK_WIDGET (ze_fact_row_get_value_label (self->fingerprint_row)),
                            "monospace");

  /* A file identity is already the standard file: nothing to export. */
  gtk_widget_set_visible (self->export_button,
                          g_strcmp0 (ze_identity_get_store_kind (identity), "file") != 0);

  gtk_widget_grab_focus (self->export_button);
}

static void
ze_done_page_apply_async (ZePage              *page,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (page, cancellable, callback, user_data);

  g_task_set_source_tag (task, ze_done_page_apply_async);
  g_task_return_boolean (task, TRUE);
}

static void
ze_done_page_export_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(ZeDonePage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ze_identity_library_export_finish (ZE_IDENTITY_LIBRARY (object), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        gtk_widget_activate_action (GTK_WIDGET (self), "win.show-toast", "s", error->message);
      return;
    }

  gtk_widget_activate_action (GTK_WIDGET (self), "win.show-toast", "s", _("Identity exported"));
}

/**
 * ze_done_page_export:
 * @path: where to write the standard identity file
 *
 * Exports the enrolled identity (with its key) without blocking; a toast
 * says how it went.
 */
void
ze_done_page_export (ZeDonePage *self,
                     const char *path)
{
  ZeIdentity *identity;

  g_return_if_fail (ZE_IS_DONE_PAGE (self));
  g_return_if_fail (path != NULL);

  identity = ze_enrollment_get_identity (ze_page_get_enrollment (ZE_PAGE (self)));
  g_return_if_fail (identity != NULL);

  ze_identity_library_export_async (self->library != NULL ? self->library
                                                          : ze_identity_library_get_default (),
                                    identity, path, self->cancellable,
                                    ze_done_page_export_cb, g_object_ref (self));
}

static void
on_export_chosen_cb (ZeDonePage           *self,
                     int                   response,
                     GtkFileChooserNative *chooser)
{
  g_autoptr(GFile) file = NULL;
  g_autofree char *path = NULL;

  g_clear_object (&self->chooser);

  if (response != GTK_RESPONSE_ACCEPT)
    return;

  file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  if (file == NULL || !(path = g_file_get_path (file)))
    return;

  ze_done_page_export (self, path);
}

static void
ze_done_page_export_action (GtkWidget  *widget,
                            const char *action_name,
                            GVariant   *param)
{
  ZeDonePage *self = ZE_DONE_PAGE (widget);
  ZeIdentity *identity = ze_enrollment_get_identity (ze_page_get_enrollment (ZE_PAGE (self)));
  GtkRoot *root = gtk_widget_get_root (widget);
  g_autofree char *name = NULL;

  if (identity == NULL)
    return;

  name = g_strconcat (ze_identity_get_name (identity), ".json", NULL);

  g_clear_object (&self->chooser);
  self->chooser = gtk_file_chooser_native_new (_("Export the Identity"),
                                               GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                               GTK_FILE_CHOOSER_ACTION_SAVE,
                                               _("_Export"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), name);
  ze_ui_add_json_filters (GTK_FILE_CHOOSER (self->chooser));
  g_signal_connect_object (self->chooser, "response",
                           G_CALLBACK (on_export_chosen_cb), self, G_CONNECT_SWAPPED);
  ze_ui_show_file_chooser (self->chooser);
}

/**
 * ze_done_page_set_library:
 * @library: (nullable): where Export finds the key; %NULL for the default
 */
void
ze_done_page_set_library (ZeDonePage        *self,
                          ZeIdentityLibrary *library)
{
  g_return_if_fail (ZE_IS_DONE_PAGE (self));
  g_return_if_fail (!library || ZE_IS_IDENTITY_LIBRARY (library));

  g_set_object (&self->library, library);
}

static void
ze_done_page_dispose (GObject *object)
{
  ZeDonePage *self = (ZeDonePage *)object;

  g_cancellable_cancel (self->cancellable);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  gtk_widget_dispose_template (GTK_WIDGET (self), ZE_TYPE_DONE_PAGE);
  g_clear_object (&self->library);

  G_OBJECT_CLASS (ze_done_page_parent_class)->dispose (object);
}

static void
ze_done_page_finalize (GObject *object)
{
  ZeDonePage *self = (ZeDonePage *)object;

  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (ze_done_page_parent_class)->finalize (object);
}

static void
ze_done_page_class_init (ZeDonePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  ZePageClass *page_class = ZE_PAGE_CLASS (klass);

  object_class->dispose = ze_done_page_dispose;
  object_class->finalize = ze_done_page_finalize;

  page_class->shown = ze_done_page_shown;
  page_class->apply_async = ze_done_page_apply_async;

  g_type_ensure (ZE_TYPE_FACT_ROW);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/ui/ze-done-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ZeDonePage, status_page);
  gtk_widget_class_bind_template_child (widget_class, ZeDonePage, name_row);
  gtk_widget_class_bind_template_child (widget_class, ZeDonePage, controller_row);
  gtk_widget_class_bind_template_child (widget_class, ZeDonePage, expiry_row);
  gtk_widget_class_bind_template_child (widget_class, ZeDonePage, fingerprint_row);
  gtk_widget_class_bind_template_child (widget_class, ZeDonePage, key_row);
  gtk_widget_class_bind_template_child (widget_class, ZeDonePage, export_button);

  gtk_widget_class_install_action (widget_class, "done.export", NULL, ze_done_page_export_action);
}

static void
ze_done_page_init (ZeDonePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
}
