/* ze-controller-page.c: the token's facts, the controller's certificate, trust
 *
 * Shows what the token says (controller, identity, method, expiry; an expired
 * token stops here), connects, and shows the certificate the controller
 * presented: the code to read aloud, the SHA-256 fingerprint, the details.
 * Next stays off until the person ticks that they compared the code, unless
 * the organisation pinned this certificate (design.md §3.5, §3.6).
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <glib/gi18n.h>

#include "ze-controller-page.h"
#include "ze-fact-row.h"
#include "ze-ui-util.h"

struct _ZeControllerPage
{
  ZePage          parent_instance;

  /* Template widgets */
  GtkWidget      *scroller;
  ZeFactRow      *controller_row;
  ZeFactRow      *identity_row;
  ZeFactRow      *method_row;
  ZeFactRow      *expiry_row;
  GtkWidget      *blocked_box;
  GtkLabel       *blocked_label;
  GtkWidget      *certificate_group;
  GtkStack       *certificate_stack;
  GtkWidget      *connecting_box;
  GtkSpinner     *spinner;
  GtkLabel       *connecting_label;
  GtkLabel       *short_label;
  GtkLabel       *sha256_label;
  AdwActionRow   *trust_row;
  GtkCheckButton *trust_check;
  AdwActionRow   *pinned_row;
  AdwExpanderRow *details_row;
  ZeFactRow      *subject_row;
  ZeFactRow      *issuer_row;
  ZeFactRow      *valid_from_row;
  ZeFactRow      *valid_until_row;
  ZeFactRow      *hosts_row;
  ZeFactRow      *cas_row;

  /* Owned references */
  GSettings      *settings;
  ZeCertificate  *shown_leaf;
};

G_DEFINE_FINAL_TYPE (ZeControllerPage, ze_controller_page, ZE_TYPE_PAGE)

static char *
format_date (gint64 when)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (when);

  return dt != NULL ? g_date_time_format (dt, "%x") : g_strdup ("?");
}

/* The 32 pairs on four lines of 8, to compare a line at a time; the block fits a
 * phone's width, where two lines of 16 would not. */
static char *
format_fingerprint (const char *pairs)
{
  GString *text = g_string_new (pairs);

  if (text->len == 95)
    for (gsize at = 72; at > 0; at -= 24)
      g_string_insert_c (text, at, '\n');

  return g_string_free (text, FALSE);
}

/* "E248 622E 799A 42ED" breaks, if it must, only in the middle. */
static char *
format_short_code (const char *short_form)
{
  g_auto(GStrv) groups = g_strsplit (short_form, " ", -1);

  if (g_strv_length (groups) != 4)
    return g_strdup (short_form);

  return g_strdup_printf ("%s\u00A0%s %s\u00A0%s", groups[0], groups[1], groups[2], groups[3]);
}

static void
show_token_facts (ZeControllerPage *self,
                  ZeToken          *token)
{
  g_autofree char *host = ze_token_dup_host_and_port (token);
  const char *subject = ze_token_get_subject (token);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  GtkWidget *expiry_value = GTK_WIDGET (ze_fact_row_get_value_label (self->expiry_row));

  ze_fact_row_set_value (self->controller_row, host);
  ze_fact_row_set_value (self->identity_row, subject != NULL ? subject : _("Not named"));
  ze_fact_row_set_value (self->method_row, ze_enroll_method_describe (ze_token_get_method (token)));

  if (!ze_token_has_expiry (token))
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->expiry_row), _("Token expires"));
      ze_fact_row_set_value (self->expiry_row, _("Never"));
      gtk_widget_remove_css_class (expiry_value, "error");
      gtk_widget_set_tooltip_text (expiry_value, NULL);
    }
  else
    {
      gint64 expiry = ze_token_get_expiry (token);
      g_autofree char *relative = ze_format_relative_time (expiry, now);
      g_autofree char *date = ze_format_utc_date (expiry);
      gboolean expired = ze_token_is_expired (token, now);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->expiry_row),
                                     expired ? _("Token expired") : _("Token expires"));
      ze_fact_row_set_value (self->expiry_row, relative);
      gtk_widget_set_tooltip_text (expiry_value, date);
      if (expired)
        gtk_widget_add_css_class (expiry_value, "error");
      else
        gtk_widget_remove_css_class (expiry_value, "error");
    }
}

