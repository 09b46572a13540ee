/* test-controller-page.c: the token's facts, the certificate, the trust decision
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include "ze-fact-row.h"
#include "ze-test-app.h"

typedef struct
{
  GtkApplication *app;
  ZeWindow       *window;
  ZePage         *page;
  ZeEnrollment   *enrollment;
  GSettings      *settings;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  fixture->settings = g_settings_new ("io.github.zitienroll.ZitiEnroll");
  fixture->app = ze_test_app_new ();
  fixture->window = ze_test_window_new (fixture->app);
  fixture->page = ze_window_get_page (fixture->window, "controller");
  fixture->enrollment = ze_window_get_enrollment (fixture->window);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  ze_test_destroy_window (fixture->window);
  g_settings_reset (fixture->settings, "trusted-controllers");
  g_clear_object (&fixture->settings);
  g_clear_object (&fixture->app);
}

static const char *
fact (Fixture    *fixture,
      const char *row)
{
  return ze_fact_row_get_value (ze_test_child (fixture->page, ZE_TYPE_CONTROLLER_PAGE, row));
}

static const char *
label_text (Fixture    *fixture,
            const char *name)
{
  return gtk_label_get_text (ze_test_child (fixture->page, ZE_TYPE_CONTROLLER_PAGE, name));
}

/* The token's facts, then "connecting" with a spinner. */
static void
test_token_facts (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree char *text = ze_test_valid_token ();
  GtkWidget *group = ze_test_child (fixture->page, ZE_TYPE_CONTROLLER_PAGE, "certificate_group");

  ze_window_open_text (fixture->window, text);
  ze_test_wait_page (fixture->window, "controller");

  g_assert_cmpstr (fact (fixture, "controller_row"), ==, "ctrl.example.com:8441");
  g_assert_cmpstr (fact (fixture, "identity_row"), ==, ZE_TEST_SUBJECT);
  g_assert_cmpstr (fact (fixture, "method_row"), ==, "One-time token");
  g_assert_true (g_str_has_prefix (fact (fixture, "expiry_row"), "in "));
  g_assert_true (g_str_has_suffix (fact (fixture, "expiry_row"), " hours"));

  g_assert_cmpint (ze_enrollment_get_state (fixture->enrollment), ==,
                   ZE_ENROLLMENT_STATE_CONNECTING);
  g_assert_true (gtk_widget_get_visible (group));
  g_assert_cmpstr (label_text (fixture, "connecting_label"), ==,
                   "Connecting to ctrl.example.com:8441…");
  g_assert_true (gtk_spinner_get_spinning (ze_test_child (fixture->page, ZE_TYPE_CONTROLLER_PAGE,
                                                          "spinner")));
  gtk_test_accessible_assert_state (GTK_ACCESSIBLE (group), GTK_ACCESSIBLE_STATE_BUSY, TRUE);
  g_assert_false (ze_test_next_enabled (fixture->window));

  ze_test_save_screenshots (GTK_WIDGET (fixture->window), "controller-connecting");
}

/* An expired token blocks: no connection, no Next, the reason on screen. */
static void
test_expired_token_blocks (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "tv1-rs256-production.jwt",
                                                 NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  GtkWidget *blocked = ze_test_child (fixture->page, ZE_TYPE_CONTROLLER_PAGE, "blocked_box");
  ZeFactRow *expiry = ze_test_child (fixture->page, ZE_TYPE_CONTROLLER_PAGE, "expiry_row");

  ze_window_open_file (fixture->window, file);
  ZE_TEST_WAIT_FOR (ze_enrollment_get_token (fixture->enrollment) != NULL);
  ze_test_wait_page (fixture->window, "controller");

  g_assert_true (gtk_widget_get_visible (blocked));
  g_assert_nonnull (strstr (label_text (fixture, "blocked_label"), "expired"));
  g_assert_false (gtk_widget_get_visible (ze_test_child (fixture->page, ZE_TYPE_CONTROLLER_PAGE,
                                                         "certificate_group")));
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (expiry)), ==,
                   "Token expired");
  g_assert_true (g_str_has_suffix (ze_fact_row_get_value (expiry), "ago"));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (ze_fact_row_get_value_label (expiry)),
                                           "error"));
  g_assert_cmpint (ze_enrollment_get_state (fixture->enrollment), ==, ZE_ENROLLMENT_STATE_NONE);
  g_assert_false (ze_test_next_enabled (fixture->window));

  ze_test_save_screenshots (GTK_WIDGET (fixture->window), "controller-expired");
}

