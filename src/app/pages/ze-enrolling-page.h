/* ze-enrolling-page.h: the enrollment's steps, live
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include "ze-page.h"

G_BEGIN_DECLS

#define ZE_TYPE_ENROLLING_PAGE (ze_enrolling_page_get_type ())

G_DECLARE_FINAL_TYPE (ZeEnrollingPage, ze_enrolling_page, ZE, ENROLLING_PAGE, ZePage)

G_END_DECLS
