/* ze-gnutls-private.h: g_auto cleanups for GnuTLS handles
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <string.h>

#include <glib.h>
#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/pkcs7.h>
#include <gnutls/x509.h>

G_BEGIN_DECLS

/* Wipes the datum before freeing it: datums often hold key material. */
static inline void
ze_gnutls_datum_clear (gnutls_datum_t *datum)
{
  if (datum->data != NULL)
    {
      gnutls_memset (datum->data, 0, datum->size);
      gnutls_free (datum->data);
    }

  datum->data = NULL;
  datum->size = 0;
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (gnutls_datum_t, ze_gnutls_datum_clear)
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_x509_crt_t, gnutls_x509_crt_deinit, NULL)
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_x509_privkey_t, gnutls_x509_privkey_deinit, NULL)
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_x509_crq_t, gnutls_x509_crq_deinit, NULL)
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_pubkey_t, gnutls_pubkey_deinit, NULL)
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_privkey_t, gnutls_privkey_deinit, NULL)
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_pkcs7_t, gnutls_pkcs7_deinit, NULL)

/* Loads one certificate from PEM or DER. */
static inline int
ze_gnutls_crt_import_any (gnutls_x509_crt_t  crt,
                          const guint8      *data,
                          gsize              len)
{
  gnutls_datum_t datum = { (unsigned char *)data, (unsigned int)len };

  if (len > 10 && memchr (data, '-', MIN (len, 64)) != NULL &&
      g_strstr_len ((const char *)data, len, "-----BEGIN") != NULL)
    return gnutls_x509_crt_import (crt, &datum, GNUTLS_X509_FMT_PEM);

  return gnutls_x509_crt_import (crt, &datum, GNUTLS_X509_FMT_DER);
}

G_END_DECLS
