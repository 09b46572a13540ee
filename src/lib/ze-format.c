/* ze-format.c
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ze-format.h"

/**
 * ze_format_relative_time:
 * @when: a unix time, in seconds
 * @now: the current unix time, in seconds
 *
 * Says how far @when is from @now in the largest whole unit, the way a
 * person would: "in 3 hours", "2 days ago", "in less than a minute".
 *
 * Returns: (transfer full): the text
 */
char *
ze_format_relative_time (gint64 when,
                         gint64 now)
{
  gint64 delta = when - now;
  gint64 span = ABS (delta);
  gboolean future = delta >= 0;
  gint64 n;

  if (span < 60)
    return g_strdup (future ? _("in less than a minute") : _("less than a minute ago"));

  if (span < 3600)
    {
      n = span / 60;
      return g_strdup_printf (future ? g_dngettext (GETTEXT_PACKAGE, "in %d minute", "in %d minutes", n)
                                     : g_dngettext (GETTEXT_PACKAGE, "%d minute ago", "%d minutes ago", n),
                              (int)n);
    }

  if (span < 86400 * 2)
    {
      n = span / 3600;
      return g_strdup_printf (future ? g_dngettext (GETTEXT_PACKAGE, "in %d hour", "in %d hours", n)
                                     : g_dngettext (GETTEXT_PACKAGE, "%d hour ago", "%d hours ago", n),
                              (int)n);
    }

  if (span < 86400 * 365)
    {
      n = span / 86400;
      return g_strdup_printf (future ? g_dngettext (GETTEXT_PACKAGE, "in %d day", "in %d days", n)
                                     : g_dngettext (GETTEXT_PACKAGE, "%d day ago", "%d days ago", n),
                              (int)n);
    }

  n = span / (86400 * 365);
  return g_strdup_printf (future ? g_dngettext (GETTEXT_PACKAGE, "in %d year", "in %d years", n)
                                 : g_dngettext (GETTEXT_PACKAGE, "%d year ago", "%d years ago", n),
                          (int)n);
}

/**
 * ze_format_utc_date:
 * @when: a unix time, in seconds
 *
 * Returns: (transfer full): @when as "2024-01-07 21:08:15 UTC"
 */
char *
ze_format_utc_date (gint64 when)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (when);

  if (dt == NULL)
    return g_strdup ("?");

  return g_date_time_format (dt, "%Y-%m-%d %H:%M:%S UTC");
}
