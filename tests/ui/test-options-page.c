/* test-options-page.c: name, key place, key type, password, certificate
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include "ze-test-app.h"

typedef struct
{
  GtkApplication *app;
  ZeWindow       *window;
  ZePage         *page;
  ZeEnrollment   *enrollment;
  char           *dir;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  fixture->app = ze_test_app_new ();
  fixture->window = ze_test_window_new (fixture->app);
  fixture->page = ze_window_get_page (fixture->window, "options");
  fixture->enrollment = ze_window_get_enrollment (fixture->window);
  fixture->dir = g_dir_make_tmp ("ze-test-XXXXXX", NULL);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.zitienroll.ZitiEnroll");
  g_autoptr(GDir) dir = g_dir_open (fixture->dir, 0, NULL);
  const char *name;

  ze_test_destroy_window (fixture->window);
  g_clear_object (&fixture->app);

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (fixture->dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (fixture->dir);
  g_free (fixture->dir);

  g_settings_reset (settings, "last-store");
  g_settings_reset (settings, "last-key-type");
}

static gpointer
child (Fixture    *fixture,
       const char *name)
{
  return ze_test_child (fixture->page, ZE_TYPE_OPTIONS_PAGE, name);
}

/* Opens a token file called @file_name with method @em and goes to the Options page. */
static void
reach_options (Fixture    *fixture,
               const char *em,
               const char *file_name)
{
  g_autofree char *text = ze_test_token_text (em, "ctrl.example.com:8441", 3 * 60 * 60);
  g_autofree char *path = g_build_filename (fixture->dir, file_name, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(ZeCertificate) leaf = ze_test_load_certificate ("server.pem");
  g_autoptr(GPtrArray) cas = ze_test_load_ca_bundle ();
  GtkCheckButton *check;

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  ze_window_open_file (fixture->window, file);
  ZE_TEST_WAIT_FOR (ze_enrollment_get_token (fixture->enrollment) != NULL);
  _ze_enrollment_set_trust_required (fixture->enrollment, leaf, cas);

  check = ze_test_child (ze_window_get_page (fixture->window, "controller"),
                         ZE_TYPE_CONTROLLER_PAGE, "trust_check");
  gtk_check_button_set_active (check, TRUE);
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "wizard.next", NULL);
  ze_test_wait_page (fixture->window, "options");
}

/* The defaults are right: the file's name, the keyring, EC P-256. */
static void
test_defaults (Fixture       *fixture,
               gconstpointer  data)
{
  reach_options (fixture, "ott", "alice-laptop.jwt");

  g_assert_cmpstr (gtk_editable_get_text (child (fixture, "name_row")), ==, "alice-laptop");
  g_assert_cmpuint (adw_combo_row_get_selected (child (fixture, "store_row")), ==,
                    ZE_KEY_PLACE_KEYRING);
  g_assert_cmpuint (adw_combo_row_get_selected (child (fixture, "key_type_row")), ==, 0);
  g_assert_false (adw_expander_row_get_expanded (child (fixture, "advanced_row")));
  g_assert_false (gtk_widget_get_visible (child (fixture, "password_box")));
  g_assert_false (gtk_widget_get_visible (child (fixture, "certificate_box")));
  g_assert_false (gtk_widget_get_visible (child (fixture, "file_row")));
  g_assert_true (ze_test_next_enabled (fixture->window));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (ze_test_next_button (fixture->window))), ==,
                   "_Enroll");

  /* The run waits at the trust decision until the page is left. */
  g_assert_cmpint (ze_enrollment_get_state (fixture->enrollment), ==,
                   ZE_ENROLLMENT_STATE_TRUST_REQUIRED);

  adw_expander_row_set_expanded (child (fixture, "advanced_row"), TRUE);
  ze_test_run_for (500);
  ze_test_save_screenshots (GTK_WIDGET (fixture->window), "options");
}

/* Without a usable file name, the token's subject names the identity. */
static void
test_default_name_from_subject (Fixture       *fixture,
                                gconstpointer  data)
{
  reach_options (fixture, "ott", ".jwt");

  g_assert_cmpstr (gtk_editable_get_text (child (fixture, "name_row")), ==, ZE_TEST_SUBJECT);
}

/* A name the store cannot use keeps Next off and says why. */
static void
test_invalid_name (Fixture       *fixture,
                   gconstpointer  data)
{
  GtkWidget *name_row;

  reach_options (fixture, "ott", "laptop.jwt");
  name_row = child (fixture, "name_row");

  gtk_editable_set_text (GTK_EDITABLE (name_row), "../etc/passwd");
  g_assert_false (ze_test_next_enabled (fixture->window));
  g_assert_true (gtk_widget_get_visible (child (fixture, "name_error_label")));
  g_assert_true (gtk_widget_has_css_class (name_row, "error"));
  gtk_test_accessible_assert_state (GTK_ACCESSIBLE (name_row), GTK_ACCESSIBLE_STATE_INVALID,
                                    GTK_ACCESSIBLE_INVALID_TRUE);

  gtk_editable_set_text (GTK_EDITABLE (name_row), "");
  g_assert_false (ze_test_next_enabled (fixture->window));

  gtk_editable_set_text (GTK_EDITABLE (name_row), "work laptop");
  g_assert_true (ze_test_next_enabled (fixture->window));
  g_assert_false (gtk_widget_get_visible (child (fixture, "name_error_label")));
}

