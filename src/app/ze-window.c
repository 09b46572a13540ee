/* ze-window.c: the wizard's window
 *
 * Owns the pages (a GtkStack), the enrollment they share, and the
 * navigation: the wizard.next, wizard.back and wizard.cancel actions, all
 * enabled by one update_actions() from the visible page's properties, which
 * a GSignalGroup follows (style.md §8 snippet 8). Next applies the page
 * (apply_async) and moves on only if that succeeds. The enrollment's own
 * outcome (done, failed) moves the wizard to the last pages.
 *
 * Tokens arrive by the Open dialog, a drop, or the application (a file on
 * the command line, a double-click); a new one while an enrollment is open
 * asks before replacing it.
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <glib/gi18n.h>

#include "ze-identities-window.h"
#include "ze-ui-util.h"
#include "ze-window.h"
#include "pages/ze-controller-page.h"
#include "pages/ze-done-page.h"
#include "pages/ze-enrolling-page.h"
#include "pages/ze-error-page.h"
#include "pages/ze-options-page.h"
#include "pages/ze-token-page.h"

#define SETTINGS_SCHEMA "io.github.zitienroll.ZitiEnroll"

struct _ZeWindow
{
  AdwApplicationWindow  parent_instance;

  /* Template widgets */
  AdwToastOverlay      *toast_overlay;
  AdwWindowTitle       *window_title;
  GtkWidget            *back_button;
  GtkWidget            *cancel_button;
  GtkButton            *next_button;
  GtkWidget            *menu_button;
  GtkStack             *stack;
  ZeTokenPage          *token_page;
  ZeControllerPage     *controller_page;
  ZeOptionsPage        *options_page;
  ZeEnrollingPage      *enrolling_page;
  ZeDonePage           *done_page;
  ZeErrorPage          *error_page;

  /* Owned references */
  ZeEnrollment         *enrollment;
  GSettings            *settings;
  ZeIdentityLibrary    *library;
  GSignalGroup         *page_signals;
  GCancellable         *cancellable;         /* cancelled when the window closes */
  GCancellable         *apply_cancellable;
  GtkFileChooserNative *chooser;

  guint                 applying : 1;
  guint                 can_back : 1;     /* what update_actions() last enabled */
  guint                 can_cancel : 1;
};

G_DEFINE_FINAL_TYPE (ZeWindow, ze_window, ADW_TYPE_APPLICATION_WINDOW)

static void open_file_now (ZeWindow *self,
                           GFile    *file);
static void open_text_now (ZeWindow   *self,
                           const char *text);

/* ---- navigation ---- */

/**
 * ze_window_get_visible_page:
 *
 * Returns: (transfer none): the page on screen
 */
ZePage *
ze_window_get_visible_page (ZeWindow *self)
{
  g_return_val_if_fail (ZE_IS_WINDOW (self), NULL);

  return ZE_PAGE (gtk_stack_get_visible_child (self->stack));
}

/* The pages after the Controller page are built when first needed: the window
 * opens sooner (./run bench measures the first frame). */
static ZePage *
ensure_page (ZeWindow   *self,
             const char *name)
{
  GtkWidget *child = gtk_stack_get_child_by_name (self->stack, name);
  ZePage *page;

  if (child != NULL)
    return ZE_PAGE (child);

  if (g_strcmp0 (name, "options") == 0)
    {
      self->options_page = g_object_new (ZE_TYPE_OPTIONS_PAGE, NULL);
      ze_options_page_set_settings (self->options_page, self->settings);
      ze_options_page_set_library (self->options_page, self->library);
      page = ZE_PAGE (self->options_page);
    }
  else if (g_strcmp0 (name, "enrolling") == 0)
    {
      self->enrolling_page = g_object_new (ZE_TYPE_ENROLLING_PAGE, NULL);
      page = ZE_PAGE (self->enrolling_page);
    }
  else if (g_strcmp0 (name, "done") == 0)
    {
      self->done_page = g_object_new (ZE_TYPE_DONE_PAGE, NULL);
      ze_done_page_set_library (self->done_page, self->library);
      page = ZE_PAGE (self->done_page);
    }
  else if (g_strcmp0 (name, "error") == 0)
    {
      self->error_page = g_object_new (ZE_TYPE_ERROR_PAGE, NULL);
      page = ZE_PAGE (self->error_page);
    }
  else
    return NULL;

  ze_page_set_enrollment (page, self->enrollment);
  gtk_stack_add_named (self->stack, GTK_WIDGET (page), name);
  ze_ui_tidy_accessible_names (GTK_WIDGET (page));

  return page;
}

