/* ze-cli-facts.c: the controller's certificate, as a person reads it
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <stdio.h>

#include <glib/gi18n.h>

#include "ze-cli-private.h"

/* Prints what a person (or the help desk on the phone) needs to decide. */
void
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

  fprintf (stream, "%-13s %s\n", _("Controller:"), host);
  fprintf (stream, "%-13s %s\n", _("SHA-256:"), fingerprint);
  fprintf (stream, "%-13s %s\n", _("Read aloud:"), short_form);
  fprintf (stream, "%-13s %s\n", _("Subject:"), subject);
  fprintf (stream, "%-13s %s\n", _("Issuer:"), issuer);
  fprintf (stream, "%-13s %s — %s\n", _("Valid:"), not_before, not_after);
  fprintf (stream, "%-13s %s\n", _("Host names:"), joined);

  if (cas != NULL)
    {
      for (guint i = 0; i < cas->len; i++)
        {
          g_autofree char *ca = ze_certificate_dup_subject (g_ptr_array_index (cas, i));

          fprintf (stream, "%-13s %s\n", i == 0 ? _("Network CAs:") : "", ca);
        }
    }
}
