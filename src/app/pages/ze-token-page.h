/* ze-token-page.h: the first page: open, paste or drop a token
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include "ze-page.h"

G_BEGIN_DECLS

#define ZE_TYPE_TOKEN_PAGE (ze_token_page_get_type ())

G_DECLARE_FINAL_TYPE (ZeTokenPage, ze_token_page, ZE, TOKEN_PAGE, ZePage)

ZeToken *ze_token_page_get_token  (ZeTokenPage *self);
void     ze_token_page_set_text   (ZeTokenPage *self,
                                   const char  *text,
                                   const char  *source_name);
void     ze_token_page_show_error (ZeTokenPage *self,
                                   const char  *message);

G_END_DECLS