/**
 * ze_window_get_page:
 * @name: "token", "controller", "options", "enrolling", "done" or "error"
 *
 * Returns: (transfer none) (nullable): that page, built if it was not yet
 */
ZePage *
ze_window_get_page (ZeWindow   *self,
                    const char *name)
{
  g_return_val_if_fail (ZE_IS_WINDOW (self), NULL);

  return ensure_page (self, name);
}

static void
update_actions (ZeWindow *self)
{
  ZePage *page = ze_window_get_visible_page (self);
  const char *next_label = ze_page_get_next_label (page);
  gboolean busy = ze_page_get_busy (page);
  gboolean can_back = ze_page_get_can_go_back (page) && page != ZE_PAGE (self->token_page);
  gboolean can_cancel = self->applying || ze_page_get_can_cancel (page);

  self->can_back = !self->applying && !busy && can_back;
  self->can_cancel = can_cancel;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "wizard.next",
                                 !self->applying && !busy && next_label != NULL &&
                                 ze_page_get_complete (page));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "wizard.back", self->can_back);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "wizard.cancel", can_cancel);

  gtk_widget_set_visible (self->back_button, can_back && !busy);
  gtk_widget_set_visible (self->cancel_button, busy || self->applying);
  gtk_widget_set_visible (GTK_WIDGET (self->next_button), next_label != NULL);
  if (next_label != NULL && g_strcmp0 (next_label, gtk_button_get_label (self->next_button)) != 0)
    {
      gtk_button_set_label (self->next_button, next_label);
      ze_ui_tidy_accessible_names (GTK_WIDGET (self->next_button));
    }

  adw_window_title_set_title (self->window_title, ze_page_get_title (page));
}

static void
on_page_changed_cb (ZeWindow   *self,
                    GParamSpec *pspec,
                    ZePage     *page)
{
  update_actions (self);
}

static void
on_visible_page_changed_cb (ZeWindow   *self,
                            GParamSpec *pspec,
                            GtkStack   *stack)
{
  ZePage *page = ze_window_get_visible_page (self);

  g_signal_group_set_target (self->page_signals, page);
  update_actions (self);
  ze_page_shown (page);

  /* Keyboard users land on Next when the page has nothing else to focus. */
  if (gtk_window_get_focus (GTK_WINDOW (self)) == NULL ||
      !gtk_widget_is_ancestor (gtk_window_get_focus (GTK_WINDOW (self)), GTK_WIDGET (page)))
    {
      if (gtk_widget_get_visible (GTK_WIDGET (self->next_button)))
        gtk_widget_grab_focus (GTK_WIDGET (self->next_button));
    }
}

static void
show_page (ZeWindow *self,
           ZePage   *page)
{
  /* Before the window is on screen (a file on the command line), no slide. */
  if (!gtk_widget_get_mapped (GTK_WIDGET (self)))
    {
      gtk_stack_set_transition_type (self->stack, GTK_STACK_TRANSITION_TYPE_NONE);
      gtk_stack_set_visible_child (self->stack, GTK_WIDGET (page));
      gtk_stack_set_transition_type (self->stack, GTK_STACK_TRANSITION_TYPE_SLIDE_LEFT_RIGHT);
    }
  else
    gtk_stack_set_visible_child (self->stack, GTK_WIDGET (page));

  if (ze_window_get_visible_page (self) == page)
    update_actions (self);
}

