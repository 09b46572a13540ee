/* fuzz-pem.c: libFuzzer target for the PEM a person picks (ottca and ca)
 *
 * Any bytes, as the certificate file and as the key file chosen on the Options
 * page or given with --cert and --key.
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
  g_autofree char *text = g_strndup ((const char *)data, size);
  g_autoptr(GPtrArray) chain = NULL;
  g_autoptr(ZeKeyPair) key = NULL;

  chain = ze_certificate_list_new_from_pem ((const char *)data, size, NULL);
  for (guint i = 0; chain != NULL && i < chain->len; i++)
    g_free (ze_certificate_dup_fingerprint_sha256 (g_ptr_array_index (chain, i)));

  key = ze_key_pair_new_from_pem (text, size, NULL);
  if (key != NULL)
    g_bytes_unref (ze_key_pair_get_public_key_der (key));

  return 0;
}