/* The certificate: both fingerprint forms, the details, and an explicit yes. */
static void
test_trust_required (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree char *text = ze_test_valid_token ();
  g_autoptr(ZeCertificate) leaf = ze_test_load_certificate ("server.pem");
  g_autofree char *short_form = ze_certificate_dup_fingerprint_short (leaf);
  g_autofree char *pairs = ze_certificate_dup_fingerprint_sha256 (leaf);
  g_autofree char *shown = NULL;
  g_autofree char *normalized = NULL;
  g_auto(GStrv) lines = NULL;
  GtkCheckButton *check = ze_test_child (fixture->page, ZE_TYPE_CONTROLLER_PAGE, "trust_check");
  GtkLabel *sha256_label = ze_test_child (fixture->page, ZE_TYPE_CONTROLLER_PAGE, "sha256_label");

  ze_test_reach_trust (fixture->window, text);
  g_assert_cmpint (ze_enrollment_get_state (fixture->enrollment), ==,
                   ZE_ENROLLMENT_STATE_TRUST_REQUIRED);

  /* The read-aloud code, and the 32 pairs (on four lines) of the same certificate. */
  /* No-break spaces hold the groups in pairs: a narrow window breaks it 2 + 2. */
  g_assert_cmpstr (label_text (fixture, "short_label"), ==, "E248\u00A0622E 799A\u00A042ED");
  g_assert_cmpstr (short_form, ==, "E248 622E 799A 42ED");
  shown = g_strdup (gtk_label_get_text (sha256_label));
  lines = g_strsplit (shown, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 4);
  for (guint i = 0; i < 4; i++)
    g_assert_cmpuint (strlen (lines[i]), ==, i < 3 ? 24 : 23);
  g_assert_true (ze_fingerprint_normalize (shown, &normalized));
  g_assert_cmpstr (normalized, ==, ZE_TEST_SERVER_SHA256);
  g_assert_true (g_str_has_prefix (shown, "E2:48:62:2E"));
  /* Its accessible name is the one-line form that the command line prints. */
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (sha256_label),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, pairs);
  g_assert_true (gtk_label_get_selectable (sha256_label));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (sha256_label), "monospace"));

  g_assert_cmpstr (fact (fixture, "subject_row"), ==, "CN=ctrl.example.com,O=Ziti Enroll Tests");
  g_assert_nonnull (strstr (fact (fixture, "issuer_row"), "Intermediate CA"));
  g_assert_nonnull (strstr (fact (fixture, "hosts_row"), "ctrl.example.com"));

  /* Next waits for the check. */
  g_assert_false (ze_test_next_enabled (fixture->window));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (check)));
  ze_test_save_screenshots (GTK_WIDGET (fixture->window), "controller");

  gtk_check_button_set_active (check, TRUE);
  g_assert_true (ze_test_next_enabled (fixture->window));
  ze_test_save_screenshots (GTK_WIDGET (fixture->window), "controller-confirmed");
  gtk_check_button_set_active (check, FALSE);
  g_assert_false (ze_test_next_enabled (fixture->window));

  /* Copy Fingerprint puts the pairs on one line on the clipboard. */
  gtk_widget_activate_action (GTK_WIDGET (fixture->page), "controller.copy-fingerprint", NULL);
  {
    GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (fixture->page));
    GdkContentProvider *content = gdk_clipboard_get_content (clipboard);
    g_auto(GValue) value = G_VALUE_INIT;

    g_value_init (&value, G_TYPE_STRING);
    g_assert_true (gdk_content_provider_get_value (content, &value, NULL));
    g_assert_cmpstr (g_value_get_string (&value), ==, pairs);
  }
}

