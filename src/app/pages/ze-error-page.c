/* ze-error-page.c: what went wrong, why, and what to do
 *
 * The title names the class of failure; the core's message (a full
 * sentence: what happened, why, what to do) is shown as it is. "Copy
 * Details" gives the help desk the error's nick and message, the controller
 * and the token id, never the token. Next reads "Try Again" where a retry is
 * safe (nothing was sent, the cause may pass), else "Start Over".
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <glib/gi18n.h>

#include "ze-error-page.h"
#include "ze-ui-util.h"

struct _ZeErrorPage
{
  ZePage         parent_instance;

  /* Template widgets */
  AdwStatusPage *status_page;
  GtkLabel      *message_label;
  GtkWidget     *copy_button;

  guint          retry : 1;
};

G_DEFINE_FINAL_TYPE (ZeErrorPage, ze_error_page, ZE_TYPE_PAGE)

static void
ze_error_page_shown (ZePage *page)
{
  ZeErrorPage *self = ZE_ERROR_PAGE (page);
  ZeEnrollment *enrollment = ze_page_get_enrollment (page);
  const GError *error = ze_enrollment_get_error (enrollment);
  ZeIdentity *pending = ze_enrollment_get_identity (enrollment);
  gboolean unknown = pending != NULL && ze_identity_get_pending (pending);
  const char *title;

  if (error == NULL)
    return;

  /* The request went out and no answer came back: maybe it worked. */
  title = unknown ? _("The Enrollment May Not Have Finished") : ze_ui_error_title (error);

  adw_status_page_set_title (self->status_page, title);
  adw_status_page_set_icon_name (self->status_page,
                                 unknown ? "dialog-warning-symbolic" : "dialog-error-symbolic");
  gtk_label_set_text (self->message_label, error->message);

  self->retry = ze_enrollment_can_retry (enrollment);
  ze_page_set_next_label (page, self->retry ? _("_Try Again") : _("_Start Over"));

  /* GTK 4.8 has no announcements: the page's description carries the news. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, title,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, error->message,
                                  -1);
  gtk_widget_grab_focus (self->copy_button);
}

static void
ze_error_page_copy_details_action (GtkWidget  *widget,
                                   const char *action_name,
                                   GVariant   *param)
{
  ZeEnrollment *enrollment = ze_page_get_enrollment (ZE_PAGE (widget));
  g_autofree char *details = ze_enrollment_dup_error_details (enrollment);

  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), details);
  gtk_widget_activate_action (widget, "win.show-toast", "s", _("Details copied"));
}

/**
 * ze_error_page_get_retry:
 *
 * Returns: whether Next tries the same token again (else it starts over)
 */
gboolean
ze_error_page_get_retry (ZeErrorPage *self)
{
  g_return_val_if_fail (ZE_IS_ERROR_PAGE (self), FALSE);

  return self->retry;
}

static void
ze_error_page_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), ZE_TYPE_ERROR_PAGE);

  G_OBJECT_CLASS (ze_error_page_parent_class)->dispose (object);
}

static void
ze_error_page_class_init (ZeErrorPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  ZePageClass *page_class = ZE_PAGE_CLASS (klass);

  object_class->dispose = ze_error_page_dispose;

  page_class->shown = ze_error_page_shown;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/ui/ze-error-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ZeErrorPage, status_page);
  gtk_widget_class_bind_template_child (widget_class, ZeErrorPage, message_label);
  gtk_widget_class_bind_template_child (widget_class, ZeErrorPage, copy_button);

  gtk_widget_class_install_action (widget_class, "error.copy-details", NULL,
                                   ze_error_page_copy_details_action);
}

static void
ze_error_page_init (ZeErrorPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
