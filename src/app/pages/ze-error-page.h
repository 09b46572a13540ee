/* ze-error-page.h: what went wrong, why, and what to do
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include "ze-page.h"

G_BEGIN_DECLS

#define ZE_TYPE_ERROR_PAGE (ze_error_page_get_type ())

G_DECLARE_FINAL_TYPE (ZeErrorPage, ze_error_page, ZE, ERROR_PAGE, ZePage)

gboolean ze_error_page_get_retry (ZeErrorPage *self);

G_END_DECLS
