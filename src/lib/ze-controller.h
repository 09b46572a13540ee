/* ze-controller.h: the conversation with an OpenZiti controller
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <gio/gio.h>

#include "ze-certificate.h"
#include "ze-token.h"

G_BEGIN_DECLS

/* Bodies larger than this are refused (real answers are a few KiB). */
#define ZE_CONTROLLER_MAX_BODY (1024 * 1024)
#define ZE_CONTROLLER_DEFAULT_TIMEOUT 30

#define ZE_TYPE_CONTROLLER (ze_controller_get_type ())

G_DECLARE_FINAL_TYPE (ZeController, ze_controller, ZE, CONTROLLER, GObject)

ZeController   *ze_controller_new                    (ZeToken              *token,
                                                      guint                 timeout_seconds);
ZeToken        *ze_controller_get_token              (ZeController         *self);
ZeCertificate  *ze_controller_get_leaf               (ZeController         *self);
void            ze_controller_confirm_leaf           (ZeController         *self);
void            ze_controller_set_client_certificate (ZeController         *self,
                                                      GTlsCertificate      *certificate);
gboolean        ze_controller_get_request_sent       (ZeController         *self);
guint           ze_controller_get_handshakes         (ZeController         *self);
void            ze_controller_fetch_ca_bundle_async  (ZeController         *self,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
GPtrArray      *ze_controller_fetch_ca_bundle_finish (ZeController         *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);
void            ze_controller_enroll_async           (ZeController         *self,
                                                      const char           *content_type,
                                                      GBytes               *body,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
gboolean        ze_controller_enroll_finish          (ZeController         *self,
                                                      GAsyncResult         *result,
                                                      char                **certificate_pem,
                                                      char                **username,
                                                      GError              **error);

G_END_DECLS