static void
go_back (ZeWindow *self)
{
  ZePage *page = ze_window_get_visible_page (self);

  if (page == ZE_PAGE (self->controller_page))
    {
      /* Leaving the controller drops the connection; nothing was sent. */
      ze_enrollment_reset (self->enrollment);
      show_page (self, ZE_PAGE (self->token_page));
    }
  else if (page == ZE_PAGE (self->options_page))
    show_page (self, ZE_PAGE (self->controller_page));
}

static void
go_forward (ZeWindow *self)
{
  ZePage *page = ze_window_get_visible_page (self);

  if (page == ZE_PAGE (self->token_page))
    show_page (self, ZE_PAGE (self->controller_page));
  else if (page == ZE_PAGE (self->controller_page))
    show_page (self, ensure_page (self, "options"));
  else if (page == ZE_PAGE (self->options_page))
    {
      /* The enrollment may already have failed (a refused client certificate). */
      if (ze_enrollment_get_state (self->enrollment) == ZE_ENROLLMENT_STATE_ENROLLING)
        show_page (self, ensure_page (self, "enrolling"));
    }
  else if (page == ZE_PAGE (self->done_page))
    gtk_window_close (GTK_WINDOW (self));
  else if (page == ZE_PAGE (self->error_page))
    {
      gboolean retry = ze_error_page_get_retry (self->error_page);

      ze_enrollment_reset (self->enrollment);
      show_page (self, retry ? ZE_PAGE (self->controller_page) : ZE_PAGE (self->token_page));
    }
}

static void
ze_window_apply_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(ZeWindow) self = user_data;
  ZePage *page = ZE_PAGE (object);
  g_autoptr(GError) error = NULL;

  self->applying = FALSE;
  g_clear_object (&self->apply_cancellable);
  update_actions (self);

  /* A page that refuses has already put the error on the field at fault. */
  if (!ze_page_apply_finish (page, result, &error))
    return;

  if (page == ze_window_get_visible_page (self))
    go_forward (self);
}

static void
ze_window_next_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *param)
{
  ZeWindow *self = ZE_WINDOW (widget);
  ZePage *page = ze_window_get_visible_page (self);

  if (self->applying)
    return;

  self->applying = TRUE;
  self->apply_cancellable = g_cancellable_new ();
  update_actions (self);

  ze_page_apply_async (page, self->apply_cancellable, ze_window_apply_cb, g_object_ref (self));
}

static void
ze_window_back_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *param)
{
  go_back (ZE_WINDOW (widget));
}

static void
ze_window_cancel_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *param)
{
  ZeWindow *self = ZE_WINDOW (widget);

  if (self->applying)
    g_cancellable_cancel (self->apply_cancellable);
  else
    ze_page_cancel (ze_window_get_visible_page (self));
}

/* Escape cancels what runs, else goes back a page. */
static gboolean
ze_window_escape_cb (GtkWidget *widget,
                     GVariant  *args,
                     gpointer   user_data)
{
  ZeWindow *self = ZE_WINDOW (widget);

  if (self->can_cancel)
    ze_window_cancel_action (widget, "wizard.cancel", NULL);
  else if (self->can_back)
    go_back (self);
  else
    return FALSE;

  return TRUE;
}

/* ---- the enrollment's outcome ---- */

