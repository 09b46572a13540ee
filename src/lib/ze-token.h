/* ze-token.h: an OpenZiti enrollment token (JWT)
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <gio/gio.h>

#include "ze-types.h"

G_BEGIN_DECLS

/* The largest token accepted, in bytes: real ones are about 1 KiB. */
#define ZE_TOKEN_MAX_SIZE (16 * 1024)

#define ZE_TYPE_TOKEN (ze_token_get_type ())

G_DECLARE_FINAL_TYPE (ZeToken, ze_token, ZE, TOKEN, GObject)

ZeToken           *ze_token_new_from_string          (const char        *text,
                                                      GError           **error);
ZeToken           *ze_token_new_from_bytes           (GBytes            *bytes,
                                                      GError           **error);
ZeTokenAlgorithm   ze_token_get_algorithm            (ZeToken           *self);
const char        *ze_token_get_key_id               (ZeToken           *self);
const char        *ze_token_get_issuer               (ZeToken           *self);
const char        *ze_token_get_controller_url       (ZeToken           *self);
const char        *ze_token_get_host                 (ZeToken           *self);
int                ze_token_get_port                 (ZeToken           *self);
char              *ze_token_dup_host_and_port        (ZeToken           *self);
const char        *ze_token_get_subject              (ZeToken           *self);
const char        *ze_token_get_token_id             (ZeToken           *self);
ZeEnrollMethod     ze_token_get_method               (ZeToken           *self);
const char * const *ze_token_get_audience            (ZeToken           *self);
const char * const *ze_token_get_controllers         (ZeToken           *self);
gboolean           ze_token_has_expiry               (ZeToken           *self);
gint64             ze_token_get_expiry               (ZeToken           *self);
gboolean           ze_token_is_expired               (ZeToken           *self,
                                                      gint64             now);
gboolean           ze_token_check_expiry             (ZeToken           *self,
                                                      gint64             now,
                                                      GError           **error);
gboolean           ze_token_verify_signature         (ZeToken           *self,
                                                      GBytes            *certificate,
                                                      GError           **error);

const char        *ze_enroll_method_to_string        (ZeEnrollMethod     method);
const char        *ze_enroll_method_describe         (ZeEnrollMethod     method);
const char        *ze_token_algorithm_to_string      (ZeTokenAlgorithm   algorithm);

G_END_DECLS