/* The certificate details, expanded, for the help desk. */
static void
test_details (Fixture       *fixture,
              gconstpointer  data)
{
  g_autofree char *text = ze_test_valid_token ();
  g_autoptr(GPtrArray) cas = ze_test_load_ca_bundle ();
  AdwExpanderRow *details = ze_test_child (fixture->page, ZE_TYPE_CONTROLLER_PAGE, "details_row");
  GtkScrolledWindow *scroller = ze_test_child (fixture->page, ZE_TYPE_CONTROLLER_PAGE, "scroller");
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (scroller);

  ze_test_reach_trust (fixture->window, text);
  g_assert_nonnull (strstr (fact (fixture, "cas_row"), "Root CA"));

  adw_expander_row_set_expanded (details, TRUE);
  ze_test_wait_frames (GTK_WIDGET (fixture->window), 5);
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
  ze_test_save_screenshots (GTK_WIDGET (fixture->window), "controller-details");
}

static int
line_count (ZeFactRow *row)
{
  return pango_layout_get_line_count (gtk_label_get_layout (ze_fact_row_get_value_label (row)));
}

/* A short value stays on one line when there is room, and a long one wraps in a
 * narrow window instead of widening it. */
static void
test_fact_values_fit (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autofree char *text = ze_test_valid_token ();
  AdwExpanderRow *details = ze_test_child (fixture->page, ZE_TYPE_CONTROLLER_PAGE, "details_row");
  const char *short_rows[] = { "controller_row", "method_row", "expiry_row", "valid_from_row" };
  ZeFactRow *subject = ze_test_child (fixture->page, ZE_TYPE_CONTROLLER_PAGE, "subject_row");
  int minimum;

  ze_test_reach_trust (fixture->window, text);
  adw_expander_row_set_expanded (details, TRUE);
  ze_test_wait_frames (GTK_WIDGET (fixture->window), 5);

  for (guint i = 0; i < G_N_ELEMENTS (short_rows); i++)
    {
      ZeFactRow *row = ze_test_child (fixture->page, ZE_TYPE_CONTROLLER_PAGE, short_rows[i]);

      g_test_message ("%s: %s", short_rows[i], ze_fact_row_get_value (row));
      g_assert_cmpint (line_count (row), ==, 1);
    }
  g_assert_cmpint (line_count (subject), ==, 1);

  /* GNOME's title bar: Close only (Xvfb's GTK default adds Minimize and Maximize). */
  g_object_set (gtk_settings_get_default (), "gtk-decoration-layout", "appmenu:close", NULL);
  ze_test_wait_frames (GTK_WIDGET (fixture->window), 2);
  gtk_widget_measure (GTK_WIDGET (fixture->window), GTK_ORIENTATION_HORIZONTAL, -1,
                      &minimum, NULL, NULL, NULL);
  g_assert_cmpint (minimum, <=, 360);

  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 360, 720);
  ze_test_wait_frames (GTK_WIDGET (fixture->window), 5);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (fixture->window)), <=, 360);
  g_assert_cmpint (line_count (subject), >, 1);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (ze_fact_row_get_value_label (subject))), <,
                   gtk_widget_get_width (GTK_WIDGET (subject)));
  ze_test_save_screenshots (GTK_WIDGET (fixture->window), "controller-narrow");
}

/* A pin of the organisation that matches: no question asked. */
static void
test_pin_matches (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree char *text = ze_test_valid_token ();
  GVariantBuilder builder;
  GtkWidget *pinned = ze_test_child (fixture->page, ZE_TYPE_CONTROLLER_PAGE, "pinned_row");
  GtkWidget *trust = ze_test_child (fixture->page, ZE_TYPE_CONTROLLER_PAGE, "trust_row");

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{ss}"));
  g_variant_builder_add (&builder, "{ss}", "ctrl.example.com:8441",
                         "E2:48:62:2E:79:9A:42:ED:9D:09:7F:7A:85:97:85:21:3C:EA:0D:FC:C3:33:BF:0E:"
                         "D7:49:12:82:51:7F:3B:7F");
  g_settings_set_value (fixture->settings, "trusted-controllers", g_variant_builder_end (&builder));

  ze_test_reach_trust (fixture->window, text);
  g_assert_cmpstr (ze_enrollment_get_pin (fixture->enrollment), ==, ZE_TEST_SERVER_SHA256);
  g_assert_cmpint (ze_enrollment_get_state (fixture->enrollment), ==, ZE_ENROLLMENT_STATE_TRUSTED);
  g_assert_true (gtk_widget_get_visible (pinned));
  g_assert_false (gtk_widget_get_visible (trust));
  g_assert_true (ze_test_next_enabled (fixture->window));

  ze_test_save_screenshots (GTK_WIDGET (fixture->window), "controller-pinned");
}

