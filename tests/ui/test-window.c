/* test-window.c: the application window, under Xvfb
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <adwaita.h>

#include "ze-test-ui.h"
#include "ze-window.h"

static void
test_window_opens (void)
{
  g_autoptr(GtkApplication) app = NULL;
  ZeWindow *window;

  app = gtk_application_new ("io.github.zitienroll.ZitiEnroll.TestWindow", G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, NULL);

  window = ze_window_new (app);
  gtk_window_present (GTK_WINDOW (window));
  ze_test_wait_mapped (GTK_WIDGET (window));

  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, "Ziti Enroll");
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (window)));
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), >, 300);

  ze_test_save_screenshot (GTK_WIDGET (window), "window-empty");

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_window_open_token_file (void)
{
  g_autoptr(GtkApplication) app = NULL;
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "tv1-rs256-production.jwt", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  GtkWidget *status;
  ZeWindow *window;

  app = gtk_application_new ("io.github.zitienroll.ZitiEnroll.TestWindow2", G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, NULL);

  window = ze_window_new (app);
  gtk_window_present (GTK_WINDOW (window));
  ze_test_wait_mapped (GTK_WIDGET (window));

  ze_window_open_file (window, file);
  status = ze_test_find_widget (GTK_WIDGET (window), ADW_TYPE_STATUS_PAGE);
  g_assert_nonnull (status);
  ze_test_wait_until_string (G_OBJECT (status), "description", "AZ5jYB-0F");

  ze_test_save_screenshot (GTK_WIDGET (window), "window-token");
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/ui/window/opens", test_window_opens);
  g_test_add_func ("/ui/window/open-token-file", test_window_open_token_file);

  return g_test_run ();
}
