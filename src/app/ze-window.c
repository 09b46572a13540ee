/* ze-window.c
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <glib/gi18n.h>

#include "ze-window.h"

struct _ZeWindow
{
  AdwApplicationWindow  parent_instance;

  /* Template widgets */
  AdwStatusPage        *status_page;

  /* Owned references */
  ZeToken              *token;
  GCancellable         *cancellable;   /* cancelled when the window closes */
};

G_DEFINE_FINAL_TYPE (ZeWindow, ze_window, ADW_TYPE_APPLICATION_WINDOW)

static void
show_token (ZeWindow *self)
{
  g_autofree char *host = ze_token_dup_host_and_port (self->token);
  g_autofree char *description = NULL;

  description = g_strdup_printf (_("Token for identity “%s” at %s"),
                                 ze_token_get_subject (self->token) ?: _("(unnamed)"), host);
  adw_status_page_set_title (self->status_page, _("Enrollment Token"));
  adw_status_page_set_description (self->status_page, description);
}

static void
ze_window_load_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(ZeWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(ZeToken) token = NULL;

  bytes = g_file_load_bytes_finish (G_FILE (object), result, NULL, &error);

  if (bytes != NULL)
    token = ze_token_new_from_bytes (bytes, &error);

  if (token == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          adw_status_page_set_title (self->status_page, _("This Token Cannot Be Used"));
          adw_status_page_set_description (self->status_page, error->message);
        }
      return;
    }

  g_set_object (&self->token, token);
  show_token (self);
}

/**
 * ze_window_open_file:
 * @self: a #ZeWindow
 * @file: a token file
 *
 * Reads @file asynchronously and shows what the token holds.
 */
void
ze_window_open_file (ZeWindow *self,
                     GFile    *file)
{
  g_return_if_fail (ZE_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  g_file_load_bytes_async (file, self->cancellable, ze_window_load_cb, g_object_ref (self));
}

static void
ze_window_dispose (GObject *object)
{
  ZeWindow *self = (ZeWindow *)object;

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), ZE_TYPE_WINDOW);

  G_OBJECT_CLASS (ze_window_parent_class)->dispose (object);
}

static void
ze_window_finalize (GObject *object)
{
  ZeWindow *self = (ZeWindow *)object;

  g_clear_object (&self->token);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (ze_window_parent_class)->finalize (object);
}

static void
ze_window_class_init (ZeWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ze_window_dispose;
  object_class->finalize = ze_window_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/ze-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ZeWindow, status_page);
}

static void
ze_window_init (ZeWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();

#if DEVELOPMENT_BUILD
  gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
#endif
}

ZeWindow *
ze_window_new (GtkApplication *application)
{
  return g_object_new (ZE_TYPE_WINDOW, "application", application, NULL);
}
