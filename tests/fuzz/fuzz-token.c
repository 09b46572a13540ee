/* fuzz-token.c: libFuzzer target for the JWT parser and the signature check
 *
 * Any bytes, as a token someone pasted: parse them, read every claim, check the
 * expiry, and verify the signature against a real controller certificate
 * (tests/data/tv2-leaf.pem, compiled in as FUZZ_LEAF_PEM).
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <stdint.h>

#include "zitienroll.h"

static GBytes *
leaf_der (void)
{
  static GBytes *der;

  if (der == NULL)
    {
      g_autofree char *pem = NULL;
      g_autoptr(ZeCertificate) leaf = NULL;

      if (!g_file_get_contents (FUZZ_LEAF_PEM, &pem, NULL, NULL) ||
          !(leaf = ze_certificate_new_from_pem (pem, -1, NULL)))
        g_error ("cannot load %s", FUZZ_LEAF_PEM);
      der = g_bytes_ref (ze_certificate_get_der (leaf));
    }

  return der;
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);
  g_autoptr(ZeToken) token = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *host = NULL;

  if (!(token = ze_token_new_from_bytes (bytes, &error)))
    {
      g_assert (error != NULL && error->message != NULL);
      return 0;
    }

  host = ze_token_dup_host_and_port (token);
  (void)ze_token_get_key_id (token);
  (void)ze_token_get_issuer (token);
  (void)ze_token_get_controller_url (token);
  (void)ze_token_get_subject (token);
  (void)ze_token_get_token_id (token);
  (void)ze_enroll_method_describe (ze_token_get_method (token));
  (void)ze_token_get_audience (token);
  (void)ze_token_get_controllers (token);
  (void)ze_token_check_expiry (token, 1700000000, NULL);
  if (!ze_token_verify_signature (token, leaf_der (), &error))
    g_assert (error != NULL);

  return 0;
}