/* A pin that does not match blocks, with no way around it. */
static void
test_pin_mismatch_blocks (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autofree char *text = ze_test_valid_token ();
  GVariantBuilder builder;
  ZePage *error_page;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{ss}"));
  g_variant_builder_add (&builder, "{ss}", "ctrl.example.com:8441",
                         "0c4d9862d475698a19734eca67c7a6aae5bd60a32ab5f90fcb0122a9ca58324e");
  g_settings_set_value (fixture->settings, "trusted-controllers", g_variant_builder_end (&builder));

  ze_window_open_text (fixture->window, text);
  {
    g_autoptr(ZeCertificate) leaf = ze_test_load_certificate ("server.pem");

    _ze_enrollment_set_trust_required (fixture->enrollment, leaf, NULL);
  }

  ze_test_wait_page (fixture->window, "error");
  g_assert_true (g_error_matches (ze_enrollment_get_error (fixture->enrollment),
                                  ZE_ERROR, ZE_ERROR_PIN_MISMATCH));
  error_page = ze_window_get_page (fixture->window, "error");
  g_assert_cmpstr (adw_status_page_get_title (ze_test_child (error_page, ZE_TYPE_ERROR_PAGE,
                                                             "status_page")),
                   ==, "Enrollment Blocked by Your Organization");
  /* No retry: only starting over with another token. */
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (ze_test_next_button (fixture->window))), ==,
                   "_Start Over");
  g_assert_false (ze_error_page_get_retry (ZE_ERROR_PAGE (error_page)));
}

/* The trust question has a name for screen readers, and takes the focus. */
static void
test_trust_accessible (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autofree char *text = ze_test_valid_token ();
  GtkWidget *check = ze_test_child (fixture->page, ZE_TYPE_CONTROLLER_PAGE, "trust_check");

  ze_test_reach_trust (fixture->window, text);
  /* Named by the row's title, which says it on screen. */
  g_assert_true (gtk_test_accessible_has_relation (GTK_ACCESSIBLE (check),
                                                   GTK_ACCESSIBLE_RELATION_LABELLED_BY));
  g_assert_false (gtk_test_accessible_has_property (GTK_ACCESSIBLE (check),
                                                    GTK_ACCESSIBLE_PROPERTY_LABEL));
  g_assert_cmpstr (adw_preferences_row_get_title (ze_test_child (fixture->page,
                                                                 ZE_TYPE_CONTROLLER_PAGE,
                                                                 "trust_row")),
                   ==, "I _compared the code with the one my administrator gave me");
  g_assert_true (gtk_widget_has_focus (check));
  gtk_test_accessible_assert_state (GTK_ACCESSIBLE (ze_test_child (fixture->page,
                                                                   ZE_TYPE_CONTROLLER_PAGE,
                                                                   "certificate_group")),
                                    GTK_ACCESSIBLE_STATE_BUSY, FALSE);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  ze_test_setup ();

#define ADD(path, func) \
  g_test_add ("/ui/controller-page/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("token-facts", test_token_facts);
  ADD ("expired-token-blocks", test_expired_token_blocks);
  ADD ("trust-required", test_trust_required);
  ADD ("details", test_details);
  ADD ("fact-values-fit", test_fact_values_fit);
  ADD ("pin-matches", test_pin_matches);
  ADD ("pin-mismatch-blocks", test_pin_mismatch_blocks);
  ADD ("trust-accessible", test_trust_accessible);

#undef ADD

  return g_test_run ();
}
