/* test-window.c: the wizard's window and its navigation, under Xvfb
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include "ze-test-app.h"

static void
test_window_opens (void)
{
  g_autoptr(GtkApplication) app = ze_test_app_new ();
  ZeWindow *window = ze_test_window_new (app);

  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, "Ziti Enroll");
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), >, 300);

  /* The Token page, with nothing to go back to and nothing to go on with. */
  g_assert_true (ze_test_page_is (window, "token"));
  g_assert_false (ze_test_next_enabled (window));
  g_assert_false (gtk_widget_get_visible (ze_test_child (window, ZE_TYPE_WINDOW, "back_button")));
  g_assert_cmpstr (adw_window_title_get_title (ze_test_child (window, ZE_TYPE_WINDOW,
                                                              "window_title")),
                   ==, "Enrollment Token");

  ze_test_save_screenshots (GTK_WIDGET (window), "token");
  ze_test_destroy_window (window);
}

/* `ziti-enroll token.jwt` and a double-click land on the Controller page. */
static void
test_window_open_file_skips_token_page (void)
{
  g_autoptr(GtkApplication) app = ze_test_app_new ();
  g_autofree char *dir = g_dir_make_tmp ("ze-test-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "alice-laptop.jwt", NULL);
  g_autofree char *text = ze_test_valid_token ();
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(ZeCertificate) leaf = ze_test_load_certificate ("server.pem");
  ZeEnrollment *enrollment;
  ZeWindow *window;

  g_assert_true (g_file_set_contents (path, text, -1, NULL));

  window = ze_test_window_new (app);
  enrollment = ze_window_get_enrollment (window);
  ze_window_open_file (window, file);

  /* At once on the Controller page, reading; then the token's facts. */
  g_assert_true (ze_test_page_is (window, "controller"));
  ZE_TEST_WAIT_FOR (ze_enrollment_get_token (enrollment) != NULL);
  g_assert_cmpstr (ze_enrollment_get_source_name (enrollment), ==, "alice-laptop.jwt");
  g_assert_cmpstr (ze_token_get_subject (ze_enrollment_get_token (enrollment)), ==,
                   ZE_TEST_SUBJECT);
  g_assert_true (ze_test_page_is (window, "controller"));

  /* The token page behind it holds the same token: Back, then Next, works. */
  _ze_enrollment_set_trust_required (enrollment, leaf, NULL);
  gtk_widget_activate_action (GTK_WIDGET (window), "wizard.back", NULL);
  ze_test_wait_page (window, "token");
  g_assert_cmpint (ze_enrollment_get_state (enrollment), ==, ZE_ENROLLMENT_STATE_NONE);
  g_assert_true (ze_test_next_enabled (window));

  ze_test_destroy_window (window);
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_window_open_bad_file (void)
{
  g_autoptr(GtkApplication) app = ze_test_app_new ();
  g_autofree char *dir = g_dir_make_tmp ("ze-test-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "notes.jwt", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  ZeWindow *window;
  ZePage *token_page;
  GtkWidget *error_label;

  g_assert_true (g_file_set_contents (path, "not a token at all", -1, NULL));

  window = ze_test_window_new (app);
  ze_window_open_file (window, file);
  ze_test_wait_page (window, "token");

  token_page = ze_window_get_page (window, "token");
  error_label = ze_test_child (token_page, ZE_TYPE_TOKEN_PAGE, "error_label");
  g_assert_true (gtk_widget_get_visible (error_label));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (error_label)), !=, "");
  g_assert_false (ze_test_next_enabled (window));

  ze_test_destroy_window (window);
  g_unlink (path);
  g_rmdir (dir);
}

/* Next applies and moves on, Back returns; the trust decision waits. */
static void
test_window_navigation (void)
{
  g_autoptr(GtkApplication) app = ze_test_app_new ();
  g_autofree char *text = ze_test_valid_token ();
  ZeWindow *window = ze_test_window_new (app);
  ZeEnrollment *enrollment = ze_window_get_enrollment (window);
  ZePage *controller = ze_window_get_page (window, "controller");
  GtkCheckButton *check = ze_test_child (controller, ZE_TYPE_CONTROLLER_PAGE, "trust_check");
  g_autoptr(ZeCertificate) leaf = ze_test_load_certificate ("server.pem");

  /* Token → Controller. */
  ze_token_page_set_text (ZE_TOKEN_PAGE (ze_window_get_page (window, "token")), text, NULL);
  g_assert_true (ze_test_next_enabled (window));
  gtk_widget_activate_action (GTK_WIDGET (window), "wizard.next", NULL);
  ze_test_wait_page (window, "controller");
  g_assert_nonnull (ze_enrollment_get_token (enrollment));
  g_assert_cmpint (ze_enrollment_get_state (enrollment), ==, ZE_ENROLLMENT_STATE_CONNECTING);
  g_assert_true (gtk_widget_get_visible (ze_test_child (window, ZE_TYPE_WINDOW, "back_button")));
  g_assert_false (ze_test_next_enabled (window));

  /* The certificate arrives: Next waits for the person's word. */
  _ze_enrollment_set_trust_required (enrollment, leaf, NULL);
  g_assert_false (ze_test_next_enabled (window));
  gtk_check_button_set_active (check, TRUE);
  g_assert_true (ze_test_next_enabled (window));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (ze_test_next_button (window))), ==,
                   "_Trust and Continue");

  /* Controller → Options; trust is not decided yet. */
  gtk_widget_activate_action (GTK_WIDGET (window), "wizard.next", NULL);
  ze_test_wait_page (window, "options");
  g_assert_cmpint (ze_enrollment_get_state (enrollment), ==, ZE_ENROLLMENT_STATE_TRUST_REQUIRED);
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (ze_test_next_button (window))), ==, "_Enroll");

  /* Back keeps the answer and the certificate. */
  gtk_widget_activate_action (GTK_WIDGET (window), "wizard.back", NULL);
  ze_test_wait_page (window, "controller");
  g_assert_true (gtk_check_button_get_active (check));
  g_assert_true (ze_test_next_enabled (window));

  /* Back again drops the connection. */
  gtk_widget_activate_action (GTK_WIDGET (window), "wizard.back", NULL);
  ze_test_wait_page (window, "token");
  g_assert_cmpint (ze_enrollment_get_state (enrollment), ==, ZE_ENROLLMENT_STATE_NONE);
  g_assert_null (ze_enrollment_get_leaf (enrollment));

  ze_test_destroy_window (window);
}

