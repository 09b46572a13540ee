/* ze-identity.h: an enrolled (or pending) identity
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "ze-types.h"

G_BEGIN_DECLS

#define ZE_TYPE_IDENTITY (ze_identity_get_type ())

G_DECLARE_FINAL_TYPE (ZeIdentity, ze_identity, ZE, IDENTITY, GObject)

ZeIdentity     *ze_identity_new                       (const char      *name);
const char     *ze_identity_get_name                  (ZeIdentity      *self);
const char     *ze_identity_get_controller_url        (ZeIdentity      *self);
void            ze_identity_set_controller_url        (ZeIdentity      *self,
                                                       const char      *url);
const char * const *ze_identity_get_controller_urls   (ZeIdentity      *self);
void            ze_identity_set_controller_urls       (ZeIdentity      *self,
                                                       const char * const *urls);
const char     *ze_identity_get_certificate_pem       (ZeIdentity      *self);
void            ze_identity_set_certificate_pem       (ZeIdentity      *self,
                                                       const char      *pem);
const char     *ze_identity_get_ca_pem                (ZeIdentity      *self);
void            ze_identity_set_ca_pem                (ZeIdentity      *self,
                                                       const char      *pem);
const char     *ze_identity_get_key_reference         (ZeIdentity      *self);
void            ze_identity_set_key_reference         (ZeIdentity      *self,
                                                       const char      *reference);
const char     *ze_identity_get_store_kind            (ZeIdentity      *self);
void            ze_identity_set_store_kind            (ZeIdentity      *self,
                                                       const char      *kind);
const char     *ze_identity_get_location              (ZeIdentity      *self);
void            ze_identity_set_location              (ZeIdentity      *self,
                                                       const char      *location);
const char     *ze_identity_get_token_id              (ZeIdentity      *self);
void            ze_identity_set_token_id              (ZeIdentity      *self,
                                                       const char      *token_id);
ZeEnrollMethod  ze_identity_get_method                (ZeIdentity      *self);
void            ze_identity_set_method                (ZeIdentity      *self,
                                                       ZeEnrollMethod   method);
const char     *ze_identity_get_username              (ZeIdentity      *self);
void            ze_identity_set_username              (ZeIdentity      *self,
                                                       const char      *username);
const char     *ze_identity_get_controller_fingerprint (ZeIdentity     *self);
void            ze_identity_set_controller_fingerprint (ZeIdentity     *self,
                                                       const char      *hex);
gboolean        ze_identity_get_pending               (ZeIdentity      *self);
void            ze_identity_set_pending               (ZeIdentity      *self,
                                                       gboolean         pending);
gint64          ze_identity_get_certificate_expiry    (ZeIdentity      *self);

JsonNode       *ze_identity_to_standard_json          (ZeIdentity      *self,
                                                       const char      *key);
JsonNode       *ze_identity_to_record_json            (ZeIdentity      *self);
ZeIdentity     *ze_identity_new_from_record_json      (JsonNode        *node,
                                                       GError         **error);
char           *ze_json_to_string                     (JsonNode        *node);

gboolean        ze_identity_name_is_valid             (const char      *name);

G_END_DECLS