static void
on_enrollment_state_changed_cb (ZeWindow     *self,
                                GParamSpec   *pspec,
                                ZeEnrollment *enrollment)
{
  ZePage *page = ze_window_get_visible_page (self);

  switch (ze_enrollment_get_state (enrollment))
    {
    case ZE_ENROLLMENT_STATE_FAILED:
      if (page == ZE_PAGE (self->error_page))
        ze_page_shown (page);   /* a new failure on screen already: refresh */
      else
        show_page (self, ensure_page (self, "error"));
      break;

    case ZE_ENROLLMENT_STATE_DONE:
      show_page (self, ensure_page (self, "done"));
      break;

    case ZE_ENROLLMENT_STATE_NONE:
      if (page == ZE_PAGE (self->enrolling_page))
        {
          /* Cancelled in time: the core removed what it had stored. */
          ze_window_show_toast (self, _("Enrollment cancelled. Nothing was sent, and nothing "
                                        "was kept."));
          show_page (self, ZE_PAGE (self->controller_page));
        }
      break;

    case ZE_ENROLLMENT_STATE_CONNECTING:
    case ZE_ENROLLMENT_STATE_TRUST_REQUIRED:
    case ZE_ENROLLMENT_STATE_TRUSTED:
    case ZE_ENROLLMENT_STATE_ENROLLING:
    default:
      break;
    }

  update_actions (self);
}

/* ---- tokens coming in ---- */

typedef struct
{
  GFile *file;
  char  *text;
} Pending;

static void
pending_free (Pending *pending)
{
  g_clear_object (&pending->file);
  g_free (pending->text);
  g_free (pending);
}

static void
on_replace_response_cb (AdwMessageDialog *dialog,
                        const char       *response,
                        ZeWindow         *self)
{
  Pending *pending = g_object_get_data (G_OBJECT (dialog), "ze-pending");

  if (g_strcmp0 (response, "replace") != 0 || pending == NULL)
    return;

  if (ze_enrollment_get_sent (self->enrollment))
    return;   /* it went out while the dialog was open */

  ze_enrollment_reset (self->enrollment);

  if (pending->file != NULL)
    open_file_now (self, pending->file);
  else
    open_text_now (self, pending->text);
}

/* Asks before throwing away an open enrollment; TRUE when it asked. */
static gboolean
ask_before_replacing (ZeWindow   *self,
                      GFile      *file,
                      const char *text)
{
  ZeToken *token = ze_enrollment_get_token (self->enrollment);
  g_autofree char *host = NULL;
  AdwMessageDialog *dialog;
  Pending *pending;

  if (!ze_enrollment_is_open (self->enrollment) || token == NULL)
    return FALSE;

  host = ze_token_dup_host_and_port (token);

  if (ze_enrollment_get_sent (self->enrollment))
    {
      dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self),
                                                           _("Enrollment Almost Done"),
                                                           NULL));
      adw_message_dialog_format_body (dialog,
                                      _("The request was sent to %s and its answer is on the "
                                        "way. Open the other token once this enrollment has "
                                        "finished."), host);
      adw_message_dialog_add_response (dialog, "close", _("_OK"));
      ze_ui_present_dialog (dialog);
      return TRUE;
    }

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self),
                                                       _("Replace the Current Enrollment?"),
                                                       NULL));
  adw_message_dialog_format_body (dialog,
                                  _("The enrollment with %s is not finished. Opening another "
                                    "token stops it; nothing has been sent yet."), host);
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Keep Current"),
                                    "replace", _("_Replace"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "replace", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");

  pending = g_new0 (Pending, 1);
  pending->file = file != NULL ? g_object_ref (file) : NULL;
  pending->text = g_strdup (text);
  g_object_set_data_full (G_OBJECT (dialog), "ze-pending", pending, (GDestroyNotify)pending_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_replace_response_cb), self, 0);

  ze_ui_present_dialog (dialog);
  return TRUE;
}

/* A token that parsed: the Controller page takes over. */
static void
take_token (ZeWindow   *self,
            ZeToken    *token,
            const char *text,
            const char *source_name)
{
  ze_token_page_set_text (self->token_page, text, source_name);
  ze_enrollment_set_token (self->enrollment, token, source_name);

  if (ze_window_get_visible_page (self) == ZE_PAGE (self->controller_page))
    ze_page_shown (ZE_PAGE (self->controller_page));   /* it was waiting for the file */
  else
    show_page (self, ZE_PAGE (self->controller_page));
}