static void
on_dialog_response (AdwMessageDialog *dialog,
                    const char       *response,
                    gpointer          user_data)
{
  *(char **)user_data = g_strdup (response);
}

/* A second token while one is open asks first. */
static void
test_window_second_token_asks (void)
{
  g_autoptr(GtkApplication) app = ze_test_app_new ();
  g_autofree char *first = ze_test_valid_token ();
  g_autofree char *second = ze_test_token_text ("ott", "other.example.com:443", 3600);
  g_autofree char *response = NULL;
  ZeWindow *window = ze_test_window_new (app);
  ZeEnrollment *enrollment = ze_window_get_enrollment (window);
  GtkWindow *dialog;

  ze_test_reach_trust (window, first);
  g_assert_true (ze_enrollment_is_open (enrollment));

  /* Keep the current one. */
  ze_window_open_text (window, second);
  ZE_TEST_WAIT_FOR ((dialog = ze_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG, NULL)) != NULL);
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), ==,
                   "Replace the Current Enrollment?");
  ze_test_save_screenshots (GTK_WIDGET (dialog), "replace-dialog");
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  gtk_window_destroy (dialog);
  ZE_TEST_WAIT_FOR (ze_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG, NULL) == NULL);
  g_assert_cmpstr (ze_token_get_host (ze_enrollment_get_token (enrollment)), ==,
                   "ctrl.example.com");
  g_assert_cmpint (ze_enrollment_get_state (enrollment), ==, ZE_ENROLLMENT_STATE_TRUST_REQUIRED);

  /* Replace it. */
  ze_window_open_text (window, second);
  ZE_TEST_WAIT_FOR ((dialog = ze_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG, NULL)) != NULL);
  g_signal_connect (dialog, "response", G_CALLBACK (on_dialog_response), &response);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "replace");
  gtk_window_destroy (dialog);
  ZE_TEST_WAIT_FOR (response != NULL);
  g_assert_cmpstr (response, ==, "replace");
  g_assert_cmpstr (ze_token_get_host (ze_enrollment_get_token (enrollment)), ==,
                   "other.example.com");
  g_assert_true (ze_test_page_is (window, "controller"));

  ze_test_destroy_window (window);
}

