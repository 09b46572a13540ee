/* test-identities.c: the Identities window
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include "ze-fact-row.h"
#include "ze-identities-window.h"
#include "ze-test-app.h"

typedef struct
{
  GtkApplication    *app;
  ZeWindow          *window;
  char              *dir;
  ZeIdentityLibrary *library;
} Fixture;

static void
write_record (Fixture    *fixture,
              ZeIdentity *identity)
{
  g_autoptr(JsonNode) node = ze_identity_to_record_json (identity);
  g_autofree char *text = ze_json_to_string (node);
  g_autofree char *path = ze_identity_library_dup_record_path (fixture->library,
                                                               ze_identity_get_name (identity));
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  fixture->dir = g_dir_make_tmp ("ze-test-XXXXXX", NULL);
  fixture->library = ze_identity_library_new (fixture->dir);
  fixture->app = ze_test_app_new ();
  fixture->window = ze_test_window_new (fixture->app);
  ze_window_set_library (fixture->window, fixture->library);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GDir) dir = g_dir_open (fixture->dir, 0, NULL);
  const char *name;

  ze_test_destroy_window (fixture->window);
  g_clear_object (&fixture->app);
  g_clear_object (&fixture->library);

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (fixture->dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (fixture->dir);
  g_free (fixture->dir);
}

static ZeIdentitiesWindow *
open_identities (Fixture *fixture)
{
  GtkWindow *window;

  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.identities", NULL);
  ZE_TEST_WAIT_FOR ((window = ze_test_find_toplevel (ZE_TYPE_IDENTITIES_WINDOW, NULL)) != NULL);
  gtk_window_set_default_size (window, 560, 620);
  ze_test_wait_mapped (GTK_WIDGET (window));

  return ZE_IDENTITIES_WINDOW (window);
}

/* The view on screen, once the stack has stopped moving. */
static const char *
visible_view (ZeIdentitiesWindow *window)
{
  GtkStack *stack = ze_test_child (window, ZE_TYPE_IDENTITIES_WINDOW, "stack");

  if (gtk_stack_get_transition_running (stack))
    return "moving";

  return gtk_stack_get_visible_child_name (stack);
}