static void
open_text_now (ZeWindow   *self,
               const char *text)
{
  g_autoptr(ZeToken) token = NULL;

  if ((token = ze_token_new_from_string (text, NULL)) != NULL)
    {
      take_token (self, token, text, NULL);
      return;
    }

  ze_enrollment_set_token (self->enrollment, NULL, NULL);
  ze_token_page_set_text (self->token_page, text, NULL);
  show_page (self, ZE_PAGE (self->token_page));
}

static void
ze_window_load_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(ZeWindow) self = user_data;
  GFile *file = G_FILE (object);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(ZeToken) token = NULL;
  g_autofree char *base = g_file_get_basename (file);
  g_autofree char *text = NULL;

  bytes = g_file_load_bytes_finish (file, result, NULL, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (bytes != NULL)
    {
      gsize len = g_bytes_get_size (bytes);
      const char *data = g_bytes_get_data (bytes, NULL);

      if (len <= ZE_TOKEN_MAX_SIZE && g_utf8_validate_len (data, len, NULL))
        text = g_strndup (data, len);

      token = ze_token_new_from_bytes (bytes, &error);
    }

  if (token != NULL && text != NULL)
    {
      take_token (self, token, text, base);
      return;
    }

  /* The Token page says what is wrong, on the field. */
  ze_enrollment_set_token (self->enrollment, NULL, NULL);
  if (text != NULL && bytes != NULL)
    ze_token_page_set_text (self->token_page, text, base);
  else
    {
      g_autofree char *message = NULL;

      message = g_strdup_printf (_("“%s” cannot be used: %s"), base,
                                 error != NULL ? error->message : _("it is not a token."));
      ze_token_page_set_text (self->token_page, "", NULL);
      ze_token_page_show_error (self->token_page, message);
    }
  show_page (self, ZE_PAGE (self->token_page));
}

static void
open_file_now (ZeWindow *self,
               GFile    *file)
{
  /* The Controller page shows "Reading the token…" for the moment it takes. */
  ze_enrollment_set_token (self->enrollment, NULL, NULL);
  show_page (self, ZE_PAGE (self->controller_page));

  g_file_load_bytes_async (file, self->cancellable, ze_window_load_cb, g_object_ref (self));
}

/**
 * ze_window_open_file:
 * @self: a #ZeWindow
 * @file: a token file
 *
 * Reads @file without blocking and, if it holds a token, goes to the
 * Controller page; otherwise the Token page says what is wrong. Asks first
 * if an enrollment is open.
 */
void
ze_window_open_file (ZeWindow *self,
                     GFile    *file)
{
  g_return_if_fail (ZE_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  if (!ask_before_replacing (self, file, NULL))
    open_file_now (self, file);
}

/**
 * ze_window_open_text:
 * @text: a token's text (dropped or pasted)
 *
 * Like ze_window_open_file(), for text.
 */
void
ze_window_open_text (ZeWindow   *self,
                     const char *text)
{
  g_return_if_fail (ZE_IS_WINDOW (self));
  g_return_if_fail (text != NULL);

  if (!ask_before_replacing (self, NULL, text))
    open_text_now (self, text);
}

static gboolean
on_drop_cb (ZeWindow      *self,
            const GValue  *value,
            double         x,
            double         y,
            GtkDropTarget *target)
{
  if (G_VALUE_HOLDS (value, G_TYPE_FILE))
    {
      ze_window_open_file (self, g_value_get_object (value));
      return TRUE;
    }

  if (G_VALUE_HOLDS (value, G_TYPE_STRING) && g_value_get_string (value) != NULL)
    {
      ze_window_open_text (self, g_value_get_string (value));
      return TRUE;
    }

  return FALSE;
}

/* ---- window actions ---- */

static void
on_open_response_cb (ZeWindow             *self,
                     int                   response,
                     GtkFileChooserNative *chooser)
{
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT &&
      (file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser))) != NULL)
    ze_window_open_file (self, file);

  g_clear_object (&self->chooser);
}

