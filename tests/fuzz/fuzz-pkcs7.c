/* fuzz-pkcs7.c: libFuzzer target for the CA bundle parser
 *
 * Any bytes, as the body of /.well-known/est/cacerts (base64 PKCS#7): parse,
 * then write the certificates back out as PEM.
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <stdint.h>

#include "zitienroll.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) body = g_bytes_new (data, size);
  g_autoptr(GPtrArray) cas = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pem = NULL;

  if (!(cas = ze_ca_bundle_parse_pkcs7_base64 (body, &error)))
    {
      g_assert (error != NULL);
      return 0;
    }

  pem = ze_ca_bundle_to_pem (cas);
  for (guint i = 0; i < cas->len; i++)
    g_free (ze_certificate_dup_subject (g_ptr_array_index (cas, i)));

  return 0;
}