static void
show_certificate (ZeControllerPage *self,
                  ZeCertificate    *leaf,
                  GPtrArray        *cas)
{
  g_autofree char *short_form = NULL;
  g_autofree char *shown_code = NULL;
  g_autofree char *pairs = NULL;
  g_autofree char *fingerprint = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *issuer = NULL;
  g_autofree char *valid_from = NULL;
  g_autofree char *valid_until = NULL;
  g_autofree char *hosts = NULL;
  g_auto(GStrv) names = NULL;
  g_autoptr(GString) ca_names = g_string_new (NULL);
  g_autofree char *description = NULL;

  if (self->shown_leaf == leaf)
    return;

  g_set_object (&self->shown_leaf, leaf);
  if (leaf == NULL)
    return;

  short_form = ze_certificate_dup_fingerprint_short (leaf);
  pairs = ze_certificate_dup_fingerprint_sha256 (leaf);
  fingerprint = format_fingerprint (pairs);
  subject = ze_certificate_dup_subject (leaf);
  issuer = ze_certificate_dup_issuer (leaf);
  valid_from = format_date (ze_certificate_get_not_before (leaf));
  valid_until = ze_ui_format_expiry (ze_certificate_get_not_after (leaf),
                                     g_get_real_time () / G_USEC_PER_SEC);
  names = ze_certificate_dup_host_names (leaf);
  hosts = names != NULL && names[0] != NULL ? g_strjoinv (", ", names) : g_strdup (_("None"));

  for (guint i = 0; cas != NULL && i < cas->len; i++)
    {
      g_autofree char *name = ze_certificate_dup_subject (g_ptr_array_index (cas, i));

      if (ca_names->len > 0)
        g_string_append_c (ca_names, '\n');
      g_string_append (ca_names, name);
    }

  shown_code = format_short_code (short_form);
  gtk_label_set_text (self->short_label, shown_code);
  gtk_label_set_text (self->sha256_label, fingerprint);
  ze_fact_row_set_value (self->subject_row, subject);
  ze_fact_row_set_value (self->issuer_row, issuer);
  ze_fact_row_set_value (self->valid_from_row, valid_from);
  ze_fact_row_set_value (self->valid_until_row, valid_until);
  ze_fact_row_set_value (self->hosts_row, hosts);
  ze_fact_row_set_value (self->cas_row, ca_names->len > 0 ? ca_names->str : _("None"));

  /* What a screen reader says about the code: the groups one by one. The
   * fingerprint's name is its one-line form, as the command line and the
   * administrator's console print it, whatever the lines on screen. */
  description = g_strdup_printf (_("Code to compare: %s. SHA-256 fingerprint: %s"),
                                 short_form, pairs);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->short_label),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, description,
                                  -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->sha256_label),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, pairs,
                                  -1);
}

static void
update (ZeControllerPage *self)
{
  ZeEnrollment *enrollment = ze_page_get_enrollment (ZE_PAGE (self));
  ZeToken *token = enrollment != NULL ? ze_enrollment_get_token (enrollment) : NULL;
  g_autoptr(GError) expired = NULL;
  ZeEnrollmentState state;
  gboolean waiting;

  if (token == NULL)
    {
      /* A file is being read: the facts come in a moment. */
      gtk_widget_set_visible (self->blocked_box, FALSE);
      gtk_widget_set_visible (self->certificate_group, TRUE);
      gtk_stack_set_visible_child_name (self->certificate_stack, "connecting");
      gtk_label_set_text (self->connecting_label, _("Reading the token…"));
      gtk_spinner_start (self->spinner);
      ze_page_set_complete (ZE_PAGE (self), FALSE);
      return;
    }

  show_token_facts (self, token);

  if (!ze_token_check_expiry (token, g_get_real_time () / G_USEC_PER_SEC, &expired))
    {
      /* An expired token blocks: there is nothing to connect to. */
      gtk_label_set_text (self->blocked_label, expired->message);
      gtk_widget_set_visible (self->blocked_box, TRUE);
      gtk_widget_set_visible (self->certificate_group, FALSE);
      gtk_spinner_stop (self->spinner);
      ze_page_set_complete (ZE_PAGE (self), FALSE);
      return;
    }

  gtk_widget_set_visible (self->blocked_box, FALSE);
  gtk_widget_set_visible (self->certificate_group, TRUE);

  state = ze_enrollment_get_state (enrollment);
  waiting = state == ZE_ENROLLMENT_STATE_NONE || state == ZE_ENROLLMENT_STATE_CONNECTING;

  gtk_accessible_update_state (GTK_ACCESSIBLE (self->certificate_group),
                               GTK_ACCESSIBLE_STATE_BUSY, waiting,
                               -1);

  if (waiting)
    {
      g_autofree char *host = ze_token_dup_host_and_port (token);
      g_autofree char *text = g_strdup_printf (_("Connecting to %s…"), host);

      show_certificate (self, NULL, NULL);
      gtk_check_button_set_active (self->trust_check, FALSE);
      gtk_label_set_text (self->connecting_label, text);
      gtk_spinner_start (self->spinner);
      gtk_stack_set_visible_child_name (self->certificate_stack, "connecting");
      adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self->certificate_group), NULL);
      ze_page_set_complete (ZE_PAGE (self), FALSE);
      return;
    }

  gtk_spinner_stop (self->spinner);

  if (ze_enrollment_get_leaf (enrollment) == NULL)
    return;   /* failed: the window shows what happened */

  show_certificate (self, ze_enrollment_get_leaf (enrollment),
                    ze_enrollment_get_ca_bundle (enrollment));
  gtk_stack_set_visible_child_name (self->certificate_stack, "certificate");

  if (state == ZE_ENROLLMENT_STATE_TRUSTED)
    {
      g_autofree char *host = ze_token_dup_host_and_port (token);
      g_autofree char *subtitle = g_strdup_printf (_("This is the certificate your organization "
                                                     "approved for %s."), host);

      adw_action_row_set_subtitle (self->pinned_row, subtitle);
      adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self->certificate_group),
                                             _("Your organization has approved this certificate, "
                                               "so there is nothing to compare."));
      gtk_widget_set_visible (GTK_WIDGET (self->pinned_row), TRUE);
      gtk_widget_set_visible (GTK_WIDGET (self->trust_row), FALSE);
      ze_page_set_complete (ZE_PAGE (self), TRUE);
    }
  else
    {
      gtk_widget_set_visible (GTK_WIDGET (self->pinned_row), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->trust_row), TRUE);
      adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self->certificate_group),
                                             _("Compare the code with the one your administrator "
                                               "gave you. If they differ, stop here: someone may "
                                               "be intercepting the connection."));
      ze_page_set_complete (ZE_PAGE (self),
                            gtk_check_button_get_active (self->trust_check) &&
                            state == ZE_ENROLLMENT_STATE_TRUST_REQUIRED);
    }
}

