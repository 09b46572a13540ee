/* test-result-pages.c: the Enrolling, Done and Error pages
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
  ZeEnrollment   *enrollment;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autofree char *text = ze_test_valid_token ();

  fixture->app = ze_test_app_new ();
  fixture->window = ze_test_window_new (fixture->app);
  fixture->enrollment = ze_window_get_enrollment (fixture->window);
  ze_test_reach_trust (fixture->window, text);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  ze_test_destroy_window (fixture->window);
  g_clear_object (&fixture->app);
}

static char *
clipboard_text (GtkWidget *widget)
{
  GdkContentProvider *content = gdk_clipboard_get_content (gtk_widget_get_clipboard (widget));
  g_auto(GValue) value = G_VALUE_INIT;

  g_assert_nonnull (content);
  g_value_init (&value, G_TYPE_STRING);
  g_assert_true (gdk_content_provider_get_value (content, &value, NULL));

  return g_value_dup_string (&value);
}

/* The steps, live; Cancel until the request is sent, then a word on waiting. */
static void
test_enrolling (Fixture       *fixture,
                gconstpointer  data)
{
  ZePage *page = ze_window_get_page (fixture->window, "enrolling");
  GtkLabel *status = ze_test_child (page, ZE_TYPE_ENROLLING_PAGE, "status_label");
  GtkWidget *cancel = ze_test_child (fixture->window, ZE_TYPE_WINDOW, "cancel_button");
  GtkWidget *list = ze_test_child (page, ZE_TYPE_ENROLLING_PAGE, "steps_list");
  GtkWidget *row;

  _ze_enrollment_set_step_state (fixture->enrollment, ZE_ENROLL_STEP_TRUST, ZE_STEP_STATE_DONE,
                                 FALSE);
  _ze_enrollment_set_step_state (fixture->enrollment, ZE_ENROLL_STEP_GENERATE_KEY,
                                 ZE_STEP_STATE_RUNNING, FALSE);
  g_assert_cmpint (ze_enrollment_get_state (fixture->enrollment), ==,
                   ZE_ENROLLMENT_STATE_ENROLLING);

  /* The Options page moves on to this page when the enrollment starts. */
  gtk_stack_set_visible_child (ze_test_child (fixture->window, ZE_TYPE_WINDOW, "stack"),
                               GTK_WIDGET (page));
  ze_test_wait_page (fixture->window, "enrolling");
  _ze_enrollment_set_step_state (fixture->enrollment, ZE_ENROLL_STEP_GENERATE_KEY,
                                 ZE_STEP_STATE_DONE, FALSE);
  _ze_enrollment_set_step_state (fixture->enrollment, ZE_ENROLL_STEP_STORE_KEY,
                                 ZE_STEP_STATE_RUNNING, FALSE);

  g_assert_true (ze_page_get_busy (page));
  g_assert_true (gtk_widget_get_visible (cancel));
  g_assert_true (gtk_widget_get_sensitive (cancel));
  g_assert_false (gtk_widget_get_visible (ze_test_next_button (fixture->window)));
  g_assert_false (gtk_widget_get_visible (ze_test_child (fixture->window, ZE_TYPE_WINDOW,
                                                         "back_button")));
  g_assert_cmpstr (gtk_label_get_text (status), ==, "Storing your private key…");
  gtk_test_accessible_assert_state (GTK_ACCESSIBLE (page), GTK_ACCESSIBLE_STATE_BUSY, TRUE);

  /* One row per step, each with its state in words. */
  row = gtk_widget_get_first_child (list);
  g_assert_nonnull (row);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                       "Done");

  ze_test_save_screenshots (GTK_WIDGET (fixture->window), "enrolling");

  /* Sent: no cancelling now, and the page says why it waits. */
  _ze_enrollment_set_step_state (fixture->enrollment, ZE_ENROLL_STEP_STORE_KEY, ZE_STEP_STATE_DONE,
                                 FALSE);
  _ze_enrollment_set_step_state (fixture->enrollment, ZE_ENROLL_STEP_CREATE_REQUEST,
                                 ZE_STEP_STATE_DONE, FALSE);
  _ze_enrollment_set_step_state (fixture->enrollment, ZE_ENROLL_STEP_SEND, ZE_STEP_STATE_RUNNING,
                                 TRUE);
  g_assert_false (gtk_widget_get_sensitive (cancel));
  g_assert_false (ze_page_get_can_cancel (page));
  g_assert_nonnull (strstr (gtk_label_get_text (status), "Waiting for the controller’s answer"));

  ze_test_save_screenshots (GTK_WIDGET (fixture->window), "enrolling-sent");
}

