/* ze-cli-facts.c: facts in aligned columns; the controller's certificate, as a person reads it
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <stdarg.h>
#include <stdio.h>

#include <glib/gi18n.h>

#include "ze-cli-private.h"

/* The width of @text on a terminal, in columns: a wide (CJK) character takes two,
 * a combining mark none. Translated labels line up by this, not by bytes. */
int
ze_cli_text_width (const char *text)
{
  int width = 0;

  for (const char *p = text; p != NULL && *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iszerowidth (c))
        continue;
      width += g_unichar_iswide (c) ? 2 : 1;
    }

  return width;
}

/* The widest of the labels, a NULL-terminated list, in columns. */
int
ze_cli_labels_width (const char *first,
                     ...)
{
  va_list args;
  int width = 0;

  va_start (args, first);
  for (const char *label = first; label != NULL; label = va_arg (args, const char *))
    width = MAX (width, ze_cli_text_width (label));
  va_end (args);

  return width;
}

/* Prints "LABEL  VALUE" with the label padded to @width columns. */
void
ze_cli_print_fact (FILE       *stream,
                   int         width,
                   const char *label,
                   const char *value)
{
  fprintf (stream, "%s%*s %s\n", label, MAX (0, width - ze_cli_text_width (label)), "", value);
}

/* Prints what a person (or the help desk on the phone) needs to decide; returns
 * the width of its labels, for the lines a caller adds under them. */
int
ze_cli_print_certificate_facts (FILE          *stream,
                                ZeToken       *token,
                                ZeCertificate *leaf,
                                GPtrArray     *cas)
{
  g_autofree char *host = ze_token_dup_host_and_port (token);
  g_autofree char *fingerprint = ze_certificate_dup_fingerprint_sha256 (leaf);
  g_autofree char *short_form = ze_certificate_dup_fingerprint_short (leaf);
  g_autofree char *subject = ze_certificate_dup_subject (leaf);
  g_autofree char *issuer = ze_certificate_dup_issuer (leaf);
  g_autofree char *not_before = ze_format_utc_date (ze_certificate_get_not_before (leaf));
  g_autofree char *not_after = ze_format_utc_date (ze_certificate_get_not_after (leaf));
  g_auto(GStrv) names = ze_certificate_dup_host_names (leaf);
  g_autofree char *joined = names != NULL ? g_strjoinv (", ", names) : g_strdup ("");

  g_autofree char *valid = g_strdup_printf ("%s — %s", not_before, not_after);
  int width = ze_cli_labels_width (_("Controller:"), _("SHA-256:"), _("Read aloud:"),
                                   _("Subject:"), _("Issuer:"), _("Valid:"), _("Host names:"),
                                   _("Network CAs:"), _("Signature:"), _("Chain:"), NULL);

  ze_cli_print_fact (stream, width, _("Controller:"), host);
  ze_cli_print_fact (stream, width, _("SHA-256:"), fingerprint);
  ze_cli_print_fact (stream, width, _("Read aloud:"), short_form);
  ze_cli_print_fact (stream, width, _("Subject:"), subject);
  ze_cli_print_fact (stream, width, _("Issuer:"), issuer);
  ze_cli_print_fact (stream, width, _("Valid:"), valid);
  ze_cli_print_fact (stream, width, _("Host names:"), joined);

  if (cas != NULL)
    {
      for (guint i = 0; i < cas->len; i++)
        {
          g_autofree char *ca = ze_certificate_dup_subject (g_ptr_array_index (cas, i));

          ze_cli_print_fact (stream, width, i == 0 ? _("Network CAs:") : "", ca);
        }
    }

  return width;
}
