/* ze-certificate.h: X.509 facts for people, CA bundles, chain checks
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <gio/gio.h>

#include "ze-types.h"

G_BEGIN_DECLS

#define ZE_TYPE_CERTIFICATE (ze_certificate_get_type ())

/* One parsed X.509 certificate (immutable). */
G_DECLARE_FINAL_TYPE (ZeCertificate, ze_certificate, ZE, CERTIFICATE, GObject)

ZeCertificate  *ze_certificate_new_from_der             (GBytes          *der,
                                                         GError         **error);
ZeCertificate  *ze_certificate_new_from_pem             (const char      *pem,
                                                         gssize           len,
                                                         GError         **error);
GPtrArray      *ze_certificate_list_new_from_pem        (const char      *pem,
                                                         gssize           len,
                                                         GError         **error);
GBytes         *ze_certificate_get_der                  (ZeCertificate   *self);
char           *ze_certificate_to_pem                   (ZeCertificate   *self);
char           *ze_certificate_dup_fingerprint_sha256   (ZeCertificate   *self);
char           *ze_certificate_dup_fingerprint_hex      (ZeCertificate   *self);
char           *ze_certificate_dup_fingerprint_short    (ZeCertificate   *self);
char           *ze_certificate_dup_subject              (ZeCertificate   *self);
char           *ze_certificate_dup_issuer               (ZeCertificate   *self);
gint64          ze_certificate_get_not_before           (ZeCertificate   *self);
gint64          ze_certificate_get_not_after            (ZeCertificate   *self);
GStrv           ze_certificate_dup_host_names           (ZeCertificate   *self);
gboolean        ze_certificate_is_ca                    (ZeCertificate   *self);
gboolean        ze_certificate_matches_host             (ZeCertificate   *self,
                                                         const char      *host);
gboolean        ze_certificate_has_public_key_of        (ZeCertificate   *self,
                                                         GBytes          *public_key_der);
gboolean        ze_certificate_equal                    (ZeCertificate   *a,
                                                         ZeCertificate   *b);

gboolean        ze_fingerprint_normalize                (const char      *text,
                                                         char           **hex_out);

GPtrArray      *ze_ca_bundle_parse_pkcs7_base64         (GBytes          *body,
                                                         GError         **error);
char           *ze_ca_bundle_to_pem                     (GPtrArray       *cas);
gboolean        ze_certificate_verify_chain             (ZeCertificate   *leaf,
                                                         GPtrArray       *intermediates,
                                                         GPtrArray       *cas,
                                                         const char      *host,
                                                         gint64           now,
                                                         GError         **error);

G_END_DECLS
