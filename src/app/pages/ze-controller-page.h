/* ze-controller-page.h: the token's facts, the controller's certificate, trust
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include "ze-page.h"

G_BEGIN_DECLS

#define ZE_TYPE_CONTROLLER_PAGE (ze_controller_page_get_type ())

G_DECLARE_FINAL_TYPE (ZeControllerPage, ze_controller_page, ZE, CONTROLLER_PAGE, ZePage)

void ze_controller_page_set_settings (ZeControllerPage *self,
                                      GSettings        *settings);

G_END_DECLS
