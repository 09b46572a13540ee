/* main.c: ziti-enroll, the GTK wizard
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <locale.h>

#include <glib/gi18n.h>

#include "ze-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(ZeApplication) application = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_set_application_name (_("Ziti Enroll"));

  application = ze_application_new ();

  return g_application_run (G_APPLICATION (application), argc, argv);
}
