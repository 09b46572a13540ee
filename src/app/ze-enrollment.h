/* ze-enrollment.h: the state the wizard's pages share (no GTK)
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <gio/gio.h>

#include "zitienroll.h"

G_BEGIN_DECLS

/**
 * ZeEnrollmentState:
 * @ZE_ENROLLMENT_STATE_NONE: a token may be set; nothing runs
 * @ZE_ENROLLMENT_STATE_CONNECTING: connecting to the controller, checking the token and the chain
 * @ZE_ENROLLMENT_STATE_TRUST_REQUIRED: the certificate is known; the person must confirm it
 * @ZE_ENROLLMENT_STATE_TRUSTED: a pin of the organisation matched: nobody has to confirm
 * @ZE_ENROLLMENT_STATE_ENROLLING: the key is made, stored and sent
 * @ZE_ENROLLMENT_STATE_DONE: the identity is stored
 * @ZE_ENROLLMENT_STATE_FAILED: see ze_enrollment_get_error()
 */
typedef enum
{
  ZE_ENROLLMENT_STATE_NONE,
  ZE_ENROLLMENT_STATE_CONNECTING,
  ZE_ENROLLMENT_STATE_TRUST_REQUIRED,
  ZE_ENROLLMENT_STATE_TRUSTED,
  ZE_ENROLLMENT_STATE_ENROLLING,
  ZE_ENROLLMENT_STATE_DONE,
  ZE_ENROLLMENT_STATE_FAILED,
} ZeEnrollmentState;

/* A step that has not started yet, for ze_enrollment_get_step_state(). */
#define ZE_STEP_STATE_PENDING (-1)

#define ZE_TYPE_ENROLLMENT (ze_enrollment_get_type ())

G_DECLARE_FINAL_TYPE (ZeEnrollment, ze_enrollment, ZE, ENROLLMENT, GObject)

ZeEnrollment      *ze_enrollment_new                    (void);
ZeToken           *ze_enrollment_get_token              (ZeEnrollment     *self);
const char        *ze_enrollment_get_source_name        (ZeEnrollment     *self);
void               ze_enrollment_set_token              (ZeEnrollment     *self,
                                                         ZeToken          *token,
                                                         const char       *source_name);
char              *ze_enrollment_dup_default_name       (ZeEnrollment     *self);
const char        *ze_enrollment_get_pin                (ZeEnrollment     *self);
void               ze_enrollment_set_pin                (ZeEnrollment     *self,
                                                         const char       *sha256_hex);
void               ze_enrollment_set_timeout            (ZeEnrollment     *self,
                                                         guint             seconds);
ZeEnrollmentState  ze_enrollment_get_state              (ZeEnrollment     *self);
gboolean           ze_enrollment_is_open                (ZeEnrollment     *self);
ZeCertificate     *ze_enrollment_get_leaf               (ZeEnrollment     *self);
GPtrArray         *ze_enrollment_get_ca_bundle          (ZeEnrollment     *self);
gboolean           ze_enrollment_get_sent               (ZeEnrollment     *self);
int                ze_enrollment_get_step_state         (ZeEnrollment     *self,
                                                         ZeEnrollStep      step);
const GError      *ze_enrollment_get_error              (ZeEnrollment     *self);
ZeIdentity        *ze_enrollment_get_identity           (ZeEnrollment     *self);

void               ze_enrollment_set_name               (ZeEnrollment     *self,
                                                         const char       *name);
const char        *ze_enrollment_get_name               (ZeEnrollment     *self);
void               ze_enrollment_set_store              (ZeEnrollment     *self,
                                                         ZeIdentityStore  *store);
ZeIdentityStore   *ze_enrollment_get_store              (ZeEnrollment     *self);
void               ze_enrollment_set_key_type           (ZeEnrollment     *self,
                                                         ZeKeyType         key_type);
void               ze_enrollment_set_password           (ZeEnrollment     *self,
                                                         const char       *password);
void               ze_enrollment_set_client_certificate (ZeEnrollment     *self,
                                                         const char       *certificate_pem,
                                                         ZeKeyPair        *key);

void               ze_enrollment_connect                (ZeEnrollment     *self);
void               ze_enrollment_enroll                 (ZeEnrollment     *self);
gboolean           ze_enrollment_cancel                 (ZeEnrollment     *self);
void               ze_enrollment_reset                  (ZeEnrollment     *self);
gboolean           ze_enrollment_can_retry              (ZeEnrollment     *self);
char              *ze_enrollment_dup_error_details      (ZeEnrollment     *self);

G_END_DECLS
