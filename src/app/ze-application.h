/* ze-application.h
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define ZE_TYPE_APPLICATION (ze_application_get_type ())

G_DECLARE_FINAL_TYPE (ZeApplication, ze_application, ZE, APPLICATION, AdwApplication)

ZeApplication *ze_application_new (void);

G_END_DECLS
