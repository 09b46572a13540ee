/* ze-test-util.h: helpers shared by the tests
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <string.h>

#include <gio/gio.h>

/* base64url without padding, as in a JWT. */
static inline char *
ze_test_b64url (const char *text)
{
  g_autofree char *b64 = g_base64_encode ((const guchar *)text, strlen (text));
  GString *out = g_string_new (NULL);

  for (const char *p = b64; *p != '\0'; p++)
    {
      if (*p == '+')
        g_string_append_c (out, '-');
      else if (*p == '/')
        g_string_append_c (out, '_');
      else if (*p != '=')
        g_string_append_c (out, *p);
    }

  return g_string_free (out, FALSE);
}

/* A token with the given header and claims (JSON text) and a fixed,
 * well-formed 64-byte signature that verifies against nothing. */
static inline char *
ze_test_make_token (const char *header,
                    const char *claims)
{
  g_autofree char *h = ze_test_b64url (header);
  g_autofree char *c = ze_test_b64url (claims);

  return g_strdup_printf ("%s.%s.%s", h, c,
                          "UE6IVn1c2xxPEp93J_dIkpjwaennq2HLzi8EJKkXyugRzYXANxj_peyQxwWythI4nT9RPS_gothILTFe8B3cew");
}

static inline char *
ze_test_data_path (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "data", name, NULL);
}

/* Not inlined: GCC 12 then warns about a dangling pointer that is not there. */
G_GNUC_NO_INLINE G_GNUC_UNUSED static char *
ze_test_read_data (const char *name)
{
  char *path = ze_test_data_path (name);
  GError *error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  g_free (path);

  return contents;
}
