/* ze-done-page.h: what was enrolled, with Export and Close
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include "ze-page.h"

G_BEGIN_DECLS

#define ZE_TYPE_DONE_PAGE (ze_done_page_get_type ())

G_DECLARE_FINAL_TYPE (ZeDonePage, ze_done_page, ZE, DONE_PAGE, ZePage)

void ze_done_page_set_library (ZeDonePage        *self,
                               ZeIdentityLibrary *library);
void ze_done_page_export      (ZeDonePage        *self,
                               const char        *path);

G_END_DECLS
