/* ze-token-page.c: the first page: open, paste or drop a token
 *
 * The token is checked locally as the person types (debounced; at once for a
 * paste, a file or Enter): shape, claims and method. The error goes on the
 * field. The expiry and the signature are the Controller page's business.
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <glib/gi18n.h>

#include "ze-token-page.h"
#include "ze-ui-util.h"

/* Long enough not to flash an error while typing, short enough to feel live. */
#define CHECK_DELAY_MS 400

struct _ZeTokenPage
{
  ZePage        parent_instance;

  /* Template widgets */
  AdwEntryRow  *token_row;
  GtkLabel     *error_label;
  GtkLabel     *source_label;
  GtkButton    *open_button;
  GtkButton    *paste_button;

  /* Owned references */
  ZeToken      *token;
  char         *source_name;
  GCancellable *cancellable;     /* the clipboard read; cancelled on dispose */

  guint         check_id;
  guint         setting_text : 1;
};

G_DEFINE_FINAL_TYPE (ZeTokenPage, ze_token_page, ZE_TYPE_PAGE)

static void
set_source_name (ZeTokenPage *self,
                 const char  *source_name)
{
  g_free (self->source_name);
  self->source_name = g_strdup (source_name);

  if (source_name != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("From “%s”"), source_name);

      gtk_label_set_text (self->source_label, text);
    }

  gtk_widget_set_visible (GTK_WIDGET (self->source_label), source_name != NULL);
}

static void
check_token (ZeTokenPage *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->token_row));
  g_autoptr(ZeToken) token = NULL;
  g_autoptr(GError) error = NULL;

  g_clear_handle_id (&self->check_id, g_source_remove);

  if (*text != '\0')
    token = ze_token_new_from_string (text, &error);

  g_set_object (&self->token, token);
  ze_ui_set_field_error (GTK_WIDGET (self->token_row), self->error_label,
                         error != NULL ? error->message : NULL);
  ze_page_set_complete (ZE_PAGE (self), token != NULL);

  /* One suggested action at a time: Next takes over once there is a token. */
  if (token != NULL)
    gtk_widget_remove_css_class (GTK_WIDGET (self->open_button), "suggested-action");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->open_button), "suggested-action");
}

static gboolean
check_token_cb (gpointer user_data)
{
  ZeTokenPage *self = user_data;

  self->check_id = 0;
  check_token (self);

  return G_SOURCE_REMOVE;
}

static void
on_token_row_changed_cb (ZeTokenPage *self,
                         GtkEditable *editable)
{
  g_assert (ZE_IS_TOKEN_PAGE (self));

  if (!self->setting_text)
    set_source_name (self, NULL);

  /* Typing clears the error at once and checks again after a pause. */
  ze_ui_set_field_error (GTK_WIDGET (self->token_row), self->error_label, NULL);
  ze_page_set_complete (ZE_PAGE (self), FALSE);
  g_clear_object (&self->token);

  g_clear_handle_id (&self->check_id, g_source_remove);
  if (*gtk_editable_get_text (editable) != '\0')
    self->check_id = g_timeout_add (CHECK_DELAY_MS, check_token_cb, self);
  else
    check_token (self);
}

static void
on_token_row_activated_cb (ZeTokenPage *self,
                           AdwEntryRow *row)
{
  g_assert (ZE_IS_TOKEN_PAGE (self));

  check_token (self);
  if (ze_page_get_complete (ZE_PAGE (self)))
    gtk_widget_activate_action (GTK_WIDGET (self), "wizard.next", NULL);
}

/**
 * ze_token_page_set_text:
 * @text: a token's text
 * @source_name: (nullable): the base name of the file it came from
 *
 * Fills the field and checks it at once.
 */
void
ze_token_page_set_text (ZeTokenPage *self,
                        const char  *text,
                        const char  *source_name)
{
  g_autofree char *stripped = NULL;

  g_return_if_fail (ZE_IS_TOKEN_PAGE (self));
  g_return_if_fail (text != NULL);

  stripped = g_strstrip (g_strdup (text));

  self->setting_text = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->token_row), stripped);
  self->setting_text = FALSE;

  set_source_name (self, source_name);
  check_token (self);
}