static void
ze_window_open_action (GSimpleAction *action,
                       GVariant      *param,
                       gpointer       user_data)
{
  ZeWindow *self = user_data;

  g_clear_object (&self->chooser);
  self->chooser = gtk_file_chooser_native_new (_("Open an Enrollment Token"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_OPEN,
                                               _("_Open"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  ze_ui_add_token_filters (GTK_FILE_CHOOSER (self->chooser));
  g_signal_connect_object (self->chooser, "response",
                           G_CALLBACK (on_open_response_cb), self, G_CONNECT_SWAPPED);
  ze_ui_show_file_chooser (self->chooser);
}

static void
on_new_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    ZeWindow         *self)
{
  if (g_strcmp0 (response, "replace") != 0 || ze_enrollment_get_sent (self->enrollment))
    return;

  ze_enrollment_set_token (self->enrollment, NULL, NULL);
  ze_token_page_set_text (self->token_page, "", NULL);
  show_page (self, ZE_PAGE (self->token_page));
}

static void
ze_window_new_enrollment_action (GSimpleAction *action,
                                 GVariant      *param,
                                 gpointer       user_data)
{
  ZeWindow *self = user_data;
  AdwMessageDialog *dialog;

  if (ze_enrollment_get_sent (self->enrollment))
    {
      ze_window_show_toast (self, _("Wait for this enrollment to finish first."));
      return;
    }

  if (!ze_enrollment_is_open (self->enrollment))
    {
      on_new_response_cb (NULL, "replace", self);
      return;
    }

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self),
                                                       _("Start a New Enrollment?"),
                                                       _("The current enrollment is not "
                                                         "finished. Starting over stops it; "
                                                         "nothing has been sent yet.")));
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Keep Current"),
                                    "replace", _("_Start Over"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "replace", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_new_response_cb), self, 0);
  ze_ui_present_dialog (dialog);
}

static void
ze_window_identities_action (GSimpleAction *action,
                             GVariant      *param,
                             gpointer       user_data)
{
  ZeWindow *self = user_data;
  ZeIdentitiesWindow *window = ze_identities_window_new (GTK_WINDOW (self), self->library);

  gtk_window_present (GTK_WINDOW (window));
}

static void
ze_window_show_toast_action (GSimpleAction *action,
                             GVariant      *param,
                             gpointer       user_data)
{
  ze_window_show_toast (ZE_WINDOW (user_data), g_variant_get_string (param, NULL));
}

static const GActionEntry win_actions[] = {
  { "open", ze_window_open_action },
  { "new-enrollment", ze_window_new_enrollment_action },
  { "identities", ze_window_identities_action },
  { "show-toast", ze_window_show_toast_action, "s" },
};

/**
 * ze_window_show_toast:
 *
 * Shows a short message at the bottom of the window.
 */
