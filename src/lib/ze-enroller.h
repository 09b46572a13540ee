/* ze-enroller.h: one enrollment, from the token to a stored identity
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <gio/gio.h>

#include "ze-certificate.h"
#include "ze-controller.h"
#include "ze-identity-store.h"
#include "ze-key-pair.h"
#include "ze-token.h"

G_BEGIN_DECLS

/**
 * ZeEnrollStep:
 *
 * The steps of an enrollment, in order (design.md §2).
 */
typedef enum
{
  ZE_ENROLL_STEP_NONE,
  ZE_ENROLL_STEP_CONNECT,        /* TLS to iss, capture the leaf */
  ZE_ENROLL_STEP_VERIFY_TOKEN,   /* the token's signature against the leaf */
  ZE_ENROLL_STEP_FETCH_CA,       /* GET the CA bundle */
  ZE_ENROLL_STEP_VERIFY_CHAIN,   /* the leaf chains to the bundle, for the host */
  ZE_ENROLL_STEP_TRUST,          /* the person or a pin confirms */
  ZE_ENROLL_STEP_GENERATE_KEY,
  ZE_ENROLL_STEP_STORE_KEY,      /* before anything is sent */
  ZE_ENROLL_STEP_CREATE_REQUEST, /* the CSR, or the JSON body */
  ZE_ENROLL_STEP_SEND,
  ZE_ENROLL_STEP_SAVE,           /* check and store the certificate */
  ZE_ENROLL_STEP_DONE,
} ZeEnrollStep;

typedef enum
{
  ZE_STEP_STATE_RUNNING,
  ZE_STEP_STATE_DONE,
  ZE_STEP_STATE_FAILED,
} ZeStepState;

#define ZE_TYPE_ENROLLER (ze_enroller_get_type ())

G_DECLARE_FINAL_TYPE (ZeEnroller, ze_enroller, ZE, ENROLLER, GObject)

ZeEnroller      *ze_enroller_new                      (ZeToken              *token);
ZeToken         *ze_enroller_get_token                (ZeEnroller           *self);
void             ze_enroller_set_name                 (ZeEnroller           *self,
                                                       const char           *name);
void             ze_enroller_set_store                (ZeEnroller           *self,
                                                       ZeIdentityStore      *store);
void             ze_enroller_set_key_type             (ZeEnroller           *self,
                                                       ZeKeyType             key_type);
void             ze_enroller_set_timeout              (ZeEnroller           *self,
                                                       guint                 seconds);
gboolean         ze_enroller_set_client_certificate   (ZeEnroller           *self,
                                                       const char           *certificate_pem,
                                                       ZeKeyPair            *key,
                                                       GError              **error);
void             ze_enroller_set_password             (ZeEnroller           *self,
                                                       const char           *password);
void             ze_enroller_set_expected_fingerprint (ZeEnroller           *self,
                                                       const char           *sha256_hex,
                                                       gboolean              managed);
void             ze_enroller_set_trust_on_first_use   (ZeEnroller           *self,
                                                       gboolean              tofu);
void             ze_enroller_set_pause_at_trust       (ZeEnroller           *self,
                                                       gboolean              pause);
ZeEnrollStep     ze_enroller_get_step                 (ZeEnroller           *self);
gboolean         ze_enroller_get_sent                 (ZeEnroller           *self);
ZeController    *ze_enroller_get_controller           (ZeEnroller           *self);
ZeCertificate   *ze_enroller_get_leaf                 (ZeEnroller           *self);
GPtrArray       *ze_enroller_get_ca_bundle            (ZeEnroller           *self);
ZeIdentity      *ze_enroller_get_identity             (ZeEnroller           *self);
void             ze_enroller_decide_trust             (ZeEnroller           *self,
                                                       gboolean              trusted);
void             ze_enroller_run_async                (ZeEnroller           *self,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
ZeIdentity      *ze_enroller_run_finish               (ZeEnroller           *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);

const char      *ze_enroll_step_describe              (ZeEnrollStep          step);

G_END_DECLS