/* updb: two passwords that match, with a hint on the strength. */
static void
test_password (Fixture       *fixture,
               gconstpointer  data)
{
  GtkEditable *password;
  GtkEditable *confirm;
  GtkLabel *hint;

  reach_options (fixture, "updb", "bob.jwt");
  password = child (fixture, "password_row");
  confirm = child (fixture, "confirm_row");
  hint = child (fixture, "password_label");

  g_assert_true (gtk_widget_get_visible (child (fixture, "password_box")));
  g_assert_false (gtk_widget_get_visible (child (fixture, "advanced_row")));
  g_assert_false (ze_test_next_enabled (fixture->window));

  gtk_editable_set_text (password, "abc");
  g_assert_nonnull (strstr (gtk_label_get_text (hint), "Weak"));
  g_assert_false (ze_test_next_enabled (fixture->window));

  gtk_editable_set_text (password, "correct horse battery staple");
  g_assert_nonnull (strstr (gtk_label_get_text (hint), "Strong"));
  gtk_editable_set_text (confirm, "correct horse battery stapel");
  g_assert_false (ze_test_next_enabled (fixture->window));
  g_assert_cmpstr (gtk_label_get_text (hint), ==, "The passwords do not match.");
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (confirm), "error"));
  gtk_test_accessible_assert_state (GTK_ACCESSIBLE (confirm), GTK_ACCESSIBLE_STATE_INVALID,
                                    GTK_ACCESSIBLE_INVALID_TRUE);
  ze_test_save_screenshots (GTK_WIDGET (fixture->window), "options-password");

  gtk_editable_set_text (confirm, "correct horse battery staple");
  g_assert_true (ze_test_next_enabled (fixture->window));
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (confirm), "error"));
}

/* ottca and ca: Next waits for a certificate and its key. */
static void
test_certificate_needed (Fixture       *fixture,
                         gconstpointer  data)
{
  reach_options (fixture, "ottca", "carol.jwt");

  g_assert_true (gtk_widget_get_visible (child (fixture, "certificate_box")));
  g_assert_false (gtk_widget_get_visible (child (fixture, "advanced_row")));
  g_assert_false (ze_test_next_enabled (fixture->window));
  g_assert_cmpstr (adw_action_row_get_subtitle (child (fixture, "certificate_row")), ==,
                   "Not chosen yet");

  ze_test_save_screenshots (GTK_WIDGET (fixture->window), "options-certificate");
}

static GFile *
pki_file (const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "pki", name, NULL);

  return g_file_new_for_path (path);
}

/* A certificate and the key that belongs to it; the core says when they do not. */
static void
test_certificate_and_key (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GFile) certificate = pki_file ("server.pem");
  g_autoptr(GFile) key = pki_file ("server-key.pem");
  g_autoptr(GFile) other_key = pki_file ("other-server-key.pem");
  g_autoptr(GFile) not_pem = pki_file ("cacerts.p7b64");
  GtkLabel *error_label;

  reach_options (fixture, "ca", "frank.jwt");
  error_label = child (fixture, "certificate_error_label");

  /* Not a certificate. */
  ze_options_page_set_certificate_file (ZE_OPTIONS_PAGE (fixture->page), not_pem);
  ZE_TEST_WAIT_FOR (gtk_widget_get_visible (GTK_WIDGET (error_label)));
  g_assert_false (ze_test_next_enabled (fixture->window));

  ze_options_page_set_certificate_file (ZE_OPTIONS_PAGE (fixture->page), certificate);
  ZE_TEST_WAIT_FOR (!gtk_widget_get_visible (GTK_WIDGET (error_label)));
  g_assert_cmpstr (adw_action_row_get_subtitle (child (fixture, "certificate_row")), ==,
                   "server.pem");
  g_assert_false (ze_test_next_enabled (fixture->window));

  /* A key of another certificate. */
  ze_options_page_set_key_file (ZE_OPTIONS_PAGE (fixture->page), other_key);
  ZE_TEST_WAIT_FOR (gtk_widget_get_visible (GTK_WIDGET (error_label)));
  g_test_message ("%s", gtk_label_get_text (error_label));
  g_assert_nonnull (strstr (gtk_label_get_text (error_label), "does not belong"));
  g_assert_false (ze_test_next_enabled (fixture->window));

  ze_options_page_set_key_file (ZE_OPTIONS_PAGE (fixture->page), key);
  ZE_TEST_WAIT_FOR (ze_test_next_enabled (fixture->window));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (error_label)));
  g_assert_cmpstr (adw_action_row_get_subtitle (child (fixture, "key_row")), ==, "server-key.pem");
}

