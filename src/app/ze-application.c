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

static void
ze_application_quit_action (GSimpleAction *action,
                            GVariant      *parameter,
                            gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
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

  G_APPLICATION_CLASS (ze_application_parent_class)->startup (application);

  g_action_map_add_action_entries (G_ACTION_MAP (application), app_actions,
                                   G_N_ELEMENTS (app_actions), application);
  gtk_application_set_accels_for_action (GTK_APPLICATION (application), "app.quit", quit_accels);
}

static void
ze_application_class_init (ZeApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  app_class->activate = ze_application_activate;
  app_class->open = ze_application_open;
  app_class->startup = ze_application_startup;
}

static void
ze_application_init (ZeApplication *self)
{
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