static void
test_done (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(ZeIdentity) identity = ze_test_identity_new ("alice-laptop", "keyring", NULL);
  ZePage *page;

  _ze_enrollment_set_done (fixture->enrollment, identity);
  ze_test_wait_page (fixture->window, "done");
  page = ze_window_get_page (fixture->window, "done");

  g_assert_cmpstr (ze_fact_row_get_value (ze_test_child (page, ZE_TYPE_DONE_PAGE, "name_row")), ==,
                   "alice-laptop");
  g_assert_cmpstr (ze_fact_row_get_value (ze_test_child (page, ZE_TYPE_DONE_PAGE,
                                                         "controller_row")), ==,
                   "ctrl.example.com:8441");
  g_assert_cmpstr (ze_fact_row_get_value (ze_test_child (page, ZE_TYPE_DONE_PAGE,
                                                         "fingerprint_row")), ==,
                   "E248 622E 799A 42ED");
  g_assert_cmpstr (ze_fact_row_get_value (ze_test_child (page, ZE_TYPE_DONE_PAGE, "key_row")), ==,
                   "Your keyring");
  g_assert_true (g_str_has_prefix (ze_fact_row_get_value (ze_test_child (page, ZE_TYPE_DONE_PAGE,
                                                                         "expiry_row")), "in "));
  g_assert_true (gtk_widget_get_visible (ze_test_child (page, ZE_TYPE_DONE_PAGE, "export_button")));
  g_assert_true (ze_test_next_enabled (fixture->window));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (ze_test_next_button (fixture->window))), ==,
                   "_Close");
  g_assert_false (gtk_widget_get_visible (ze_test_child (fixture->window, ZE_TYPE_WINDOW,
                                                         "back_button")));

  ze_test_save_screenshots (GTK_WIDGET (fixture->window), "done");
}

/* A file identity is already the standard file: no Export. */
static void
test_done_file (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *path = g_build_filename (g_get_home_dir (), "identities", "bob.json", NULL);
  g_autoptr(ZeIdentity) identity = ze_test_identity_new ("bob", "file", path);
  ZePage *page;

  _ze_enrollment_set_done (fixture->enrollment, identity);
  ze_test_wait_page (fixture->window, "done");
  page = ze_window_get_page (fixture->window, "done");

  g_assert_false (gtk_widget_get_visible (ze_test_child (page, ZE_TYPE_DONE_PAGE,
                                                         "export_button")));
  g_assert_cmpstr (ze_fact_row_get_value (ze_test_child (page, ZE_TYPE_DONE_PAGE, "key_row")), ==,
                   "~/identities/bob.json");
}