/* An identity file: Next waits for its place, chosen in a save dialog. */
static void
test_file_store (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autofree char *path = NULL;

  reach_options (fixture, "ott", "dave.jwt");
  path = g_build_filename (fixture->dir, "dave.json", NULL);

  adw_combo_row_set_selected (child (fixture, "store_row"), ZE_KEY_PLACE_FILE);
  g_assert_true (gtk_widget_get_visible (child (fixture, "file_row")));
  g_assert_false (ze_test_next_enabled (fixture->window));

  ze_options_page_set_file (ZE_OPTIONS_PAGE (fixture->page), path);
  g_assert_true (ze_test_next_enabled (fixture->window));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (child (fixture, "file_row")),
                            "dave.json"));

  /* Back to the keyring: no file needed. */
  adw_combo_row_set_selected (child (fixture, "store_row"), ZE_KEY_PLACE_KEYRING);
  g_assert_false (gtk_widget_get_visible (child (fixture, "file_row")));
  g_assert_true (ze_test_next_enabled (fixture->window));
}

/* A hardware token: Next waits for the module, the token's label and the PIN. */
static void
test_hardware_token (Fixture       *fixture,
                     gconstpointer  data)
{
  GtkEditable *module;

  reach_options (fixture, "ott", "gina.jwt");
  module = child (fixture, "module_row");

  adw_combo_row_set_selected (child (fixture, "store_row"), ZE_KEY_PLACE_PKCS11);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (module)));
  g_assert_true (gtk_widget_get_visible (child (fixture, "pin_row")));
  g_assert_false (ze_test_next_enabled (fixture->window));

  gtk_editable_set_text (module, "/usr/lib/softhsm/libsofthsm2.so");
  gtk_editable_set_text (child (fixture, "token_label_row"), "ziti");
  g_assert_false (ze_test_next_enabled (fixture->window));
  gtk_editable_set_text (child (fixture, "pin_row"), "1234");
  g_assert_true (ze_test_next_enabled (fixture->window));

  ze_test_save_screenshots (GTK_WIDGET (fixture->window), "options-hardware-token");

  /* A module that is not there: said on the field, and the page stays. */
  gtk_editable_set_text (module, "/nonexistent/module.so");
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "wizard.next", NULL);
  ZE_TEST_WAIT_FOR (gtk_widget_get_visible (child (fixture, "store_error_label")));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (module), "error"));
  g_assert_true (ze_test_page_is (fixture->window, "options"));
}

/* Hardware tokens make their own key: not offered for updb, ottca and ca. */
static void
test_hardware_token_only_for_ott (Fixture       *fixture,
                                  gconstpointer  data)
{
  GListModel *places;

  reach_options (fixture, "updb", "henry.jwt");
  places = adw_combo_row_get_model (child (fixture, "store_row"));
  g_assert_cmpuint (g_list_model_get_n_items (places), ==, 2);
}

/* Leaving the page hands the options over and confirms trust. */
static void
test_apply_enrolls (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.zitienroll.ZitiEnroll");
  g_autofree char *path = NULL;
  g_autofree char *last_key_type = NULL;
  ZeIdentityStore *store;

  reach_options (fixture, "ott", "erin.jwt");
  path = g_build_filename (fixture->dir, "erin.json", NULL);

  adw_combo_row_set_selected (child (fixture, "key_type_row"), 1);
  adw_combo_row_set_selected (child (fixture, "store_row"), ZE_KEY_PLACE_FILE);
  ze_options_page_set_file (ZE_OPTIONS_PAGE (fixture->page), path);

  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "wizard.next", NULL);
  ZE_TEST_WAIT_FOR (!ze_test_page_is (fixture->window, "options"));

  g_assert_cmpstr (ze_enrollment_get_name (fixture->enrollment), ==, "erin");
  store = ze_enrollment_get_store (fixture->enrollment);
  g_assert_true (ZE_IS_FILE_STORE (store));
  g_assert_cmpstr (ze_file_store_get_path (ZE_FILE_STORE (store)), ==, path);
  last_key_type = g_settings_get_string (settings, "last-key-type");
  g_assert_cmpstr (last_key_type, ==, "ec-p384");
  {
    g_autofree char *last_store = g_settings_get_string (settings, "last-store");

    g_assert_cmpstr (last_store, ==, "file");
  }

  /* The fake controller of these tests was dropped, so the real run starts
   * over and cannot reach ctrl.example.com: it stays connecting, or fails. */
  g_assert_true (ze_test_page_is (fixture->window, "enrolling") ||
                 ze_test_page_is (fixture->window, "error"));
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  ze_test_setup ();

#define ADD(path, func) \
  g_test_add ("/ui/options-page/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("defaults", test_defaults);
  ADD ("default-name-from-subject", test_default_name_from_subject);
  ADD ("invalid-name", test_invalid_name);
  ADD ("password", test_password);
  ADD ("certificate-needed", test_certificate_needed);
  ADD ("certificate-and-key", test_certificate_and_key);
  ADD ("file-store", test_file_store);
  ADD ("hardware-token", test_hardware_token);
  ADD ("hardware-token-only-for-ott", test_hardware_token_only_for_ott);
  ADD ("apply-enrolls", test_apply_enrolls);

#undef ADD

  return g_test_run ();
}
