/* ze-application.c
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <glib/gi18n.h>

#include "ze-application.h"
#include "ze-window.h"

struct _ZeApplication
{
  AdwApplication parent_instance;
};

G_DEFINE_FINAL_TYPE (ZeApplication, ze_application, ADW_TYPE_APPLICATION)

static ZeWindow *
get_window (ZeApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (!ZE_IS_WINDOW (window))
    {
      GList *windows = gtk_application_get_windows (GTK_APPLICATION (self));

      window = NULL;
      for (GList *l = windows; l != NULL && window == NULL; l = l->next)
        if (ZE_IS_WINDOW (l->data))
          window = l->data;
    }

  if (window == NULL)
    window = GTK_WINDOW (ze_window_new (GTK_APPLICATION (self)));

  return ZE_WINDOW (window);
}

static void
ze_application_activate (GApplication *application)
{
  gtk_window_present (GTK_WINDOW (get_window (ZE_APPLICATION (application))));
}

static void
ze_application_open (GApplication  *application,
                     GFile        **files,
                     int            n_files,
                     const char    *hint)
{
  ZeWindow *window = get_window (ZE_APPLICATION (application));

  /* One enrollment at a time: the first file is the one that counts. */
  if (n_files > 0)
    ze_window_open_file (window, files[0]);

  gtk_window_present (GTK_WINDOW (window));
}

static int
ze_application_handle_local_options (GApplication *application,
                                     GVariantDict *options)
{
  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("ziti-enroll %s\n", PACKAGE_VERSION);
      return 0;
    }

  return -1;
}

static void
ze_application_quit_action (GSimpleAction *action,
                            GVariant      *parameter,
                            gpointer       user_data)
{
  GtkApplication *application = GTK_APPLICATION (user_data);
  GList *windows = g_list_copy (gtk_application_get_windows (application));

  /* Closing, not destroying: a window that is enrolling lets its run end. */
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (GTK_WINDOW (l->data));

  g_list_free (windows);
}

static void
ze_application_about_action (GSimpleAction *action,
                             GVariant      *parameter,
                             gpointer       user_data)
{
  GtkApplication *application = GTK_APPLICATION (user_data);

  adw_show_about_window (gtk_application_get_active_window (application),
                         "application-name", _("Ziti Enroll"),
                         "application-icon", APP_ID,
                         "developer-name", _("The Ziti Enroll authors"),
                         "version", PACKAGE_VERSION,
                         "license-type", GTK_LICENSE_APACHE_2_0,
                         "comments", _("Enroll this computer in an OpenZiti network"),
                         NULL);
}

static const GActionEntry app_actions[] = {
  { "quit", ze_application_quit_action },
  { "about", ze_application_about_action },
};

static void
ze_application_startup (GApplication *application)
{
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *open_accels[] = { "<Control>o", NULL };
  static const char *new_accels[] = { "<Control>n", NULL };
  static const char *identities_accels[] = { "<Control>i", NULL };
  static const char *close_accels[] = { "<Control>w", NULL };

  G_APPLICATION_CLASS (ze_application_parent_class)->startup (application);

  g_action_map_add_action_entries (G_ACTION_MAP (application), app_actions,
                                   G_N_ELEMENTS (app_actions), application);
  gtk_application_set_accels_for_action (GTK_APPLICATION (application), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (application), "win.open", open_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (application), "win.new-enrollment",
                                         new_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (application), "win.identities",
                                         identities_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (application), "window.close",
                                         close_accels);
}

static void
ze_application_class_init (ZeApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  app_class->activate = ze_application_activate;
  app_class->open = ze_application_open;
  app_class->startup = ze_application_startup;
  app_class->handle_local_options = ze_application_handle_local_options;
}

static void
ze_application_init (ZeApplication *self)
{
  static const GOptionEntry entries[] = {
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Show the version and exit"), NULL },
    { NULL }
  };

  g_application_add_main_option_entries (G_APPLICATION (self), entries);
  g_application_set_option_context_parameter_string (G_APPLICATION (self), _("[FILE]"));
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("Enroll this computer in an OpenZiti network with "
                                              "the enrollment token FILE (a .jwt file)."));
}

ZeApplication *
ze_application_new (void)
{
  return g_object_new (ZE_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", RESOURCE_PREFIX,
                       NULL);
}
