/* test-i18n.c: the wizard under a translated locale shows translated text
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <locale.h>

#include <glib/gi18n.h>

#include "ze-test-app.h"

static gboolean
tree_has_label (GtkWidget  *widget,
                const char *text)
{
  if (GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0)
    return TRUE;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (tree_has_label (child, text))
        return TRUE;
    }

  return FALSE;
}

/* The language is the last part of the test path. */
static void
test_translated_window (void)
{
  const char *lang = strrchr (g_test_get_path (), '/') + 1;
  g_autoptr(GtkApplication) app = NULL;
  g_autofree char *shot = g_strdup_printf ("window-%s", lang);
  const char *translated;
  ZeWindow *window;

  g_setenv ("LANGUAGE", lang, TRUE);
  setlocale (LC_MESSAGES, "");

  /* The catalog says so... */
  translated = g_dgettext (GETTEXT_PACKAGE, "Enroll This Computer");
  g_assert_cmpstr (translated, !=, "Enroll This Computer");

  /* ...and the window shows it: templates are translated when they are built. */
  app = ze_test_app_new ();
  window = ze_test_window_new (app);
  gtk_window_present (GTK_WINDOW (window));
  ze_test_wait_mapped (GTK_WIDGET (window));
  g_assert_true (tree_has_label (GTK_WIDGET (window), translated));
  g_assert_false (tree_has_label (GTK_WIDGET (window), "Enroll This Computer"));

  ze_test_save_screenshot (GTK_WIDGET (window), shot);
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  /* The catalogs built in the tree, not the installed ones. */
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("ZE_TEST_LOCALEDIR"));
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/ui/i18n/de", test_translated_window);
  g_test_add_func ("/ui/i18n/fr", test_translated_window);
  g_test_add_func ("/ui/i18n/es", test_translated_window);

  return g_test_run ();
}