static void
test_empty (Fixture       *fixture,
            gconstpointer  data)
{
  ZeIdentitiesWindow *window = open_identities (fixture);

  ZE_TEST_WAIT_FOR (g_strcmp0 (visible_view (window), "empty") == 0);
  g_assert_cmpuint (ze_identities_window_get_n_identities (window), ==, 0);

  ze_test_save_screenshots (GTK_WIDGET (window), "identities-empty");
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_list_and_details (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(ZeIdentity) alice = ze_test_identity_new ("alice-laptop", "keyring", NULL);
  g_autoptr(ZeIdentity) bob = ze_test_identity_new ("bob-desktop", "keyring", NULL);
  g_autoptr(ZeIdentity) pending = ze_test_identity_new ("carol", "keyring", NULL);
  ZeIdentitiesWindow *window;
  GtkListBox *list;
  GtkWidget *row;
  GtkWindow *dialog;

  ze_identity_set_certificate_pem (pending, NULL);
  ze_identity_set_pending (pending, TRUE);
  write_record (fixture, bob);
  write_record (fixture, alice);
  write_record (fixture, pending);

  window = open_identities (fixture);
  ZE_TEST_WAIT_FOR (g_strcmp0 (visible_view (window), "list") == 0);
  g_assert_cmpuint (ze_identities_window_get_n_identities (window), ==, 3);

  /* By name, each with its controller and expiry; a badge for the pending one. */
  list = ze_test_child (window, ZE_TYPE_IDENTITIES_WINDOW, "list_box");
  row = GTK_WIDGET (gtk_list_box_get_row_at_index (list, 0));
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "alice-laptop");
  g_assert_true (g_str_has_prefix (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)),
                                   "ctrl.example.com:8441 · expires in "));
  row = GTK_WIDGET (gtk_list_box_get_row_at_index (list, 2));
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "carol");
  g_assert_nonnull (ze_test_find_widget (row, GTK_TYPE_LABEL));

  ze_test_save_screenshots (GTK_WIDGET (window), "identities");

  /* Details, by activating the row. */
  g_signal_emit_by_name (list, "row-activated", gtk_list_box_get_row_at_index (list, 0));
  ZE_TEST_WAIT_FOR (g_strcmp0 (visible_view (window), "details") == 0);
  g_assert_cmpstr (ze_fact_row_get_value (ze_test_child (window, ZE_TYPE_IDENTITIES_WINDOW,
                                                         "controller_row")), ==,
                   "ctrl.example.com:8441");
  g_assert_cmpstr (ze_fact_row_get_value (ze_test_child (window, ZE_TYPE_IDENTITIES_WINDOW,
                                                         "fingerprint_row")), ==,
                   "E248 622E 799A 42ED");
  g_assert_true (gtk_widget_get_visible (ze_test_child (window, ZE_TYPE_IDENTITIES_WINDOW,
                                                        "back_button")));
  ze_test_run_for (300);
  ze_test_save_screenshots (GTK_WIDGET (window), "identity-details");

  /* Remove asks first; cancelling keeps the identity. */
  gtk_widget_activate_action (GTK_WIDGET (window), "identities.remove", NULL);
  ZE_TEST_WAIT_FOR ((dialog = ze_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG, NULL)) != NULL);
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), ==,
                   "Remove “alice-laptop”?");
  g_assert_cmpint (adw_message_dialog_get_response_appearance (ADW_MESSAGE_DIALOG (dialog),
                                                               "remove"),
                   ==, ADW_RESPONSE_DESTRUCTIVE);
  g_assert_cmpstr (adw_message_dialog_get_default_response (ADW_MESSAGE_DIALOG (dialog)), ==,
                   "cancel");
  ze_test_save_screenshots (GTK_WIDGET (dialog), "identity-remove");
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  gtk_window_destroy (dialog);
  ze_test_run_for (100);
  g_assert_cmpuint (ze_identities_window_get_n_identities (window), ==, 3);

  /* Back to the list. */
  gtk_widget_activate_action (GTK_WIDGET (window), "identities.back", NULL);
  ZE_TEST_WAIT_FOR (g_strcmp0 (visible_view (window), "list") == 0);

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Remove, confirmed, deletes the record and updates the list. */
static void
test_remove (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(ZeIdentity) alice = ze_test_identity_new ("alice-laptop", "keyring", NULL);
  g_autoptr(ZeIdentity) bob = ze_test_identity_new ("bob-desktop", "keyring", NULL);
  g_autofree char *path = ze_identity_library_dup_record_path (fixture->library, "bob-desktop");
  ZeIdentitiesWindow *window;
  GtkWindow *dialog;

  write_record (fixture, alice);
  write_record (fixture, bob);

  window = open_identities (fixture);
  ZE_TEST_WAIT_FOR (ze_identities_window_get_n_identities (window) == 2);
  g_assert_true (ze_identities_window_show_identity (window, "bob-desktop"));

  gtk_widget_activate_action (GTK_WIDGET (window), "identities.remove", NULL);
  ZE_TEST_WAIT_FOR ((dialog = ze_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG, NULL)) != NULL);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "remove");
  gtk_window_destroy (dialog);

  ZE_TEST_WAIT_FOR (ze_identities_window_get_n_identities (window) == 1);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  ZE_TEST_WAIT_FOR (g_strcmp0 (visible_view (window), "list") == 0);

  gtk_window_destroy (GTK_WINDOW (window));
}

/* The Options page refuses a name the keyring already has. */
static void
test_existing_name_refused (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(ZeIdentity) alice = ze_test_identity_new ("alice-laptop", "keyring", NULL);
  g_autofree char *text = ze_test_valid_token ();
  ZePage *options = ze_window_get_page (fixture->window, "options");
  GtkWidget *name_row = ze_test_child (options, ZE_TYPE_OPTIONS_PAGE, "name_row");
  GtkLabel *error_label = ze_test_child (options, ZE_TYPE_OPTIONS_PAGE, "name_error_label");

  write_record (fixture, alice);

  ze_test_reach_trust (fixture->window, text);
  gtk_check_button_set_active (ze_test_child (ze_window_get_page (fixture->window, "controller"),
                                              ZE_TYPE_CONTROLLER_PAGE, "trust_check"), TRUE);
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "wizard.next", NULL);
  ze_test_wait_page (fixture->window, "options");

  gtk_editable_set_text (GTK_EDITABLE (name_row), "alice-laptop");
  adw_combo_row_set_selected (ze_test_child (options, ZE_TYPE_OPTIONS_PAGE, "store_row"),
                              ZE_KEY_PLACE_KEYRING);
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "wizard.next", NULL);

  ZE_TEST_WAIT_FOR (gtk_widget_get_visible (GTK_WIDGET (error_label)));
  g_assert_nonnull (strstr (gtk_label_get_text (error_label), "already have an identity"));
  g_assert_true (ze_test_page_is (fixture->window, "options"));
  g_assert_cmpint (ze_enrollment_get_state (ze_window_get_enrollment (fixture->window)), ==,
                   ZE_ENROLLMENT_STATE_TRUST_REQUIRED);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  ze_test_setup ();

#define ADD(path, func) \
  g_test_add ("/ui/identities/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("empty", test_empty);
  ADD ("list-and-details", test_list_and_details);
  ADD ("remove", test_remove);
  ADD ("existing-name-refused", test_existing_name_refused);

#undef ADD

  return g_test_run ();
}