/* A network failure before anything was sent: safe to try again. */
static void
test_error_retry (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GError) error = g_error_new_literal (ZE_ERROR, ZE_ERROR_NETWORK,
                                                 "Could not connect to ctrl.example.com:8441: the "
                                                 "connection was refused. Check that this computer "
                                                 "is online, then try again.");
  g_autofree char *details = NULL;
  g_autofree char *token_text = g_strdup (gtk_editable_get_text (
    ze_test_child (ze_window_get_page (fixture->window, "token"), ZE_TYPE_TOKEN_PAGE,
                   "token_row")));
  ZePage *page;

  _ze_enrollment_set_failed (fixture->enrollment, error, FALSE);
  ze_test_wait_page (fixture->window, "error");
  page = ze_window_get_page (fixture->window, "error");

  g_assert_cmpstr (adw_status_page_get_title (ze_test_child (page, ZE_TYPE_ERROR_PAGE,
                                                             "status_page")),
                   ==, "Could Not Reach the Controller");
  g_assert_cmpstr (gtk_label_get_text (ze_test_child (page, ZE_TYPE_ERROR_PAGE, "message_label")),
                   ==,
                   error->message);
  g_assert_true (ze_error_page_get_retry (ZE_ERROR_PAGE (page)));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (ze_test_next_button (fixture->window))), ==,
                   "_Try Again");

  ze_test_save_screenshots (GTK_WIDGET (fixture->window), "error");

  /* Copy Details: what the help desk needs, never the token itself. */
  gtk_widget_activate_action (GTK_WIDGET (page), "error.copy-details", NULL);
  details = clipboard_text (GTK_WIDGET (page));
  g_test_message ("%s", details);
  g_assert_nonnull (strstr (details, "Error: network"));
  g_assert_nonnull (strstr (details, error->message));
  g_assert_nonnull (strstr (details, "Controller: ctrl.example.com:8441"));
  g_assert_nonnull (strstr (details, "Token id: " ZE_TEST_TOKEN_ID));
  g_assert_cmpstr (token_text, !=, "");
  g_assert_null (strstr (details, token_text));
  {
    /* Not even its signature or claims part. */
    g_auto(GStrv) parts = g_strsplit (token_text, ".", -1);

    for (guint i = 0; parts[i] != NULL; i++)
      g_assert_null (strstr (details, parts[i]));
  }

  /* Try Again goes back to the controller and connects anew. */
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "wizard.next", NULL);
  ze_test_wait_page (fixture->window, "controller");
  g_assert_cmpint (ze_enrollment_get_state (fixture->enrollment), ==,
                   ZE_ENROLLMENT_STATE_CONNECTING);
}

/* After the request was sent, the token may be used up: no retry. */
static void
test_error_after_sending (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GError) error = g_error_new_literal (ZE_ERROR, ZE_ERROR_CONTROLLER_TOKEN_USED,
                                                 "The controller says this token was already "
                                                 "used. Ask your administrator for a new one.");
  ZePage *page;

  _ze_enrollment_set_failed (fixture->enrollment, error, TRUE);
  ze_test_wait_page (fixture->window, "error");
  page = ze_window_get_page (fixture->window, "error");

  g_assert_cmpstr (adw_status_page_get_title (ze_test_child (page, ZE_TYPE_ERROR_PAGE,
                                                             "status_page")),
                   ==, "The Controller Refused the Enrollment");
  g_assert_false (ze_error_page_get_retry (ZE_ERROR_PAGE (page)));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (ze_test_next_button (fixture->window))), ==,
                   "_Start Over");

  /* A network failure once sent is not safe to retry either. */
  g_clear_error (&error);
  error = g_error_new_literal (ZE_ERROR, ZE_ERROR_TIMEOUT,
                               "The controller did not answer in time.");
  _ze_enrollment_set_failed (fixture->enrollment, error, TRUE);
  g_assert_false (ze_enrollment_can_retry (fixture->enrollment));

  /* Start Over goes back to the Token page. */
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "wizard.next", NULL);
  ze_test_wait_page (fixture->window, "token");
  g_assert_cmpint (ze_enrollment_get_state (fixture->enrollment), ==, ZE_ENROLLMENT_STATE_NONE);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  ze_test_setup ();

#define ADD(path, func) \
  g_test_add ("/ui/result-pages/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("enrolling", test_enrolling);
  ADD ("done", test_done);
  ADD ("done-file", test_done_file);
  ADD ("error-retry", test_error_retry);
  ADD ("error-after-sending", test_error_after_sending);

#undef ADD

  return g_test_run ();
}