static void
on_trust_check_toggled_cb (ZeControllerPage *self,
                           GParamSpec       *pspec,
                           GtkCheckButton   *check)
{
  update (self);
}

static void
on_enrollment_state_changed_cb (ZeControllerPage *self,
                                GParamSpec       *pspec,
                                ZeEnrollment     *enrollment)
{
  ZeEnrollmentState state = ze_enrollment_get_state (enrollment);

  update (self);

  /* The certificate just arrived: take the person (and a screen reader) to the question. */
  if (state == ZE_ENROLLMENT_STATE_TRUST_REQUIRED && gtk_widget_get_mapped (GTK_WIDGET (self)))
    gtk_widget_grab_focus (GTK_WIDGET (self->trust_check));
}

static void
on_enrollment_token_changed_cb (ZeControllerPage *self,
                                GParamSpec       *pspec,
                                ZeEnrollment     *enrollment)
{
  gtk_check_button_set_active (self->trust_check, FALSE);
  adw_expander_row_set_expanded (self->details_row, FALSE);
  update (self);
}

static void
on_enrollment_changed_cb (ZeControllerPage *self,
                          GParamSpec       *pspec,
                          gpointer          user_data)
{
  ZeEnrollment *enrollment = ze_page_get_enrollment (ZE_PAGE (self));

  if (enrollment == NULL)
    return;

  g_signal_connect_object (enrollment, "notify::state",
                           G_CALLBACK (on_enrollment_state_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (enrollment, "notify::token",
                           G_CALLBACK (on_enrollment_token_changed_cb), self, G_CONNECT_SWAPPED);
  update (self);
}

static char *
lookup_pin (ZeControllerPage *self,
            ZeToken          *token)
{
  g_autoptr(GVariant) pins = NULL;
  g_autofree char *host = NULL;
  const char *pin = NULL;

  if (self->settings == NULL)
    return NULL;

  host = ze_token_dup_host_and_port (token);
  pins = g_settings_get_value (self->settings, "trusted-controllers");
  if (!g_variant_lookup (pins, host, "&s", &pin))
    return NULL;

  return g_strdup (pin);
}

static void
ze_controller_page_shown (ZePage *page)
{
  ZeControllerPage *self = ZE_CONTROLLER_PAGE (page);
  ZeEnrollment *enrollment = ze_page_get_enrollment (page);
  ZeToken *token = ze_enrollment_get_token (enrollment);

  if (token != NULL &&
      ze_enrollment_get_state (enrollment) == ZE_ENROLLMENT_STATE_NONE &&
      !ze_token_is_expired (token, g_get_real_time () / G_USEC_PER_SEC))
    {
      g_autofree char *pin = lookup_pin (self, token);

      ze_enrollment_set_pin (enrollment, pin);
      ze_enrollment_connect (enrollment);
    }

  update (self);

  if (gtk_widget_get_visible (GTK_WIDGET (self->trust_row)) &&
      gtk_stack_get_visible_child (self->certificate_stack) != self->connecting_box)
    gtk_widget_grab_focus (GTK_WIDGET (self->trust_check));
}

static void
ze_controller_page_copy_fingerprint_action (GtkWidget  *widget,
                                            const char *action_name,
                                            GVariant   *param)
{
  ZeControllerPage *self = ZE_CONTROLLER_PAGE (widget);
  g_autofree char *fingerprint = NULL;

  if (self->shown_leaf == NULL)
    return;

  fingerprint = ze_certificate_dup_fingerprint_sha256 (self->shown_leaf);
  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), fingerprint);
  gtk_widget_activate_action (widget, "win.show-toast", "s", _("Fingerprint copied"));
}