void
ze_window_show_toast (ZeWindow   *self,
                      const char *message)
{
  AdwToast *toast;

  g_return_if_fail (ZE_IS_WINDOW (self));
  g_return_if_fail (message != NULL);

  toast = adw_toast_new (message);
  adw_toast_set_timeout (toast, 4);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/* ---- the window itself ---- */

/* Closing while enrolling: before the request is out it cancels (the core
 * removes what it stored); after, the answer is still saved. Either way the
 * application stays until the run has ended. */
static void
on_enrollment_settled_cb (ZeEnrollment *enrollment,
                          GParamSpec   *pspec,
                          GApplication *application)
{
  if (ze_enrollment_get_state (enrollment) == ZE_ENROLLMENT_STATE_ENROLLING)
    return;

  g_signal_handlers_disconnect_by_func (enrollment, on_enrollment_settled_cb, application);
  g_application_release (application);
  g_object_unref (application);
}

static gboolean
ze_window_close_request (GtkWindow *window)
{
  ZeWindow *self = ZE_WINDOW (window);
  GtkApplication *application = gtk_window_get_application (window);
  int width, height;

  if (self->settings != NULL)
    {
      gtk_window_get_default_size (window, &width, &height);
      g_settings_delay (self->settings);
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
      g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
      g_settings_apply (self->settings);
    }

  if (ze_enrollment_get_state (self->enrollment) == ZE_ENROLLMENT_STATE_ENROLLING &&
      application != NULL)
    {
      /* The run keeps the enrollment alive until it ends, which fires the handler. */
      ze_enrollment_cancel (self->enrollment);
      g_application_hold (G_APPLICATION (application));
      g_signal_connect (self->enrollment, "notify::state",
                        G_CALLBACK (on_enrollment_settled_cb), g_object_ref (application));
    }

  return GTK_WINDOW_CLASS (ze_window_parent_class)->close_request (window);
}

static void
ze_window_constructed (GObject *object)
{
  ZeWindow *self = (ZeWindow *)object;

  G_OBJECT_CLASS (ze_window_parent_class)->constructed (object);

  if (self->settings != NULL)
    {
      gtk_window_set_default_size (GTK_WINDOW (self),
                                   g_settings_get_int (self->settings, "window-width"),
                                   g_settings_get_int (self->settings, "window-height"));
      if (g_settings_get_boolean (self->settings, "window-maximized"))
        gtk_window_maximize (GTK_WINDOW (self));
    }
}

static void
ze_window_dispose (GObject *object)
{
  ZeWindow *self = (ZeWindow *)object;

  g_cancellable_cancel (self->cancellable);
  if (self->apply_cancellable != NULL)
    g_cancellable_cancel (self->apply_cancellable);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);

  /* A connection or a paused run ends with the window; an enrollment does not. */
  if (self->enrollment != NULL &&
      ze_enrollment_get_state (self->enrollment) != ZE_ENROLLMENT_STATE_ENROLLING)
    ze_enrollment_reset (self->enrollment);

  if (self->page_signals != NULL)
    g_signal_group_set_target (self->page_signals, NULL);

  gtk_widget_dispose_template (GTK_WIDGET (self), ZE_TYPE_WINDOW);

  G_OBJECT_CLASS (ze_window_parent_class)->dispose (object);
}

static void
ze_window_finalize (GObject *object)
{
  ZeWindow *self = (ZeWindow *)object;

  g_clear_object (&self->enrollment);
  g_clear_object (&self->settings);
  g_clear_object (&self->library);
  g_clear_object (&self->page_signals);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->apply_cancellable);

  G_OBJECT_CLASS (ze_window_parent_class)->finalize (object);
}

static void
ze_window_class_init (ZeWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = ze_window_constructed;
  object_class->dispose = ze_window_dispose;
  object_class->finalize = ze_window_finalize;

  window_class->close_request = ze_window_close_request;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/ze-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ZeWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, ZeWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, ZeWindow, back_button);
  gtk_widget_class_bind_template_child (widget_class, ZeWindow, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, ZeWindow, next_button);
  gtk_widget_class_bind_template_child (widget_class, ZeWindow, menu_button);
  gtk_widget_class_bind_template_child (widget_class, ZeWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, ZeWindow, token_page);
  gtk_widget_class_bind_template_child (widget_class, ZeWindow, controller_page);
  gtk_widget_class_bind_template_callback (widget_class, on_visible_page_changed_cb);

  gtk_widget_class_install_action (widget_class, "wizard.next", NULL, ze_window_next_action);
  gtk_widget_class_install_action (widget_class, "wizard.back", NULL, ze_window_back_action);
  gtk_widget_class_install_action (widget_class, "wizard.cancel", NULL, ze_window_cancel_action);

  gtk_widget_class_add_binding (widget_class, GDK_KEY_Escape, 0, ze_window_escape_cb, NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK,
                                       "wizard.back", NULL);

  g_type_ensure (ZE_TYPE_TOKEN_PAGE);
  g_type_ensure (ZE_TYPE_CONTROLLER_PAGE);
  g_type_ensure (ZE_TYPE_OPTIONS_PAGE);
  g_type_ensure (ZE_TYPE_ENROLLING_PAGE);
  g_type_ensure (ZE_TYPE_DONE_PAGE);
  g_type_ensure (ZE_TYPE_ERROR_PAGE);
}