/* Text dropped on the window (or opened) that is not a token goes to the Token page. */
static void
test_window_open_text_invalid (void)
{
  g_autoptr(GtkApplication) app = ze_test_app_new ();
  ZeWindow *window = ze_test_window_new (app);
  ZePage *token_page = ze_window_get_page (window, "token");

  ze_window_open_text (window, "hello.world");
  ze_test_wait_page (window, "token");
  g_assert_true (gtk_widget_get_visible (ze_test_child (token_page, ZE_TYPE_TOKEN_PAGE,
                                                        "error_label")));
  g_assert_false (ze_test_next_enabled (window));

  ze_test_destroy_window (window);
}

/* The window's size is kept in GSettings. */
static void
test_window_size_saved (void)
{
  g_autoptr(GtkApplication) app = ze_test_app_new ();
  g_autoptr(GSettings) settings = g_settings_new ("io.github.zitienroll.ZitiEnroll");
  ZeWindow *window = ze_test_window_new (app);

  gtk_window_set_default_size (GTK_WINDOW (window), 700, 650);
  ze_test_wait_frames (GTK_WIDGET (window), 2);
  gtk_window_close (GTK_WINDOW (window));
  ze_test_run_for (50);

  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 700);
  g_assert_cmpint (g_settings_get_int (settings, "window-height"), ==, 650);

  window = ze_window_new (app);
  {
    int width, height;

    gtk_window_get_default_size (GTK_WINDOW (window), &width, &height);
    g_assert_cmpint (width, ==, 700);
    g_assert_cmpint (height, ==, 650);
  }
  gtk_window_destroy (GTK_WINDOW (window));

  g_settings_reset (settings, "window-width");
  g_settings_reset (settings, "window-height");
}

/* Every page, with its header bar, fits a 360-pixel-wide window (a phone, a tiled
 * window), with GNOME's title bar buttons. */
static void
test_window_fits_narrow (void)
{
  g_autoptr(GtkApplication) app = ze_test_app_new ();
  ZeWindow *window = ze_test_window_new (app);
  GtkStack *stack = ze_test_child (window, ZE_TYPE_WINDOW, "stack");
  const char *pages[] = { "token", "controller", "options", "enrolling", "done", "error" };

  g_object_set (gtk_settings_get_default (), "gtk-decoration-layout", "appmenu:close", NULL);

  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      int minimum;

      gtk_stack_set_transition_type (stack, GTK_STACK_TRANSITION_TYPE_NONE);
      g_assert_nonnull (ze_window_get_page (window, pages[i]));   /* built when first needed */
      gtk_stack_set_visible_child_name (stack, pages[i]);
      ze_test_wait_frames (GTK_WIDGET (window), 2);
      gtk_widget_measure (GTK_WIDGET (window), GTK_ORIENTATION_HORIZONTAL, -1,
                          &minimum, NULL, NULL, NULL);
      g_test_message ("%s: at least %d pixels wide", pages[i], minimum);
      g_assert_cmpint (minimum, <=, 360);
    }

  ze_test_destroy_window (window);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  ze_test_setup ();

  g_test_add_func ("/ui/window/opens", test_window_opens);
  g_test_add_func ("/ui/window/open-file-skips-token-page", test_window_open_file_skips_token_page);
  g_test_add_func ("/ui/window/open-bad-file", test_window_open_bad_file);
  g_test_add_func ("/ui/window/navigation", test_window_navigation);
  g_test_add_func ("/ui/window/second-token-asks", test_window_second_token_asks);
  g_test_add_func ("/ui/window/open-text-invalid", test_window_open_text_invalid);
  g_test_add_func ("/ui/window/size-saved", test_window_size_saved);
  g_test_add_func ("/ui/window/fits-narrow", test_window_fits_narrow);

  return g_test_run ();
}
