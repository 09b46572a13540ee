/* test-cli-columns.c: labels line up by what a terminal shows, not by bytes
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli/ze-cli-private.h"

static void
test_text_width (void)
{
  g_assert_cmpint (ze_cli_text_width (""), ==, 0);
  g_assert_cmpint (ze_cli_text_width ("Controller:"), ==, 11);
  /* Two bytes each, one column each. */
  g_assert_cmpint (ze_cli_text_width ("Contrôleur :"), ==, 12);
  g_assert_cmpint (ze_cli_text_width ("Gültig:"), ==, 7);
  /* A combining accent takes no column; a CJK character takes two. */
  g_assert_cmpint (ze_cli_text_width ("Gu\xcc\x88ltig:"), ==, 7);
  g_assert_cmpint (ze_cli_text_width ("控制器:"), ==, 7);
}

static char *
print_to_string (int         width,
                 const char *label,
                 const char *value)
{
  char *text = NULL;
  size_t size = 0;
  FILE *stream = open_memstream (&text, &size);

  g_assert_nonnull (stream);
  ze_cli_print_fact (stream, width, label, value);
  fclose (stream);

  return text;
}

/* The value starts in the same column whatever the labels' scripts. */
static void
test_values_line_up (void)
{
  const char *labels[] = { "Contrôleur :", "Émis par :", "控制器:", "SHA-256 :" };
  int width = ze_cli_labels_width (labels[0], labels[1], labels[2], labels[3], NULL);

  g_assert_cmpint (width, ==, 12);

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    {
      g_autofree char *line = print_to_string (width, labels[i], "VALUE");
      const char *value = strstr (line, "VALUE");
      g_autofree char *before = g_strndup (line, value - line);

      g_assert_cmpint (ze_cli_text_width (before), ==, width + 1);
      g_assert_true (g_str_has_suffix (line, "VALUE\n"));
    }

  /* A label wider than the column is never cut, and one space still follows. */
  {
    g_autofree char *line = print_to_string (4, "Certificate expires:", "never");

    g_assert_cmpstr (line, ==, "Certificate expires: never\n");
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cli/columns/text-width", test_text_width);
  g_test_add_func ("/cli/columns/values-line-up", test_values_line_up);

  return g_test_run ();
}
