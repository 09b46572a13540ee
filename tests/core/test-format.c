/* test-format.c: relative times and dates as people read them
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include "zitienroll.h"

static void
test_relative (void)
{
  static const struct { gint64 delta; const char *text; } cases[] = {
    { 0, "in less than a minute" },
    { -30, "less than a minute ago" },
    { 60, "in 1 minute" },
    { -59 * 60, "59 minutes ago" },
    { 2 * 3600 + 5, "in 2 hours" },
    { -47 * 3600, "47 hours ago" },
    { 3 * 86400, "in 3 days" },
    { -364 * 86400, "364 days ago" },
    { -2 * 365 * 86400 - 10, "2 years ago" },
  };
  const gint64 now = 1795996800;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = ze_format_relative_time (now + cases[i].delta, now);

      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

static void
test_utc_date (void)
{
  g_autofree char *text = ze_format_utc_date (1704661695);

  g_assert_cmpstr (text, ==, "2024-01-07 21:08:15 UTC");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/format/relative", test_relative);
  g_test_add_func ("/core/format/utc-date", test_utc_date);

  return g_test_run ();
}