/**
 * ze_controller_page_set_settings:
 * @settings: (nullable): the app's settings, for the organisation's pins
 */
void
ze_controller_page_set_settings (ZeControllerPage *self,
                                 GSettings        *settings)
{
  g_return_if_fail (ZE_IS_CONTROLLER_PAGE (self));
  g_return_if_fail (!settings || G_IS_SETTINGS (settings));

  g_set_object (&self->settings, settings);
}

static void
ze_controller_page_dispose (GObject *object)
{
  ZeControllerPage *self = (ZeControllerPage *)object;

  gtk_widget_dispose_template (GTK_WIDGET (self), ZE_TYPE_CONTROLLER_PAGE);
  g_clear_object (&self->settings);
  g_clear_object (&self->shown_leaf);

  G_OBJECT_CLASS (ze_controller_page_parent_class)->dispose (object);
}

static void
ze_controller_page_class_init (ZeControllerPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  ZePageClass *page_class = ZE_PAGE_CLASS (klass);

  object_class->dispose = ze_controller_page_dispose;

  page_class->shown = ze_controller_page_shown;

  g_type_ensure (ZE_TYPE_FACT_ROW);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/ui/ze-controller-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ZeControllerPage, scroller);
  gtk_widget_class_bind_template_child (widget_class, ZeControllerPage, controller_row);
  gtk_widget_class_bind_template_child (widget_class, ZeControllerPage, identity_row);
  gtk_widget_class_bind_template_child (widget_class, ZeControllerPage, method_row);
  gtk_widget_class_bind_template_child (widget_class, ZeControllerPage, expiry_row);
  gtk_widget_class_bind_template_child (widget_class, ZeControllerPage, blocked_box);
  gtk_widget_class_bind_template_child (widget_class, ZeControllerPage, blocked_label);
  gtk_widget_class_bind_template_child (widget_class, ZeControllerPage, certificate_group);
  gtk_widget_class_bind_template_child (widget_class, ZeControllerPage, certificate_stack);
  gtk_widget_class_bind_template_child (widget_class, ZeControllerPage, connecting_box);
  gtk_widget_class_bind_template_child (widget_class, ZeControllerPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, ZeControllerPage, connecting_label);
  gtk_widget_class_bind_template_child (widget_class, ZeControllerPage, short_label);
  gtk_widget_class_bind_template_child (widget_class, ZeControllerPage, sha256_label);
  gtk_widget_class_bind_template_child (widget_class, ZeControllerPage, trust_row);
  gtk_widget_class_bind_template_child (widget_class, ZeControllerPage, trust_check);
  gtk_widget_class_bind_template_child (widget_class, ZeControllerPage, pinned_row);
  gtk_widget_class_bind_template_child (widget_class, ZeControllerPage, details_row);
  gtk_widget_class_bind_template_child (widget_class, ZeControllerPage, subject_row);
  gtk_widget_class_bind_template_child (widget_class, ZeControllerPage, issuer_row);
  gtk_widget_class_bind_template_child (widget_class, ZeControllerPage, valid_from_row);
  gtk_widget_class_bind_template_child (widget_class, ZeControllerPage, valid_until_row);
  gtk_widget_class_bind_template_child (widget_class, ZeControllerPage, hosts_row);
  gtk_widget_class_bind_template_child (widget_class, ZeControllerPage, cas_row);
  gtk_widget_class_bind_template_callback (widget_class, on_trust_check_toggled_cb);

  gtk_widget_class_install_action (widget_class, "controller.copy-fingerprint", NULL,
                                   ze_controller_page_copy_fingerprint_action);
}

static void
ze_controller_page_init (ZeControllerPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  g_signal_connect (self, "notify::enrollment", G_CALLBACK (on_enrollment_changed_cb), NULL);
}