/**
 * ze_token_page_show_error:
 *
 * Shows @message on the field, for a file that could not be used.
 */
void
ze_token_page_show_error (ZeTokenPage *self,
                          const char  *message)
{
  g_return_if_fail (ZE_IS_TOKEN_PAGE (self));

  g_clear_handle_id (&self->check_id, g_source_remove);
  g_clear_object (&self->token);
  ze_page_set_complete (ZE_PAGE (self), FALSE);
  ze_ui_set_field_error (GTK_WIDGET (self->token_row), self->error_label, message);
}

/**
 * ze_token_page_get_token:
 *
 * Returns: (nullable): the token in the field, once checked
 */
ZeToken *
ze_token_page_get_token (ZeTokenPage *self)
{
  g_return_val_if_fail (ZE_IS_TOKEN_PAGE (self), NULL);

  return self->token;
}

static void
ze_token_page_paste_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(ZeTokenPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (object), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (text == NULL || *g_strstrip (text) == '\0')
    {
      ze_token_page_show_error (self, _("The clipboard holds no text. Copy the whole token, "
                                        "then paste it again."));
      return;
    }

  ze_token_page_set_text (self, text, NULL);
  gtk_widget_grab_focus (GTK_WIDGET (self->token_row));
}

static void
ze_token_page_paste_action (GtkWidget  *widget,
                            const char *action_name,
                            GVariant   *param)
{
  ZeTokenPage *self = ZE_TOKEN_PAGE (widget);

  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (widget), self->cancellable,
                                 ze_token_page_paste_cb, g_object_ref (self));
}

static void
ze_token_page_shown (ZePage *page)
{
  ZeTokenPage *self = ZE_TOKEN_PAGE (page);

  gtk_widget_grab_focus (GTK_WIDGET (self->token_row));
}

static void
ze_token_page_apply_async (ZePage              *page,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  ZeTokenPage *self = ZE_TOKEN_PAGE (page);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, ze_token_page_apply_async);

  check_token (self);
  if (self->token == NULL)
    {
      g_task_return_new_error (task, ZE_ERROR, ZE_ERROR_TOKEN_EMPTY, "%s",
                               gtk_label_get_text (self->error_label));
      return;
    }

  ze_enrollment_set_token (ze_page_get_enrollment (page), self->token, self->source_name);
  g_task_return_boolean (task, TRUE);
}

static void
ze_token_page_dispose (GObject *object)
{
  ZeTokenPage *self = (ZeTokenPage *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->check_id, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), ZE_TYPE_TOKEN_PAGE);

  G_OBJECT_CLASS (ze_token_page_parent_class)->dispose (object);
}

static void
ze_token_page_finalize (GObject *object)
{
  ZeTokenPage *self = (ZeTokenPage *)object;

  g_clear_object (&self->token);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->source_name, g_free);

  G_OBJECT_CLASS (ze_token_page_parent_class)->finalize (object);
}

static void
ze_token_page_class_init (ZeTokenPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  ZePageClass *page_class = ZE_PAGE_CLASS (klass);

  object_class->dispose = ze_token_page_dispose;
  object_class->finalize = ze_token_page_finalize;

  page_class->shown = ze_token_page_shown;
  page_class->apply_async = ze_token_page_apply_async;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/ui/ze-token-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ZeTokenPage, token_row);
  gtk_widget_class_bind_template_child (widget_class, ZeTokenPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, ZeTokenPage, source_label);
  gtk_widget_class_bind_template_child (widget_class, ZeTokenPage, open_button);
  gtk_widget_class_bind_template_child (widget_class, ZeTokenPage, paste_button);
  gtk_widget_class_bind_template_callback (widget_class, on_token_row_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_token_row_activated_cb);

  gtk_widget_class_install_action (widget_class, "token.paste", NULL, ze_token_page_paste_action);
}

static void
ze_token_page_init (ZeTokenPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
}