static void
ze_window_init (ZeWindow *self)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  GtkDropTarget *drop;
  GType drop_types[] = { G_TYPE_FILE, G_TYPE_STRING };
  ZePage *pages[2];

  ze_ui_load_css ();

  gtk_widget_init_template (GTK_WIDGET (self));
  ze_ui_tidy_accessible_names (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->enrollment = ze_enrollment_new ();
  g_signal_connect_object (self->enrollment, "notify::state",
                           G_CALLBACK (on_enrollment_state_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->enrollment, "notify::sent",
                           G_CALLBACK (on_enrollment_state_changed_cb), self, G_CONNECT_SWAPPED);

  /* The schema is the base id in both profiles (data/meson.build). */
  if (source != NULL && (schema = g_settings_schema_source_lookup (source, SETTINGS_SCHEMA, TRUE)))
    self->settings = g_settings_new (SETTINGS_SCHEMA);
  else
    g_warning ("The settings schema %s is not installed; settings are not kept", SETTINGS_SCHEMA);

  pages[0] = ZE_PAGE (self->token_page);
  pages[1] = ZE_PAGE (self->controller_page);
  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    ze_page_set_enrollment (pages[i], self->enrollment);

  ze_controller_page_set_settings (self->controller_page, self->settings);

  self->page_signals = g_signal_group_new (ZE_TYPE_PAGE);
  g_signal_group_connect_object (self->page_signals, "notify::complete",
                                 G_CALLBACK (on_page_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->page_signals, "notify::busy",
                                 G_CALLBACK (on_page_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->page_signals, "notify::title",
                                 G_CALLBACK (on_page_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->page_signals, "notify::next-label",
                                 G_CALLBACK (on_page_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->page_signals, "notify::can-go-back",
                                 G_CALLBACK (on_page_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->page_signals, "notify::can-cancel",
                                 G_CALLBACK (on_page_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_group_set_target (self->page_signals, ze_window_get_visible_page (self));

  g_action_map_add_action_entries (G_ACTION_MAP (self), win_actions,
                                   G_N_ELEMENTS (win_actions), self);

  drop = gtk_drop_target_new (G_TYPE_INVALID, GDK_ACTION_COPY);
  gtk_drop_target_set_gtypes (drop, drop_types, G_N_ELEMENTS (drop_types));
  g_signal_connect_object (drop, "drop", G_CALLBACK (on_drop_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));

  update_actions (self);
  ze_page_shown (ze_window_get_visible_page (self));

#if DEVELOPMENT_BUILD
  gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
#endif
}

ZeWindow *
ze_window_new (GtkApplication *application)
{
  return g_object_new (ZE_TYPE_WINDOW, "application", application, NULL);
}

/**
 * ze_window_get_enrollment:
 *
 * Returns: (transfer none): the enrollment the pages share
 */
ZeEnrollment *
ze_window_get_enrollment (ZeWindow *self)
{
  g_return_val_if_fail (ZE_IS_WINDOW (self), NULL);

  return self->enrollment;
}

/**
 * ze_window_set_library:
 * @library: (nullable): where identities are kept; %NULL for the default
 */
void
ze_window_set_library (ZeWindow          *self,
                       ZeIdentityLibrary *library)
{
  g_return_if_fail (ZE_IS_WINDOW (self));
  g_return_if_fail (!library || ZE_IS_IDENTITY_LIBRARY (library));

  g_set_object (&self->library, library);
  if (self->options_page != NULL)
    ze_options_page_set_library (self->options_page, library);
  if (self->done_page != NULL)
    ze_done_page_set_library (self->done_page, library);
}
